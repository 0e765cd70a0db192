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

// Shipment is a parcel a community owes a person: the gift package of an
// award winner, or the souvenir of a new member where the policy gives one.
type Shipment struct{ ent.Schema }

// Mixin of the Shipment.
func (Shipment) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix("shm"), TimeMixin{}}
}

// Fields of the Shipment.
func (Shipment) Fields() []ent.Field {
	return []ent.Field{
		fkField("community_id", "The community sending it.").Immutable().Field(),
		fkField("user_id", "Who receives it.").Immutable().Field(),
		fkField("award_id", "The award it comes with.").Optional().Immutable().Field(),
		fkField("role_id", "The membership it comes with.").Optional().Immutable().Field(),
		fkField("shipped_by_id", "The staff member who sent it.").Optional().Field(),
		field.Enum("kind").Values("GIFT_PACKAGE", "SOUVENIR").Immutable().
			Annotations(valueDocs{
				"GIFT_PACKAGE": "The yearly gift package of an award winner.",
				"SOUVENIR":     "The souvenir a new member receives on joining.",
			}).
			Comment("What is sent.").Annotations(entgql.OrderField("KIND")),
		field.Enum("status").Values("PENDING", "SHIPPED").Default("PENDING").
			Annotations(valueDocs{
				"PENDING": "Owed: waiting to be sent (and, without an address, for the person to give one).",
				"SHIPPED": "Sent; the person was told.",
			}).
			Comment("Whether it was sent.").Annotations(entgql.OrderField("STATUS")),
		field.Time("shipped_at").Optional().Nillable().Comment("When it was sent."),
		field.String("carrier").Optional().Validate(runeLen(0, 100)).Comment("The courier, when known."),
		field.String("tracking_code").Optional().Validate(runeLen(0, 100)).Comment("The courier's tracking code, when known."),
		field.String("dedupe_key").Unique().Immutable().Comment("What it is owed for, so it is owed once.").Annotations(entgql.Skip()),
	}
}

// Edges of the Shipment.
func (Shipment) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("community", Community.Type).Ref("shipments").Field("community_id").Unique().Required().Immutable().
			Comment("The community sending it."),
		edge.From("user", User.Type).Ref("shipments").Field("user_id").Unique().Required().Immutable().Comment("Who receives it."),
		edge.To("award", Award.Type).Field("award_id").Unique().Immutable().Comment("The award it comes with."),
		edge.To("role", Role.Type).Field("role_id").Unique().Immutable().Comment("The membership it comes with."),
		edge.To("shipped_by", User.Type).Field("shipped_by_id").Unique().Comment("The staff member who sent it."),
	}
}

// Indexes of the Shipment.
func (Shipment) Indexes() []ent.Index {
	return []ent.Index{index.Fields("community_id", "status"), index.Fields("user_id")}
}

// Annotations of the Shipment.
func (Shipment) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A parcel a community owes a person (award gift package, new member's souvenir): visible to the person and the community's staff."),
		entgql.RelayConnection(), entgql.MultiOrder(),
		entgql.Skip(entgql.SkipWhereInput, entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput),
	}
}

// Policy of the Shipment (see internal/authz).
func (Shipment) Policy() ent.Policy { return authz.ShipmentPolicy() }
