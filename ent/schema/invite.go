package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"

	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/authz"
)

// Invite is an organizer's "scan to join" link: a code that lets people join
// a group directly, until it expires or runs out of uses.
type Invite struct{ ent.Schema }

// Mixin of the Invite.
func (Invite) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix("inv"), TimeMixin{}}
}

// Fields of the Invite.
func (Invite) Fields() []ent.Field {
	return []ent.Field{
		fkField("group_id", "The group the invite joins.").Immutable().Private().Field(),
		fkField("created_by_id", "The organizer who made it.").Immutable().Private().Field(),
		field.String("code").Unique().Immutable().Comment("The code to share (in a link or QR code); whoever holds it may join."),
		field.Time("expires_at").Comment("When the invite stops working."),
		field.Int("max_uses").Range(1, 1000).Comment("How many people may join with it."),
		field.Int("uses").Default(0).NonNegative().Comment("How many have joined with it.").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		field.Time("revoked_at").Optional().Nillable().Comment("When an organizer withdrew it."),
	}
}

// Edges of the Invite.
func (Invite) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("group", Group.Type).Ref("invites").Field("group_id").Unique().Required().Immutable().Comment("The group the invite joins."),
		edge.To("created_by", User.Type).Field("created_by_id").Unique().Required().Immutable().Comment("The organizer who made it."),
	}
}

// Policy of the Invite (see internal/authz).
func (Invite) Policy() ent.Policy { return authz.InvitePolicy() }

// Annotations of the Invite.
func (Invite) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A \"scan to join\" invite to a group, visible to its organizers and staff."),
		entgql.Skip(entgql.SkipWhereInput, entgql.SkipOrderField, entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput),
	}
}
