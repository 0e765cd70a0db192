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

// Report is a confidential report (code of conduct, misuse of the ambassador
// title, harassment, spam), for the community's staff and the reporter only
// (see authz.ReportPolicy). It has no change-log mixin on purpose: a report
// never appears in changes, feeds or subscriptions.
type Report struct{ ent.Schema }

// Mixin of the Report.
func (Report) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix("rpt"), TimeMixin{}}
}

// Fields of the Report.
func (Report) Fields() []ent.Field {
	return []ent.Field{
		fkField("community_id", "The community whose staff handle it.").Immutable().Field(),
		fkField("reporter_id", "Who reported; empty for an anonymous report.").Optional().Immutable().Field(),
		fkField("subject_user_id", "The person reported, if any.").Optional().Immutable().Field(),
		fkField("group_id", "The group concerned, if any.").Optional().Immutable().Field(),
		fkField("event_id", "The event concerned, if any.").Optional().Immutable().Field(),
		fkField("contact_message_id", "The relayed message reported as harassment, if any.").Optional().Immutable().Field(),
		fkField("closed_by_id", "The staff member who closed it.").Optional().Field(),
		field.Enum("kind").Values("CODE_OF_CONDUCT", "TITLE_MISUSE", "HARASSMENT", "SPAM", "OTHER").
			Annotations(valueDocs{
				"CODE_OF_CONDUCT": "An incident at a group or event that breaks the code of conduct.",
				"TITLE_MISUSE":    "Misuse of a title such as ambassador or official group.",
				"HARASSMENT":      "Harassment, e.g. through a relayed contact message.",
				"SPAM":            "Spam.",
				"OTHER":           "Anything else.",
			}).Immutable().Comment("What is reported.").
			Annotations(entgql.OrderField("KIND")),
		field.Text("description").Validate(runeLen(10, 20000)).Immutable().Comment("What happened, in the reporter's words."),
		field.Time("occurred_at").Optional().Nillable().Immutable().Comment("When it happened, as the reporter gives it."),
		field.Enum("status").Values("RECEIVED", "INVESTIGATING", "ACTION_TAKEN", "NO_ACTION").
			Annotations(valueDocs{
				"RECEIVED":      "Filed; nobody has taken it up yet.",
				"INVESTIGATING": "Staff are looking into it.",
				"ACTION_TAKEN":  "Closed with an action; the resolution says which.",
				"NO_ACTION":     "Closed without action; the resolution says why.",
			}).Default("RECEIVED").
			Comment("Triage status: RECEIVED, then INVESTIGATING, then ACTION_TAKEN or NO_ACTION.").
			Annotations(entgql.OrderField("STATUS")),
		field.Time("respond_by").Optional().Nillable().Immutable().
			Comment("When staff should have responded, from the community's response target; empty when it sets none."),
		field.Time("responded_at").Optional().Nillable().Comment("When staff first responded (took it up or replied)."),
		field.Time("closed_at").Optional().Nillable().Comment("When it was closed."),
		field.Text("resolution").Optional().Validate(runeLen(1, 5000)).Comment("What was done, or why nothing was."),
		field.String("follow_up_code_hash").Optional().Nillable().Unique().Immutable().Sensitive().
			Comment("Hash of the code an anonymous reporter reads replies with; the code itself is shown once.").
			Annotations(entgql.Skip()),
		field.String("source_hash").Optional().Immutable().Sensitive().
			Comment("Keyed hash of an anonymous reporter's network address, only to rate-limit anonymous reports.").
			Annotations(entgql.Skip()),
	}
}

// Edges of the Report.
func (Report) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("community", Community.Type).Field("community_id").Unique().Required().Immutable().
			Comment("The community whose staff handle it."),
		edge.To("reporter", User.Type).Field("reporter_id").Unique().Immutable().Comment("Who reported; null for an anonymous report."),
		edge.To("subject_user", User.Type).Field("subject_user_id").Unique().Immutable().Comment("The person reported."),
		edge.To("group", Group.Type).Field("group_id").Unique().Immutable().Comment("The group concerned."),
		edge.To("event", Event.Type).Field("event_id").Unique().Immutable().Comment("The event concerned."),
		edge.To("contact_message", ContactMessage.Type).Field("contact_message_id").Unique().Immutable().
			Comment("The relayed message reported."),
		edge.To("closed_by", User.Type).Field("closed_by_id").Unique().Comment("The staff member who closed it."),
		edge.To("replies", ReportReply.Type).Comment("Replies between staff and the reporter, oldest first."),
		edge.From("actions", Role.Type).Ref("report").Comment("Roles revoked on account of this report."),
	}
}

// Indexes of the Report.
func (Report) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("community_id", "status", "created_at"), index.Fields("reporter_id"),
		index.Fields("source_hash", "created_at"),
	}
}

// Annotations of the Report.
func (Report) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A confidential report (code of conduct, misuse of the ambassador title, harassment, spam), for the reporter and the community's staff only."),
		entgql.RelayConnection(), entgql.QueryField().Description("Reports the viewer may see: their own, and all of a community they manage, except one about themselves."),
		entgql.MultiOrder(),
		entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput),
	}
}

// Policy of the Report (see internal/authz).
func (Report) Policy() ent.Policy { return authz.ReportPolicy() }
