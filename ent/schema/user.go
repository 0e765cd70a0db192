package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/policy"
)

// User is a person. Email, phone and shipping address are private: they are
// not part of the GraphQL schema, so no query, filter or ordering can reach them.
type User struct{ ent.Schema }

// Mixin of the User.
func (User) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix("usr"), TimeMixin{}}
}

// Fields of the User.
func (User) Fields() []ent.Field {
	return []ent.Field{
		field.String("handle").Unique().Validate(policy.ValidateHandle).
			Comment("Unique public handle, e.g. \"ada\".").Annotations(entgql.OrderField("HANDLE")),
		field.String("name").Validate(runeLen(1, 100)).Comment("Display name.").Annotations(entgql.OrderField("NAME")),
		longText("bio", 2000, "A short public biography."),
		field.String("city").Optional().Validate(runeLen(1, 100)).Comment("Home city.").
			Annotations(entgql.OrderField("CITY")),
		optionalCountry("country", "Home country (ISO 3166-1 alpha-2)."),
		field.String("affiliation").Optional().Validate(runeLen(1, 200)).
			Comment("Employer or \"individual\", as the person describes it."),
		fkField("organization_id", "The organization the person works for.").Optional().Field(),
		optionalURL("avatar_url", "Profile picture."),
		// Private fields: skipped in GraphQL entirely until privacy rules guard them.
		field.String("email").Optional().Nillable().Unique().Validate(policy.ValidateEmail).
			Comment("Private contact email.").Annotations(entgql.Skip()),
		field.String("phone").Optional().Nillable().Validate(policy.ValidatePhone).
			Comment("Private phone number.").Annotations(entgql.Skip()),
		field.Text("shipping_address").Optional().Nillable().Sensitive().Validate(runeLen(1, 500)).
			Comment("Private postal address for swag kits.").Annotations(entgql.Skip()),
		field.String("oidc_issuer").Optional().Nillable().Comment("Identity provider that vouches for the person.").
			Annotations(entgql.Skip()),
		field.String("oidc_subject").Optional().Nillable().Comment("The person's subject at that provider.").
			Annotations(entgql.Skip()),
	}
}

// Edges of the User.
func (User) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("organization", Organization.Type).Ref("members").Field("organization_id").Unique().
			Comment("The organization the person works for."),
		edge.To("roles", Role.Type).Comment("The person's roles in groups, regions and communities.").
			Annotations(entgql.RelayConnection()),
		edge.To("contributions", Contribution.Type).Comment("What the person contributed.").
			Annotations(entgql.RelayConnection()),
		edge.To("awards", Award.Type).Comment("Recognitions the person received.").
			Annotations(entgql.RelayConnection()),
		edge.To("registrations", Registration.Type).Comment("Event registrations (private).").
			Annotations(entgql.Skip()),
		edge.To("applications", Application.Type).Comment("Applications the person submitted.").
			Annotations(entgql.Skip()),
		edge.To("api_tokens", APIToken.Type).Comment("The person's API tokens.").
			Annotations(entgql.Skip()),
	}
}

// Indexes of the User.
func (User) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("oidc_issuer", "oidc_subject").Unique(),
		index.Fields("organization_id"),
	}
}

// Annotations of the User.
func (User) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A person: member, organizer, ambassador or staff. Only public profile fields are exposed."),
		entgql.RelayConnection(), entgql.QueryField().Description("People, with their public profiles."), entgql.MultiOrder(),
	}
}
