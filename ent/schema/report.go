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
// title, spam), for staff and the reporter only (see authz.ReportPolicy).
type Report struct{ ent.Schema }

// Mixin of the Report.
func (Report) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix("rpt"), TimeMixin{}}
}

// Fields of the Report.
func (Report) Fields() []ent.Field {
	return []ent.Field{
		fkField("community_id", "The community whose staff handle it.").Immutable().Field(),
		fkField("reporter_id", "Who reported.").Immutable().Field(),
		fkField("subject_user_id", "The person reported, if any.").Optional().Immutable().Field(),
		fkField("group_id", "The group concerned, if any.").Optional().Immutable().Field(),
		fkField("event_id", "The event concerned, if any.").Optional().Immutable().Field(),
		field.Enum("kind").Values("CODE_OF_CONDUCT", "TITLE_MISUSE", "SPAM", "OTHER").
			Annotations(valueDocs{
				"CODE_OF_CONDUCT": "A breach of the code of conduct.",
				"TITLE_MISUSE":    "Misuse of a title such as official group or ambassador.",
				"SPAM":            "Spam.",
				"OTHER":           "Anything else.",
			}).Comment("What is reported.").
			Annotations(entgql.OrderField("KIND")),
		field.Text("description").Validate(runeLen(10, 20000)).Comment("What happened."),
		field.Enum("status").Values("OPEN", "INVESTIGATING", "RESOLVED", "DISMISSED").
			Annotations(valueDocs{
				"OPEN":          "Received; nobody handles it yet.",
				"INVESTIGATING": "Being looked into.",
				"RESOLVED":      "Handled; the resolution says how.",
				"DISMISSED":     "Closed without action.",
			}).Default("OPEN").
			Comment("Handling status."),
		field.Text("resolution").Optional().Validate(runeLen(1, 5000)).Comment("What was done."),
	}
}

// Edges of the Report.
func (Report) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("community", Community.Type).Field("community_id").Unique().Required().Immutable().
			Comment("The community whose staff handle it."),
		edge.To("reporter", User.Type).Field("reporter_id").Unique().Required().Immutable().Comment("Who reported."),
		edge.To("subject_user", User.Type).Field("subject_user_id").Unique().Immutable().Comment("The person reported."),
		edge.To("group", Group.Type).Field("group_id").Unique().Immutable().Comment("The group concerned."),
		edge.To("event", Event.Type).Field("event_id").Unique().Immutable().Comment("The event concerned."),
	}
}

// Indexes of the Report.
func (Report) Indexes() []ent.Index {
	return []ent.Index{index.Fields("community_id", "status", "created_at"), index.Fields("reporter_id")}
}

// Annotations of the Report.
func (Report) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A confidential report (code of conduct, misuse of the ambassador title, spam), for the reporter and the community's staff only."),
		entgql.RelayConnection(), entgql.QueryField().Description("Reports the viewer may see: their own, and all of a community they manage."),
		entgql.MultiOrder(),
	}
}

// Policy of the Report (see internal/authz).
func (Report) Policy() ent.Policy { return authz.ReportPolicy() }
