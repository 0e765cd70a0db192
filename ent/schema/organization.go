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

// Organization is an employer or enterprise people belong to.
type Organization struct{ ent.Schema }

// Mixin of the Organization.
func (Organization) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix("org"), TimeMixin{}}
}

// Fields of the Organization.
func (Organization) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").Validate(runeLen(1, 200)).Comment("The organization's name.").Unique().Annotations(entgql.OrderField("NAME")),
		field.String("slug").Unique().Validate(policy.ValidateSlug).Comment("URL-safe unique name."),
		optionalURL("website_url", "The organization's web site."),
		optionalCountry("country", "Where the organization is based (ISO 3166-1 alpha-2)."),
		longText("description", 2000, "What the organization does."),
	}
}

// Edges of the Organization.
func (Organization) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("partner_of", Community.Type).Comment("Communities that count the organization as a partner enterprise.").
			Annotations(entgql.RelayConnection()),
		edge.To("members", User.Type).Comment("People who work for the organization.").
			Annotations(entgql.RelayConnection()),
	}
}

// Annotations of the Organization.
func (Organization) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("An employer or enterprise; partners of a community count for diversity and eligibility rules."),
		entgql.RelayConnection(), entgql.QueryField().Description("Organizations (employers, partner enterprises)."), entgql.MultiOrder(),
	}
}

// Policy of the Organization (see internal/authz).
func (Organization) Policy() ent.Policy { return authz.OrganizationPolicy() }
