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

// ServiceAccount is a tool's own identity in a community, or in one of its
// groups: it holds API tokens and acts, within their scopes, with the
// authority of its reach (the community's staff, or the group's
// organizers), never with a person's roles. Its actions are recorded as
// those of its own user, so the change log names the tool, not a person.
type ServiceAccount struct{ ent.Schema }

// Mixin of the ServiceAccount.
func (ServiceAccount) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix("sva"), TimeMixin{}}
}

// Fields of the ServiceAccount.
func (ServiceAccount) Fields() []ent.Field {
	return []ent.Field{
		fkField("community_id", "The community it belongs to.").Immutable().Field(),
		fkField("group_id", "The one group it reaches; empty for the whole community.").Optional().Immutable().Field(),
		fkField("owner_id", "The person answerable for the tool.").Field(),
		fkField("user_id", "The account's own user: the actor of what its tokens do.").Immutable().Field(),
		field.String("name").Validate(runeLen(1, 100)).Comment("The tool's name, e.g. \"website sync\"."),
		field.String("purpose").Validate(runeLen(1, 500)).Comment("What the tool does with its access."),
		field.Time("deactivated_at").Optional().Nillable().
			Comment("When it was deactivated: its tokens were revoked and no new one is issued."),
	}
}

// Edges of the ServiceAccount.
func (ServiceAccount) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("community", Community.Type).Field("community_id").Unique().Required().Immutable().
			Comment("The community it belongs to."),
		edge.To("group", Group.Type).Field("group_id").Unique().Immutable().
			Comment("The one group it reaches; null for the whole community."),
		edge.To("owner", User.Type).Field("owner_id").Unique().Required().
			Comment("The person answerable for the tool."),
		edge.To("user", User.Type).Field("user_id").Unique().Required().Immutable().
			Comment("The account's own user, which the change log names as the actor of what its tokens do."),
		edge.To("tokens", APIToken.Type).Annotations(entgql.RelayConnection()).
			Comment("Its API tokens, revoked and expired ones included."),
	}
}

// Indexes of the ServiceAccount.
func (ServiceAccount) Indexes() []ent.Index {
	return []ent.Index{index.Fields("community_id"), index.Fields("user_id").Unique()}
}

// Annotations of the ServiceAccount.
func (ServiceAccount) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A tool's own identity in a community or one of its groups, holding API tokens; visible to the community's staff, the group's organizers for a group's account, and its owner, signed in."),
		entgql.Skip(entgql.SkipWhereInput, entgql.SkipOrderField, entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput),
	}
}

// Policy of the ServiceAccount (see internal/authz).
func (ServiceAccount) Policy() ent.Policy { return authz.ServiceAccountPolicy() }
