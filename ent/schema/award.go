package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"github.com/usergroups/usergroups/internal/authz"

	"github.com/usergroups/usergroups/ent/schema/pulid"
)

// Award is a yearly recognition, such as outstanding member of a year.
type Award struct{ ent.Schema }

// Mixin of the Award.
func (Award) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix("awd"), TimeMixin{}}
}

// Fields of the Award.
func (Award) Fields() []ent.Field {
	return []ent.Field{
		fkField("community_id", "The community giving the award.").Immutable().Field(),
		fkField("user_id", "Who is recognised.").Immutable().Field(),
		fkField("group_id", "The recipient's group, if any.").Optional().Field(),
		fkField("selection_id", "The selection that decided it; empty for awards recorded before selections.").Optional().Immutable().Field(),
		field.String("category").Optional().Immutable().Validate(runeLen(0, 40)).
			Comment("The category of the community's policy it was given in, e.g. OUTSTANDING_MEMBER."),
		field.Int("points").Default(0).NonNegative().Immutable().Comment("The person's points in the year's tally when it was decided."),
		field.Int("year").Range(2000, 2200).Comment("The year recognised.").Annotations(entgql.OrderField("YEAR")),
		field.String("title").Validate(runeLen(2, 200)).Comment("The award, e.g. \"Outstanding member\".").Annotations(entgql.OrderField("TITLE")),
		field.Int("rank").Min(1).Comment("Place in the year's tally, 1 first.").Annotations(entgql.OrderField("RANK")),
		longText("citation", 5000, "Why the person is recognised."),
	}
}

// Edges of the Award.
func (Award) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("community", Community.Type).Ref("awards").Field("community_id").Unique().Required().Immutable().
			Comment("The community giving the award."),
		edge.From("user", User.Type).Ref("awards").Field("user_id").Unique().Required().Immutable().
			Comment("Who is recognised."),
		edge.To("group", Group.Type).Field("group_id").Unique().Comment("The recipient's group."),
		edge.From("selection", AwardSelection.Type).Ref("awards").Field("selection_id").Unique().Immutable().
			Comment("The selection that decided it."),
	}
}

// Indexes of the Award.
func (Award) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("community_id", "year", "title", "user_id").Unique(),
	}
}

// Annotations of the Award.
func (Award) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A yearly recognition of a member, with rank and citation."),
		entgql.RelayConnection(), entgql.MultiOrder(),
	}
}

// Policy of the Award (see internal/authz).
func (Award) Policy() ent.Policy { return authz.AwardPolicy() }
