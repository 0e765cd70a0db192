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

// AwardNomination is an organizer putting a member of their group forward
// for an award category in a year's selection.
type AwardNomination struct{ ent.Schema }

// Mixin of the AwardNomination.
func (AwardNomination) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix("nom"), TimeMixin{}}
}

// Fields of the AwardNomination.
func (AwardNomination) Fields() []ent.Field {
	return []ent.Field{
		fkField("selection_id", "The selection nominated into.").Immutable().Field(),
		fkField("community_id", "The community selecting.").Immutable().Field(),
		fkField("group_id", "The nominee's group.").Immutable().Field(),
		fkField("user_id", "The member nominated.").Immutable().Field(),
		fkField("nominated_by_id", "The organizer who nominated.").Immutable().Field(),
		field.String("category").Immutable().Validate(runeLen(1, 40)).
			Comment("The award category of the community's policy, e.g. OUTSTANDING_MEMBER."),
		longText("citation", 2000, "Why the member deserves it, in the organizer's words."),
		field.Enum("status").Values("NOMINATED", "AWARDED", "NOT_AWARDED").Default("NOMINATED").
			Annotations(valueDocs{
				"NOMINATED":   "Waiting for the staff's decision.",
				"AWARDED":     "The member won an award in this category.",
				"NOT_AWARDED": "Decided: no award in this category.",
			}).
			Comment("Where the nomination stands.").Annotations(entgql.OrderField("STATUS")),
	}
}

// Edges of the AwardNomination.
func (AwardNomination) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("selection", AwardSelection.Type).Ref("nominations").Field("selection_id").Unique().Required().Immutable().
			Comment("The selection nominated into."),
		edge.To("community", Community.Type).Field("community_id").Unique().Required().Immutable().
			Comment("The community selecting."),
		edge.To("group", Group.Type).Field("group_id").Unique().Required().Immutable().Comment("The nominee's group."),
		edge.To("user", User.Type).Field("user_id").Unique().Required().Immutable().Comment("The member nominated."),
		edge.To("nominated_by", User.Type).Field("nominated_by_id").Unique().Required().Immutable().
			Comment("The organizer who nominated."),
	}
}

// Indexes of the AwardNomination.
func (AwardNomination) Indexes() []ent.Index {
	return []ent.Index{index.Fields("selection_id", "user_id", "category").Unique()}
}

// Annotations of the AwardNomination.
func (AwardNomination) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A member put forward for an award category by an organizer of their group: visible to staff and the group's organizers and ambassadors."),
		entgql.RelayConnection(),
		entgql.Skip(entgql.SkipWhereInput, entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput),
	}
}

// Policy of the AwardNomination (see internal/authz).
func (AwardNomination) Policy() ent.Policy { return authz.AwardNominationPolicy() }
