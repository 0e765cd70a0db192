package schema

import (
	"errors"
	"github.com/usergroups/usergroups/internal/authz"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/policy"
)

// Region is a named area (a set of countries) inside a community.
type Region struct{ ent.Schema }

// Mixin of the Region.
func (Region) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix("reg"), TimeMixin{}}
}

// Fields of the Region.
func (Region) Fields() []ent.Field {
	return []ent.Field{
		fkField("community_id", "The community the region belongs to.").Immutable().Field(),
		field.String("name").Validate(runeLen(2, 100)).Comment("Display name, e.g. \"Europe\".").Annotations(entgql.OrderField("NAME")),
		field.String("slug").Validate(policy.ValidateSlug).Comment("URL-safe name, unique in the community."),
		field.Strings("countries").
			Validate(func(cs []string) error {
				if len(cs) > 250 {
					return errors.New("at most 250 countries")
				}
				for _, c := range cs {
					if err := policy.ValidateCountry(c); err != nil {
						return err
					}
				}
				return nil
			}).
			Comment("ISO 3166-1 alpha-2 codes of the countries the region covers."),
		longText("description", 2000, "Notes about the region."),
	}
}

// Edges of the Region.
func (Region) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("community", Community.Type).Ref("regions").Field("community_id").Unique().Required().Immutable().
			Comment("The community the region belongs to."),
		edge.To("groups", Group.Type).Comment("Groups in the region.").Annotations(entgql.RelayConnection()),
		edge.To("roles", Role.Type).Comment("Roles scoped to the region (regional ambassadors).").Annotations(entgql.RelayConnection()),
	}
}

// Indexes of the Region.
func (Region) Indexes() []ent.Index {
	return []ent.Index{index.Fields("community_id", "slug").Unique()}
}

// Annotations of the Region.
func (Region) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A named area of a community, covered by its ambassadors."),
		entgql.RelayConnection(), entgql.QueryField().Description("Regions of all communities."), entgql.MultiOrder(),
	}
}

// Policy of the Region (see internal/authz).
func (Region) Policy() ent.Policy { return authz.RegionPolicy() }
