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

// Submission is something a group or ambassador sends to the community:
// attendee feedback for developers, a newsletter item, a regional report.
type Submission struct{ ent.Schema }

// Mixin of the Submission.
func (Submission) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix("sub"), TimeMixin{}}
}

// Fields of the Submission.
func (Submission) Fields() []ent.Field {
	return []ent.Field{
		fkField("community_id", "The community it is sent to.").Immutable().Field(),
		fkField("author_id", "Who sent it.").Immutable().Field(),
		fkField("group_id", "The group it comes from, if any.").Optional().Immutable().Field(),
		fkField("region_id", "The region it reports on, if any.").Optional().Immutable().Field(),
		field.Enum("kind").Values("ATTENDEE_FEEDBACK", "NEWSLETTER_ITEM", "ACTIVITY_REPORT").
			Annotations(valueDocs{
				"ATTENDEE_FEEDBACK": "Feedback from an event's attendees.",
				"NEWSLETTER_ITEM":   "An item for the community newsletter.",
				"ACTIVITY_REPORT":   "A report on a group's or region's activity.",
			}).Immutable().
			Comment("What is sent."),
		field.String("title").Validate(runeLen(3, 200)).Comment("Subject line."),
		field.Text("body").Validate(runeLen(1, 50000)).Comment("The content."),
		field.Enum("status").Values("SUBMITTED", "ACKNOWLEDGED", "PUBLISHED").
			Annotations(valueDocs{
				"SUBMITTED":    "Sent; not yet read.",
				"ACKNOWLEDGED": "Read by the community.",
				"PUBLISHED":    "Published by the community.",
			}).Default("SUBMITTED").
			Comment("Handling status."),
	}
}

// Edges of the Submission.
func (Submission) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("community", Community.Type).Field("community_id").Unique().Required().Immutable().Comment("The community it is sent to."),
		edge.To("author", User.Type).Field("author_id").Unique().Required().Immutable().Comment("Who sent it."),
		edge.To("group", Group.Type).Field("group_id").Unique().Immutable().Comment("The group it comes from."),
		edge.To("region", Region.Type).Field("region_id").Unique().Immutable().Comment("The region it reports on."),
	}
}

// Indexes of the Submission.
func (Submission) Indexes() []ent.Index {
	return []ent.Index{index.Fields("community_id", "kind", "created_at")}
}

// Annotations of the Submission.
func (Submission) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("Feedback, a newsletter item or an activity report sent to the community."),
		// No field lists submissions as a connection yet: without one, a
		// connection type and an ordering input would be published unused
		// (graphql-schema-linter: defined-types-are-used).
		entgql.Skip(entgql.SkipOrderField),
	}
}

// Policy of the Submission (see internal/authz).
func (Submission) Policy() ent.Policy { return authz.SubmissionPolicy() }
