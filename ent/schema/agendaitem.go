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

// AgendaItem is one slot of an event's agenda.
type AgendaItem struct{ ent.Schema }

// Mixin of the AgendaItem.
func (AgendaItem) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix("agi"), TimeMixin{}}
}

// Fields of the AgendaItem.
func (AgendaItem) Fields() []ent.Field {
	return []ent.Field{
		fkField("event_id", "The event the item belongs to.").Immutable().Field(),
		fkField("speaker_id", "The speaker, when they have an account.").Optional().Field(),
		field.Enum("kind").Values("TALK", "PANEL", "WORKSHOP", "SPONSOR_PITCH", "BREAK").
			Annotations(valueDocs{
				"TALK":          "A talk by one speaker.",
				"PANEL":         "A discussion among several speakers.",
				"WORKSHOP":      "A hands-on session.",
				"SPONSOR_PITCH": "A sponsor's presentation.",
				"BREAK":         "A break: no speaker.",
			}).Default("TALK").
			Comment("What the slot is."),
		field.String("title").Validate(runeLen(1, 200)).Comment("The slot's title."),
		longText("description", 5000, "Abstract or notes."),
		field.String("speaker_name").Optional().Validate(runeLen(1, 100)).
			Comment("A guest speaker's name, when they have no account."),
		field.Time("starts_at").Comment("Start, in UTC.").Annotations(entgql.OrderField("STARTS_AT")),
		field.Int("duration_minutes").Range(1, 600).Comment("Length in minutes."),
		field.String("track").Default("main").Validate(runeLen(1, 50)).Comment("Parallel track name."),
	}
}

// Edges of the AgendaItem.
func (AgendaItem) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("event", Event.Type).Ref("agenda_items").Field("event_id").Unique().Required().Immutable().
			Comment("The event the item belongs to."),
		edge.To("speaker", User.Type).Field("speaker_id").Unique().Comment("The speaker."),
	}
}

// Indexes of the AgendaItem.
func (AgendaItem) Indexes() []ent.Index {
	return []ent.Index{index.Fields("event_id", "starts_at")}
}

// Annotations of the AgendaItem.
func (AgendaItem) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A slot of an event's agenda: talk, panel, workshop, sponsor pitch or break."),
		entgql.RelayConnection(), entgql.MultiOrder(),
	}
}

// Policy of the AgendaItem (see internal/authz).
func (AgendaItem) Policy() ent.Policy { return authz.AgendaItemPolicy() }
