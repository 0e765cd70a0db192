package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/authz"
)

// WebhookEndpoint is a third-party tool's URL that receives signed webhooks
// for changes of chosen topics in a community, or in one of its groups.
// Its signing secrets are stored in clear (HMAC needs them) but never read
// back through the API: each is shown once, when created or rotated.
type WebhookEndpoint struct{ ent.Schema }

// Mixin of the WebhookEndpoint.
func (WebhookEndpoint) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix("whe"), TimeMixin{}}
}

// Fields of the WebhookEndpoint.
func (WebhookEndpoint) Fields() []ent.Field {
	return []ent.Field{
		fkField("community_id", "The community whose changes it receives.").Immutable().Field(),
		fkField("group_id", "The one group whose changes it receives; empty for the whole community.").Optional().Immutable().Field(),
		fkField("owner_id", "The person who registered it, told when it is disabled.").Immutable().Field(),
		field.String("url").Validate(runeLen(1, 2000)).Comment("Where deliveries are POSTed: an https URL."),
		// Stored as the change log's topics (application, role, ...); the API
		// shows the WebhookTopic enum through a field resolver.
		field.Strings("topics").Comment("The change-log topics it receives.").
			Annotations(entgql.Type("[WebhookTopic!]")),
		field.String("description").Optional().Validate(runeLen(0, 500)).Comment("What the endpoint is for."),
		field.Enum("status").Values("ACTIVE", "DISABLED").Default("ACTIVE").
			Annotations(valueDocs{
				"ACTIVE":   "Receives deliveries.",
				"DISABLED": "Receives nothing until re-enabled (updateWebhookEndpoint); disabledReason says why.",
			}).Comment("Whether it receives deliveries."),
		field.String("disabled_reason").Optional().Comment("Why it was disabled; empty while active."),
		field.Time("disabled_at").Optional().Nillable().Comment("When it was disabled."),
		field.String("secret").Sensitive().Comment("The current signing secret (whsec_…); shown once.").
			Annotations(entgql.Skip()),
		field.String("previous_secret").Optional().Sensitive().
			Comment("The secret before the last rotation, still signing until previous_secret_expires_at.").
			Annotations(entgql.Skip()),
		field.Time("previous_secret_expires_at").Optional().Nillable().
			Comment("Until when deliveries are also signed with the previous secret, after a rotation; null when only one secret signs."),
		field.Int("consecutive_failures").Default(0).NonNegative().
			Comment("Deliveries that failed in a row (retries exhausted or refused); reset by a success."),
	}
}

// Edges of the WebhookEndpoint.
func (WebhookEndpoint) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("community", Community.Type).Field("community_id").Unique().Required().Immutable().
			Comment("The community whose changes it receives."),
		edge.To("group", Group.Type).Field("group_id").Unique().Immutable().
			Comment("The one group whose changes it receives; null for the whole community."),
		edge.To("owner", User.Type).Field("owner_id").Unique().Required().Immutable().
			Comment("The person who registered it."),
		edge.To("deliveries", WebhookDelivery.Type).Annotations(entgql.Skip()).
			Comment("Its deliveries (see webhookDeliveries)."),
	}
}

// Indexes of the WebhookEndpoint.
func (WebhookEndpoint) Indexes() []ent.Index {
	return []ent.Index{index.Fields("community_id", "status")}
}

// Annotations of the WebhookEndpoint.
func (WebhookEndpoint) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A URL that receives signed webhooks (Standard Webhooks) for changes in a community or one of its groups; visible to the community's staff and, for a group's endpoint, its organizers."),
		entgql.Skip(entgql.SkipWhereInput, entgql.SkipOrderField, entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput),
	}
}

// Policy of the WebhookEndpoint (see internal/authz).
func (WebhookEndpoint) Policy() ent.Policy { return authz.WebhookEndpointPolicy() }
