package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"github.com/usergroups/usergroups/ent/schematype"

	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/authz"
)

// WebhookDelivery is one change sent to one endpoint: the message (its id
// is the webhook-id every attempt repeats, so receivers can deduplicate),
// and the outcome of its attempts.
type WebhookDelivery struct{ ent.Schema }

// Mixin of the WebhookDelivery.
func (WebhookDelivery) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix("whd"), TimeMixin{}}
}

// Fields of the WebhookDelivery.
func (WebhookDelivery) Fields() []ent.Field {
	return []ent.Field{
		fkField("endpoint_id", "The endpoint it goes to.").Immutable().Field(),
		// Copied from the endpoint so the read rule needs no join.
		fkField("community_id", "The endpoint's community.").Immutable().Private().Field(),
		fkField("group_id", "The endpoint's group, if any.").Optional().Immutable().Private().Field(),
		field.Int64("change_id").Immutable().Comment("The change-log sequence number it announces."),
		field.String("event_type").Immutable().Comment("The payload's type, e.g. application.updated."),
		field.Text("payload").Immutable().Comment("The JSON body sent, byte for byte (it is what is signed)."),
		field.Enum("status").Values("PENDING", "SUCCEEDED", "FAILED").Default("PENDING").
			Annotations(valueDocs{
				"PENDING":   "Waiting for its next attempt.",
				"SUCCEEDED": "The endpoint answered 2xx.",
				"FAILED":    "Refused by the endpoint, out of attempts, or its endpoint disabled; redeliverWebhook tries again.",
			}).Comment("Where the delivery stands."),
		field.Int("attempts").Default(0).NonNegative().Comment("HTTP attempts made so far, redeliveries included."),
		field.Int("redeliveries").Default(0).NonNegative().Comment("How many times it was redelivered by hand."),
		field.Int("last_status_code").Optional().Nillable().Comment("The HTTP status of the last attempt; null if none was received."),
		field.String("last_error").Optional().Comment("Why the last attempt failed; empty after a success."),
		field.String("response_body").Optional().MaxLen(1024).Comment("The first KiB of the last response's body."),
		field.JSON("attempt_log", []schematype.WebhookAttempt{}).Optional().
			Comment("Its attempts, oldest first (the latest 40 are kept): when, the HTTP status, why it failed.").
			Annotations(entgql.Type("[WebhookAttempt!]"), entgql.Skip(entgql.SkipWhereInput, entgql.SkipOrderField)),
		field.Time("last_attempt_at").Optional().Nillable().Comment("When the last attempt was made."),
		field.Time("next_attempt_at").Optional().Nillable().Comment("When the next attempt is due, while pending."),
		field.Time("delivered_at").Optional().Nillable().Comment("When the endpoint accepted it."),
	}
}

// Edges of the WebhookDelivery.
func (WebhookDelivery) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("endpoint", WebhookEndpoint.Type).Ref("deliveries").Field("endpoint_id").Unique().Required().Immutable().
			Comment("The endpoint it goes to."),
	}
}

// Indexes of the WebhookDelivery.
func (WebhookDelivery) Indexes() []ent.Index {
	return []ent.Index{
		// One delivery per endpoint and change: a retried fan-out adds none.
		index.Fields("endpoint_id", "change_id").Unique(),
		index.Fields("endpoint_id", "status", "created_at"),
	}
}

// Annotations of the WebhookDelivery.
func (WebhookDelivery) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("One change sent to one webhook endpoint, with the outcome of its attempts; visible with its endpoint."),
		entgql.RelayConnection(),
		entgql.Skip(entgql.SkipWhereInput, entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput),
	}
}

// Policy of the WebhookDelivery (see internal/authz).
func (WebhookDelivery) Policy() ent.Policy { return authz.WebhookDeliveryPolicy() }
