package schema

import (
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"github.com/usergroups/usergroups/internal/attendance"
	"github.com/usergroups/usergroups/internal/authz"

	"github.com/usergroups/usergroups/ent/schema/pulid"
)

// Registration is a person's RSVP to an event. Rows are private (see
// authz.RegistrationPolicy); the check-in code is never in the GraphQL schema.
type Registration struct{ ent.Schema }

// Mixin of the Registration.
func (Registration) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix("rsv"), TimeMixin{}, changeLogMixin{topic: "registration"}}
}

// Fields of the Registration.
func (Registration) Fields() []ent.Field {
	return []ent.Field{
		fkField("event_id", "The event.").Immutable().Field(),
		fkField("user_id", "The registrant.").Immutable().Private().Field(),
		field.Enum("status").Values("GOING", "WAITLISTED", "CANCELLED", "ATTENDED", "NO_SHOW").
			Annotations(valueDocs{
				"GOING":      "Holds a seat.",
				"WAITLISTED": "Waiting for a seat to free up.",
				"CANCELLED":  "Cancelled by the registrant or the organizers.",
				"ATTENDED":   "Checked in at the event.",
				"NO_SHOW":    "Held a seat but was not checked in.",
			}).Default("GOING").
			Comment("Where the RSVP stands.").Annotations(entgql.OrderField("STATUS")),
		field.String("check_in_code").Unique().Sensitive().
			Comment("Secret code for QR check-in.").Annotations(entgql.Skip()),
		field.Time("checked_in_at").Optional().Nillable().Comment("When the attendee was checked in."),
		field.Time("cancelled_at").Optional().Nillable().Comment("When the registration was cancelled."),
		field.Time("queued_at").Default(time.Now).
			Comment("When the person registered (again): seats and the waitlist are served in this order."),
	}
}

// Edges of the Registration.
func (Registration) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("event", Event.Type).Ref("registrations").Field("event_id").Unique().Required().Immutable().
			Comment("The event."),
		edge.From("user", User.Type).Ref("registrations").Field("user_id").Unique().Required().Immutable().
			Comment("The registrant; visible to them, the group's organizers and staff only."),
	}
}

// Hooks of the Registration.
func (Registration) Hooks() []ent.Hook {
	return []ent.Hook{attendance.Hook}
}

// Indexes of the Registration.
func (Registration) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("event_id", "user_id").Unique(),
		index.Fields("event_id", "status", "queued_at"),
		index.Fields("user_id"),
	}
}

// Annotations of the Registration.
func (Registration) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("An RSVP to an event. Counts are public; who registered is not."),
		entgql.RelayConnection(), entgql.MultiOrder(),
	}
}

// Policy of the Registration (see internal/authz).
func (Registration) Policy() ent.Policy { return authz.RegistrationPolicy() }
