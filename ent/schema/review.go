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

// Review is one entry of an application's timeline.
type Review struct{ ent.Schema }

// Mixin of the Review.
func (Review) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix("rev"), TimeMixin{}, changeLogMixin{topic: "review"}}
}

// Fields of the Review.
func (Review) Fields() []ent.Field {
	return []ent.Field{
		fkField("application_id", "The application reviewed.").Immutable().Field(),
		fkField("author_id", "Who wrote the entry; empty for automatic entries.").Optional().Immutable().Field(),
		field.Enum("kind").
			Values("COMMENT", "INFO_REQUEST", "OBJECTION", "ENDORSEMENT", "APPROVAL", "STATUS_CHANGE").
			Annotations(valueDocs{
				"COMMENT":       "A reviewer's comment.",
				"INFO_REQUEST":  "A request for more information from the applicant.",
				"OBJECTION":     "An objection; while open it blocks approval.",
				"ENDORSEMENT":   "A reviewer's or member's support (for funding: the region's ambassador).",
				"APPROVAL":      "A staff member's approval where the policy asks for two (four eyes); the second decides.",
				"STATUS_CHANGE": "An automatic entry recording a change of status.",
			}).
			Immutable().
			Comment("What kind of entry this is; an open OBJECTION blocks approval.").
			Annotations(entgql.OrderField("KIND")),
		field.Text("body").Optional().Validate(runeLen(1, 10000)).Comment("The text of the entry."),
		field.String("from_status").Optional().Immutable().Comment("For a status change: the status before."),
		field.String("to_status").Optional().Immutable().Comment("For a status change: the status after."),
		field.Time("resolved_at").Optional().Nillable().Comment("When an objection was resolved."),
		fkField("resolved_by_id", "Who resolved an objection.").Optional().Field(),
	}
}

// Edges of the Review.
func (Review) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("application", Application.Type).Ref("reviews").Field("application_id").Unique().Required().Immutable().
			Comment("The application reviewed."),
		edge.To("author", User.Type).Field("author_id").Unique().Immutable().Comment("Who wrote the entry."),
		edge.To("resolved_by", User.Type).Field("resolved_by_id").Unique().Comment("Who resolved an objection."),
	}
}

// Indexes of the Review.
func (Review) Indexes() []ent.Index {
	return []ent.Index{index.Fields("application_id", "created_at")}
}

// Annotations of the Review.
func (Review) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("An entry in an application's review timeline: comment, info request, objection, endorsement or status change."),
		entgql.RelayConnection(), entgql.MultiOrder(),
	}
}

// Policy of the Review (see internal/authz).
func (Review) Policy() ent.Policy { return authz.ReviewPolicy() }
