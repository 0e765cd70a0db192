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

// AwardSelection is a community's annual outstanding-member selection for
// one year: opened by staff, tallied from verified contributions, nominated
// into by organizers, and decided once.
type AwardSelection struct{ ent.Schema }

// Mixin of the AwardSelection.
func (AwardSelection) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix("sel"), TimeMixin{}}
}

// Fields of the AwardSelection.
func (AwardSelection) Fields() []ent.Field {
	return []ent.Field{
		fkField("community_id", "The community selecting.").Immutable().Field(),
		fkField("opened_by_id", "The staff member who opened it.").Immutable().Field(),
		fkField("decided_by_id", "The staff member who decided the awards.").Optional().Field(),
		field.Int("year").Range(2000, 2200).Immutable().Comment("The year whose contributions are tallied.").
			Annotations(entgql.OrderField("YEAR")),
		field.Enum("status").Values("OPEN", "DECIDED").Default("OPEN").
			Annotations(valueDocs{
				"OPEN":    "Organizers may nominate members of their groups; staff have not decided yet.",
				"DECIDED": "Staff decided the awards; the decision is final.",
			}).
			Comment("Whether nominations are still taken.").Annotations(entgql.OrderField("STATUS")),
		field.Time("nominations_close_at").Optional().Nillable().Comment("When organizers should have nominated by; staff decide after it."),
		field.Time("decided_at").Optional().Nillable().Comment("When the awards were decided."),
		field.Text("tie_break").Optional().Nillable().Validate(runeLen(0, 1000)).
			Comment("Why staff ranked winners the tally ties as they did, when the decision needed it."),
	}
}

// Edges of the AwardSelection.
func (AwardSelection) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("community", Community.Type).Ref("award_selections").Field("community_id").Unique().Required().Immutable().
			Comment("The community selecting."),
		edge.To("opened_by", User.Type).Field("opened_by_id").Unique().Required().Immutable().
			Comment("The staff member who opened it."),
		edge.To("decided_by", User.Type).Field("decided_by_id").Unique().Comment("The staff member who decided the awards."),
		edge.To("nominations", AwardNomination.Type).Comment("Nominations the viewer may see.").
			Annotations(entgql.RelayConnection()),
		edge.To("awards", Award.Type).Comment("The awards it decided.").
			Annotations(entgql.RelayConnection()),
	}
}

// Indexes of the AwardSelection.
func (AwardSelection) Indexes() []ent.Index {
	return []ent.Index{index.Fields("community_id", "year").Unique()}
}

// Annotations of the AwardSelection.
func (AwardSelection) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A community's annual outstanding-member selection for one year."),
		entgql.RelayConnection(), entgql.MultiOrder(),
		entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput),
	}
}

// Policy of the AwardSelection (see internal/authz).
func (AwardSelection) Policy() ent.Policy { return authz.AwardSelectionPolicy() }
