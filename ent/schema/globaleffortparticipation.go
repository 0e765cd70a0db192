package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/index"
	"github.com/usergroups/usergroups/internal/authz"

	"github.com/usergroups/usergroups/ent/schema/pulid"
)

// GlobalEffortParticipation records that a group opted in to a global effort.
type GlobalEffortParticipation struct{ ent.Schema }

// Mixin of the GlobalEffortParticipation.
func (GlobalEffortParticipation) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix("gep"), TimeMixin{}}
}

// Fields of the GlobalEffortParticipation.
func (GlobalEffortParticipation) Fields() []ent.Field {
	return []ent.Field{
		fkField("effort_id", "The effort joined.").Immutable().Field(),
		fkField("group_id", "The group that joined.").Immutable().Field(),
		fkField("opted_in_by_id", "The organizer who opted the group in.").Immutable().Field(),
	}
}

// Edges of the GlobalEffortParticipation.
func (GlobalEffortParticipation) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("effort", GlobalEffort.Type).Ref("participations").Field("effort_id").Unique().Required().Immutable().
			Comment("The effort joined."),
		edge.To("group", Group.Type).Field("group_id").Unique().Required().Immutable().Comment("The group that joined."),
		edge.To("opted_in_by", User.Type).Field("opted_in_by_id").Unique().Required().Immutable().
			Comment("The organizer who opted the group in."),
	}
}

// Indexes of the GlobalEffortParticipation.
func (GlobalEffortParticipation) Indexes() []ent.Index {
	return []ent.Index{index.Fields("effort_id", "group_id").Unique(), index.Fields("group_id")}
}

// Annotations of the GlobalEffortParticipation.
func (GlobalEffortParticipation) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A group taking part in a global effort. Public."),
		entgql.Skip(entgql.SkipWhereInput, entgql.SkipOrderField, entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput),
	}
}

// Policy of the GlobalEffortParticipation (see internal/authz).
func (GlobalEffortParticipation) Policy() ent.Policy { return authz.GlobalEffortParticipationPolicy() }
