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

// ActivityRequest is an ambassador asking the groups of their region for a
// quick report on their activities by a due date; each group's organizers
// answer with a Submission of kind ACTIVITY_REPORT.
type ActivityRequest struct{ ent.Schema }

// Mixin of the ActivityRequest.
func (ActivityRequest) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix("arq"), TimeMixin{}}
}

// Fields of the ActivityRequest.
func (ActivityRequest) Fields() []ent.Field {
	return []ent.Field{
		fkField("community_id", "The community of the region.").Immutable().Field(),
		fkField("region_id", "The region whose groups are asked.").Immutable().Field(),
		fkField("requested_by_id", "The ambassador (or staff member) asking.").Immutable().Field(),
		field.String("title").Validate(runeLen(3, 200)).Comment("What is asked for, e.g. \"Activities in the fourth quarter\"."),
		longText("message", 5000, "The request in the asker's words."),
		field.Time("period_start").Comment("Start of the period the report covers; figures are prefilled from it."),
		field.Time("period_end").Comment("End of the period the report covers."),
		field.Time("due_at").Comment("When answers are due.").Annotations(entgql.OrderField("DUE_AT")),
	}
}

// Edges of the ActivityRequest.
func (ActivityRequest) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("community", Community.Type).Field("community_id").Unique().Required().Immutable().Comment("The community of the region."),
		edge.To("region", Region.Type).Field("region_id").Unique().Required().Immutable().Comment("The region whose groups are asked."),
		edge.To("requested_by", User.Type).Field("requested_by_id").Unique().Required().Immutable().Comment("Who asks."),
		edge.To("answers", Submission.Type).Comment("The groups' answers (ACTIVITY_REPORT submissions)."),
	}
}

// Indexes of the ActivityRequest.
func (ActivityRequest) Indexes() []ent.Index {
	return []ent.Index{index.Fields("region_id", "due_at"), index.Fields("community_id", "due_at")}
}

// Annotations of the ActivityRequest.
func (ActivityRequest) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A request to the groups of a region for a quick report on their activities, with a due date."),
		entgql.RelayConnection(), entgql.QueryField().Description("Activity report requests the viewer may see: those they asked, their community's, their region's, and those to the groups they organize."),
		entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput),
	}
}

// Policy of the ActivityRequest (see internal/authz).
func (ActivityRequest) Policy() ent.Policy { return authz.ActivityRequestPolicy() }
