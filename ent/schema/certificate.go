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

// Certificate is a membership or award certificate. What it states is kept
// as issued (the holder's name then, the group's name then), so the PDF and
// its public verification say the same thing years later.
type Certificate struct{ ent.Schema }

// Mixin of the Certificate.
func (Certificate) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix("crt"), TimeMixin{}}
}

// Fields of the Certificate.
func (Certificate) Fields() []ent.Field {
	return []ent.Field{
		fkField("community_id", "The community issuing it.").Immutable().Field(),
		fkField("user_id", "Whose certificate it is.").Immutable().Field(),
		fkField("group_id", "The group named on it.").Optional().Immutable().Field(),
		fkField("role_id", "The membership it certifies.").Optional().Immutable().Field(),
		fkField("award_id", "The award it certifies.").Optional().Immutable().Field(),
		field.Enum("kind").Values("MEMBERSHIP", "AWARD").Immutable().
			Annotations(valueDocs{
				"MEMBERSHIP": "Membership of a user group, issued on joining.",
				"AWARD":      "An award of the annual selection, issued when it is decided.",
			}).
			Comment("What it certifies."),
		field.String("code").Unique().Immutable().
			Comment("The verification code printed on it; anyone may check it at /certificates/{code}."),
		field.String("holder_name").Immutable().Comment("The holder's name as printed."),
		field.String("community_name").Immutable().Comment("The community's name as printed."),
		field.String("group_name").Optional().Nillable().Immutable().Comment("The group's name as printed."),
		field.String("title").Optional().Nillable().Immutable().Comment("The award as printed (award certificates)."),
		field.Int("year").Optional().Nillable().Immutable().Comment("The year of the award (award certificates)."),
		field.Time("issued_at").Immutable().Comment("When it was issued.").Annotations(entgql.OrderField("ISSUED_AT")),
	}
}

// Edges of the Certificate.
func (Certificate) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("community", Community.Type).Field("community_id").Unique().Required().Immutable().
			Comment("The community issuing it."),
		edge.From("user", User.Type).Ref("certificates").Field("user_id").Unique().Required().Immutable().Comment("Whose certificate it is."),
		edge.To("group", Group.Type).Field("group_id").Unique().Immutable().Comment("The group named on it."),
		edge.To("role", Role.Type).Field("role_id").Unique().Immutable().Comment("The membership it certifies."),
		edge.To("award", Award.Type).Field("award_id").Unique().Immutable().Comment("The award it certifies."),
	}
}

// Indexes of the Certificate.
func (Certificate) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("user_id"),
		index.Fields("role_id").Unique(),
		index.Fields("award_id").Unique(),
	}
}

// Annotations of the Certificate.
func (Certificate) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A membership or award certificate: the holder and the community's staff see it; anyone with its code may verify it."),
		entgql.RelayConnection(),
		entgql.Skip(entgql.SkipWhereInput, entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput),
	}
}

// Policy of the Certificate (see internal/authz).
func (Certificate) Policy() ent.Policy { return authz.CertificatePolicy() }
