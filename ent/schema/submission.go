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
	"github.com/usergroups/usergroups/ent/schematype"
)

// Submission is something a group or ambassador sends to the community:
// attendee feedback for developers, a newsletter item, an activity report.
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
		fkField("event_id", "The event feedback was heard at, if any.").Optional().Immutable().Field(),
		fkField("request_id", "The activity report request an ACTIVITY_REPORT answers, if any.").Optional().Immutable().Field(),
		fkField("decided_by_id", "Who last triaged, accepted or declined it.").Optional().Field(),
		field.Enum("kind").Values("ATTENDEE_FEEDBACK", "NEWSLETTER_ITEM", "ACTIVITY_REPORT").
			Annotations(valueDocs{
				"ATTENDEE_FEEDBACK": "Feedback heard from attendees, for the developers.",
				"NEWSLETTER_ITEM":   "An item proposed for the community newsletter.",
				"ACTIVITY_REPORT":   "A report on a group's or region's activity.",
			}).Immutable().
			Comment("What is sent.").Annotations(entgql.OrderField("KIND")),
		field.String("title").Validate(runeLen(3, 200)).Comment("Subject line."),
		field.Text("body").Validate(runeLen(1, 50000)).Comment("The content."),
		field.Enum("status").Values("SUBMITTED", "ACKNOWLEDGED", "FORWARDED", "DELIVERED", "ACCEPTED", "DECLINED").
			Annotations(valueDocs{
				"SUBMITTED":    "Sent; nobody has triaged it yet.",
				"ACKNOWLEDGED": "Read and triaged by staff or an ambassador.",
				"FORWARDED":    "Feedback forwarded to the developers (webhook or export).",
				"DELIVERED":    "Feedback marked as delivered to the developers.",
				"ACCEPTED":     "A newsletter item accepted into an issue.",
				"DECLINED":     "Declined; the reason says why.",
			}).Default("SUBMITTED").
			Comment("Handling status.").Annotations(entgql.OrderField("STATUS")),
		field.String("project_area").Optional().Validate(runeLen(1, 100)).
			Comment("For feedback: the project area it concerns, e.g. \"networking\"."),
		field.JSON("links", []schematype.Link{}).Optional().Comment("Links backing it up."),
		field.String("newsletter_issue").Optional().Validate(runeLen(1, 40)).
			Comment("For an accepted newsletter item: the issue it goes into, e.g. \"2026-12\".").
			Annotations(entgql.OrderField("NEWSLETTER_ISSUE")),
		field.Int("newsletter_position").Optional().Nillable().Min(1).
			Comment("For an accepted newsletter item: its place in the issue, from 1."),
		field.Int("events_count").Optional().Nillable().NonNegative().Comment("For an activity report: events held in the period."),
		field.Int("attendees_count").Optional().Nillable().NonNegative().Comment("For an activity report: attendees checked in over the period."),
		field.Int("new_members_count").Optional().Nillable().NonNegative().Comment("For an activity report: members who joined in the period."),
		field.Text("decline_reason").Optional().Validate(runeLen(1, 2000)).Comment("Why it was declined."),
		field.Time("decided_at").Optional().Nillable().Comment("When it was last triaged, accepted or declined."),
		field.Time("forwarded_at").Optional().Nillable().Comment("When feedback was forwarded to the developers."),
		field.Time("delivered_at").Optional().Nillable().Comment("When feedback was marked delivered to the developers."),
	}
}

// Edges of the Submission.
func (Submission) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("community", Community.Type).Field("community_id").Unique().Required().Immutable().Comment("The community it is sent to."),
		edge.To("author", User.Type).Field("author_id").Unique().Required().Immutable().Comment("Who sent it."),
		edge.To("group", Group.Type).Field("group_id").Unique().Immutable().Comment("The group it comes from."),
		edge.To("region", Region.Type).Field("region_id").Unique().Immutable().Comment("The region it reports on."),
		edge.To("event", Event.Type).Field("event_id").Unique().Immutable().Comment("The event feedback was heard at."),
		edge.From("request", ActivityRequest.Type).Ref("answers").Field("request_id").Unique().Immutable().
			Comment("The activity report request it answers."),
		edge.To("decided_by", User.Type).Field("decided_by_id").Unique().Comment("Who last triaged, accepted or declined it."),
	}
}

// Indexes of the Submission.
func (Submission) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("community_id", "kind", "created_at"),
		index.Fields("community_id", "newsletter_issue", "newsletter_position").Unique(),
		index.Fields("request_id", "group_id").Unique(),
	}
}

// Annotations of the Submission.
func (Submission) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("Feedback for the developers, a newsletter item or an activity report sent to the community."),
		entgql.RelayConnection(), entgql.QueryField().Description("Submissions the viewer may see: their own, their groups', and all of a community they manage."),
		entgql.MultiOrder(),
		entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput),
	}
}

// Policy of the Submission (see internal/authz).
func (Submission) Policy() ent.Policy { return authz.SubmissionPolicy() }
