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

// GlobalEffort is a campaign with dates that staff or ambassadors announce to
// the groups in its scope (a region, or the whole community); organizers opt
// their group in.
type GlobalEffort struct{ ent.Schema }

// Mixin of the GlobalEffort.
func (GlobalEffort) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix("gef"), TimeMixin{}}
}

// Fields of the GlobalEffort.
func (GlobalEffort) Fields() []ent.Field {
	return []ent.Field{
		fkField("community_id", "The community running it.").Immutable().Field(),
		fkField("region_id", "The region in scope; empty for every group of the community.").Optional().Immutable().Field(),
		fkField("announced_by_id", "Who announced it.").Immutable().Field(),
		field.String("title").Validate(runeLen(3, 200)).Comment("The campaign's name."),
		longText("description", 5000, "What groups are asked to do."),
		field.String("url").Optional().Validate(runeLen(1, 2000)).Comment("Where to read more."),
		field.Time("starts_at").Comment("When it starts.").Annotations(entgql.OrderField("STARTS_AT")),
		field.Time("ends_at").Comment("When it ends."),
	}
}

// Edges of the GlobalEffort.
func (GlobalEffort) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("community", Community.Type).Field("community_id").Unique().Required().Immutable().Comment("The community running it."),
		edge.To("region", Region.Type).Field("region_id").Unique().Immutable().Comment("The region in scope; null for the whole community."),
		edge.To("announced_by", User.Type).Field("announced_by_id").Unique().Required().Immutable().Comment("Who announced it."),
		edge.To("participations", GlobalEffortParticipation.Type).Comment("The groups that opted in."),
	}
}

// Indexes of the GlobalEffort.
func (GlobalEffort) Indexes() []ent.Index {
	return []ent.Index{index.Fields("community_id", "starts_at")}
}

// Annotations of the GlobalEffort.
func (GlobalEffort) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A campaign with dates announced to the groups in scope; organizers opt their group in. Public."),
		entgql.RelayConnection(), entgql.QueryField().Description("Global efforts announced to groups (public)."),
		entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput),
	}
}

// Policy of the GlobalEffort (see internal/authz).
func (GlobalEffort) Policy() ent.Policy { return authz.GlobalEffortPolicy() }
