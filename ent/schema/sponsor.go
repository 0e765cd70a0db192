package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"github.com/usergroups/usergroups/internal/authz"

	"github.com/usergroups/usergroups/ent/schema/pulid"
)

// Sponsor covers some of an event's costs; groups stay non-commercial.
type Sponsor struct{ ent.Schema }

// Mixin of the Sponsor.
func (Sponsor) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix("spn"), TimeMixin{}}
}

// Fields of the Sponsor.
func (Sponsor) Fields() []ent.Field {
	return []ent.Field{
		fkField("event_id", "The event sponsored.").Immutable().Field(),
		field.String("name").Validate(runeLen(1, 200)).Comment("The sponsor's name.").Annotations(entgql.OrderField("NAME")),
		optionalURL("website_url", "The sponsor's web site."),
		optionalURL("logo_url", "The sponsor's logo."),
		field.String("covers").Optional().Validate(runeLen(1, 500)).Comment("What the sponsor pays for (venue, food)."),
		field.Int("pitch_minutes").Default(0).Range(0, 120).Comment("Minutes of pitch the organizer granted."),
	}
}

// Edges of the Sponsor.
func (Sponsor) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("event", Event.Type).Ref("sponsors").Field("event_id").Unique().Required().Immutable().
			Comment("The event sponsored."),
	}
}

// Annotations of the Sponsor.
func (Sponsor) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A sponsor of an event; a short pitch at most, never the focus of the meeting."),
		entgql.RelayConnection(), entgql.MultiOrder(),
	}
}

// Policy of the Sponsor (see internal/authz).
func (Sponsor) Policy() ent.Policy { return authz.SponsorPolicy() }
