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

// ReportReply is one message on a report's thread between the community's
// staff and the reporter (who may be anonymous, reading by follow-up code).
type ReportReply struct{ ent.Schema }

// Mixin of the ReportReply.
func (ReportReply) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix("rrp"), TimeMixin{}}
}

// Fields of the ReportReply.
func (ReportReply) Fields() []ent.Field {
	return []ent.Field{
		fkField("report_id", "The report replied on.").Immutable().Field(),
		fkField("author_id", "Who wrote it; empty for an anonymous reporter.").Optional().Immutable().Field(),
		field.Bool("from_staff").Immutable().Comment("Written by the community's staff rather than the reporter."),
		field.Text("body").Validate(runeLen(1, 10000)).Immutable().Comment("The text."),
	}
}

// Edges of the ReportReply.
func (ReportReply) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("report", Report.Type).Ref("replies").Field("report_id").Unique().Required().Immutable().
			Comment("The report replied on."),
		edge.To("author", User.Type).Field("author_id").Unique().Immutable().Comment("Who wrote it; null for an anonymous reporter."),
	}
}

// Indexes of the ReportReply.
func (ReportReply) Indexes() []ent.Index {
	return []ent.Index{index.Fields("report_id", "created_at")}
}

// Annotations of the ReportReply.
func (ReportReply) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A message on a report between the community's staff and the reporter."),
		entgql.Skip(entgql.SkipWhereInput, entgql.SkipOrderField, entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput),
	}
}

// Policy of the ReportReply (see internal/authz).
func (ReportReply) Policy() ent.Policy { return authz.ReportReplyPolicy() }
