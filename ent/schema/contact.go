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

// Contact is a person's private email. It is a row of its own, not a field
// of User, so privacy rules decide who sees it the way they decide any row,
// on every path and without a query per person.
type Contact struct{ ent.Schema }

// Mixin of the Contact.
func (Contact) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix("con"), TimeMixin{}}
}

// Fields of the Contact.
func (Contact) Fields() []ent.Field {
	return []ent.Field{
		fkField("user_id", "Whose email this is.").Immutable().Private().Field(),
		field.String("email").Unique().Validate(policy.ValidateEmail).
			Comment("Private email address.").Annotations(entgql.Skip(entgql.SkipWhereInput, entgql.SkipOrderField)),
		field.String("phone").Optional().Validate(policy.ValidatePhone).
			Comment("Private phone number.").Annotations(entgql.Skip(entgql.SkipWhereInput, entgql.SkipOrderField)),
		field.String("messaging").Optional().Validate(runeLen(0, 100)).
			Comment("A chat handle (e.g. a WeChat ID) the organizers may use.").Annotations(entgql.Skip(entgql.SkipWhereInput, entgql.SkipOrderField)),
		// Bounces (internal/workflow/delivery.go): set when the mail server
		// refused this address for good; changing the email clears them.
		field.Time("email_bounced_at").Optional().Nillable().
			Comment("When mail to this address last bounced (a permanent SMTP failure); null while it is deliverable. Messages are not sent to a bouncing address.").
			Annotations(entgql.Skip()),
		field.String("email_bounce_reason").Optional().
			Comment("The mail server's answer when the address bounced.").
			Annotations(entgql.Skip()),
	}
}

// Edges of the Contact.
func (Contact) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("user", User.Type).Ref("contact").Field("user_id").Unique().Required().Immutable().
			Comment("Whose email this is."),
	}
}

// Annotations of the Contact.
func (Contact) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A person's private email: visible to the person, staff of a community they take part in, and organizers of their groups."),
		entgql.Skip(entgql.SkipWhereInput, entgql.SkipOrderField),
	}
}

// Policy of the Contact (see internal/authz).
func (Contact) Policy() ent.Policy { return authz.ContactPolicy() }
