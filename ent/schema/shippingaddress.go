package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"github.com/usergroups/usergroups/internal/authz"

	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/policy"
)

// ShippingAddress is where a person's swag kit goes: name, address and
// phone, the three things the official-recognition letter asks for.
type ShippingAddress struct{ ent.Schema }

// Mixin of the ShippingAddress.
func (ShippingAddress) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix("shp"), TimeMixin{}}
}

// Fields of the ShippingAddress.
func (ShippingAddress) Fields() []ent.Field {
	return []ent.Field{
		fkField("user_id", "Whose address this is.").Immutable().Private().Field(),
		field.String("recipient_name").Validate(runeLen(1, 100)).Comment("Name to ship to."),
		field.Text("address").Validate(runeLen(5, 500)).Comment("Street lines of the postal address, one per line."),
		field.String("city").Optional().Validate(runeLen(0, 100)).Comment("City or town."),
		field.String("region").Optional().Validate(runeLen(0, 100)).Comment("State, province or region, where the country uses one."),
		field.String("postal_code").Optional().Validate(runeLen(0, 20)).Comment("Postal code, where the country uses one."),
		field.String("country").Optional().Validate(policy.ValidateCountry).Comment("ISO 3166-1 alpha-2 country code."),
		field.String("phone").Optional().Validate(policy.ValidatePhone).Comment("Phone number for the courier."),
	}
}

// Edges of the ShippingAddress.
func (ShippingAddress) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("user", User.Type).Ref("shipping_address").Field("user_id").Unique().Required().Immutable().
			Comment("Whose address this is."),
	}
}

// Annotations of the ShippingAddress.
func (ShippingAddress) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("Where a person's swag kit is shipped: visible to the person and staff of a community they take part in."),
		entgql.Skip(entgql.SkipWhereInput, entgql.SkipOrderField),
	}
}

// Policy of the ShippingAddress (see internal/authz).
func (ShippingAddress) Policy() ent.Policy { return authz.ShippingAddressPolicy() }
