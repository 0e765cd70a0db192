package schema

import (
	"errors"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"github.com/usergroups/usergroups/internal/authz"

	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/ent/schematype"
	"github.com/usergroups/usergroups/internal/letters"
	"github.com/usergroups/usergroups/internal/policy"
)

// User is a person's public profile. Private details live in their own rows
// (Contact, ShippingAddress) that privacy rules guard.
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
		field.JSON("languages", []string{}).Optional().
			Comment("Languages the person speaks, as BCP 47 tags (e.g. en, zh-CN).").
			Annotations(entgql.Skip(entgql.SkipWhereInput, entgql.SkipOrderField)),
		field.JSON("links", []schematype.Link{}).Optional().
			Comment("Public links: a blog, a code forge profile, a social account.").
			Annotations(entgql.Type("[Link!]"), entgql.Skip(entgql.SkipWhereInput, entgql.SkipOrderField)),
		field.Bool("showcase_consent").Default(false).
			Comment("The person agrees to be named, with organization and citation, on the community's public pages (award showcase)."),
		field.Bool("photo_consent").Default(false).
			Comment("The person agrees that their photo is shown on those public pages."),
		field.Bool("ledger_public").Default(false).
			Comment("The person agrees that their contributions are listed publicly; counts are public either way."),
		field.String("oidc_issuer").Optional().Nillable().Comment("Identity provider that vouches for the person.").
			Annotations(entgql.Skip()),
		field.String("oidc_subject").Optional().Nillable().Comment("The person's subject at that provider.").
			Annotations(entgql.Skip()),
		// Notice preferences: what the person is sent, in which language
		// (internal/letters, policy.NoticesOff). Private: User.noticePreferences.
		field.String("language").GoType(letters.Language("")).Optional().
			Validate(func(s string) error {
				if l, ok := letters.ParseLanguage(s); !ok || string(l) != s {
					return errors.New("must be en or zh-CN")
				}
				return nil
			}).
			Comment("The language the person's messages are written in; empty: from languages, else the community's.").
			Annotations(entgql.Skip()),
		field.JSON("notices_off", []letters.Kind{}).Optional().
			Comment("The kinds of message the person turned off (never a mandatory one).").
			Annotations(entgql.Skip()),
		// The key of the person's one-click unsubscribe links (RFC 8058):
		// made the first time a notice is emailed to them, never shown.
		field.Bytes("notice_secret").Optional().Sensitive().
			Comment("Random key signing the person's unsubscribe links (workflow.UnsubscribeToken).").
			Annotations(entgql.Skip()),
	}
}

// Edges of the User.
func (User) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("organization", Organization.Type).Ref("members").Field("organization_id").Unique().Annotations(joinLoad{}).
			Comment("The organization the person works for."),
		edge.To("contact", Contact.Type).Unique().
			Comment("The person's private email; null unless the viewer may see it."),
		edge.To("shipping_address", ShippingAddress.Type).Unique().
			Comment("Where the person's swag kit goes; null unless the viewer may see it."),
		edge.To("roles", Role.Type).Comment("The person's roles in groups, regions and communities.").
			Annotations(entgql.RelayConnection()),
		edge.To("contributions", Contribution.Type).Comment("What the person contributed.").
			Annotations(entgql.RelayConnection()),
		edge.To("awards", Award.Type).Comment("Recognitions the person received.").
			Annotations(entgql.RelayConnection()),
		edge.To("registrations", Registration.Type).Comment("Event registrations the viewer may see.").
			Annotations(entgql.RelayConnection()),
		edge.To("applications", Application.Type).Comment("Applications the person submitted that the viewer may see.").
			Annotations(entgql.RelayConnection()),
		edge.From("supported_applications", Application.Type).Ref("supporters").
			Comment("New-group requests the person backs.").Annotations(entgql.Skip()),
		edge.To("certificates", Certificate.Type).Comment("The person's membership and award certificates; only the person and staff see them.").
			Annotations(entgql.RelayConnection()),
		edge.To("shipments", Shipment.Type).Comment("Parcels the communities owe or sent the person; only the person and staff see them.").
			Annotations(entgql.RelayConnection()),
		edge.To("api_tokens", APIToken.Type).Comment("The person's API tokens; only the person sees them.").
			Annotations(entgql.RelayConnection()),
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

// Policy of the User (see internal/authz).
func (User) Policy() ent.Policy { return authz.UserPolicy() }
