package schema

import (
	"context"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	gen "github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/ent/hook"
	"github.com/usergroups/usergroups/ent/privacy"
	"github.com/usergroups/usergroups/internal/authz"

	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/policy"
)

// Event is a group's meeting.
type Event struct{ ent.Schema }

// Mixin of the Event.
func (Event) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix("evt"), TimeMixin{}, changeLogMixin{topic: "event"}}
}

// Fields of the Event.
func (Event) Fields() []ent.Field {
	return []ent.Field{
		fkField("group_id", "The group holding the event.").Immutable().Field(),
		fkField("community_id", "The community of the event's group, copied on create so permission checks need no join.").
			Optional().Immutable().Private().Field(),
		field.Enum("kind").
			Values("MEETUP", "WORKSHOP", "HACKFEST", "SOCIAL", "TRAINING", "CLOSED_DOOR", "SUMMIT").
			Annotations(valueDocs{
				"MEETUP":      "A meetup.",
				"WORKSHOP":    "A hands-on workshop.",
				"HACKFEST":    "A hackfest: people work on code together.",
				"SOCIAL":      "A social gathering.",
				"TRAINING":    "A training course.",
				"CLOSED_DOOR": "A closed-door meeting with invited people.",
				"SUMMIT":      "A summit: a large, multi-track conference.",
			}).
			Default("MEETUP").
			Comment("What sort of meeting it is.").
			Annotations(entgql.OrderField("KIND")),
		field.String("title").Validate(runeLen(3, 200)).Comment("The event's title.").Annotations(entgql.OrderField("TITLE")),
		longText("description", 20000, "What will happen; Markdown."),
		field.Time("starts_at").Comment("Start, stored in UTC.").Annotations(entgql.OrderField("STARTS_AT")),
		field.Time("ends_at").Comment("End, stored in UTC.").Annotations(entgql.OrderField("ENDS_AT")),
		field.String("time_zone").Validate(policy.ValidateTimeZone).
			Comment("IANA time zone the event is held in, e.g. \"Asia/Shanghai\"."),
		field.String("venue_name").Optional().Validate(runeLen(1, 200)).Comment("Where it is held."),
		field.String("venue_address").Optional().Validate(runeLen(1, 500)).Comment("The venue's address."),
		latitude(),
		longitude(),
		optionalURL("online_url", "Link for online attendance."),
		field.Int("capacity").Optional().Nillable().Positive().Comment("Seats; empty means unlimited."),
		field.Enum("visibility").Values("PUBLIC", "MEMBERS_ONLY").
			Annotations(valueDocs{
				"PUBLIC":       "Anyone may see the event.",
				"MEMBERS_ONLY": "Only the group's members may see the event.",
			}).Default("PUBLIC").
			Comment("PUBLIC, or MEMBERS_ONLY for closed-door activities."),
		field.Enum("status").Values("DRAFT", "PUBLISHED", "CANCELLED", "COMPLETED").
			Annotations(valueDocs{
				"DRAFT":     "Being prepared; only its organizers see it.",
				"PUBLISHED": "Announced; people may register.",
				"CANCELLED": "Called off.",
				"COMPLETED": "Took place.",
			}).Default("DRAFT").
			Comment("Lifecycle of the event.").Annotations(entgql.OrderField("STATUS")),
		field.Int("going_count").Default(0).NonNegative().
			Comment("Registrations GOING; public, kept by the registrations themselves.").
			Annotations(entgql.OrderField("GOING_COUNT"), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		field.Int("waitlist_count").Default(0).NonNegative().
			Comment("Registrations WAITLISTED; public.").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		field.Int("attended_count").Default(0).NonNegative().
			Comment("Registrations ATTENDED (checked in); public.").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		field.Text("cancel_reason").Optional().Validate(runeLen(1, 2000)).Comment("Why the event was cancelled."),
	}
}

// Edges of the Event.
func (Event) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("group", Group.Type).Ref("events").Field("group_id").Unique().Required().Immutable().
			Comment("The group holding the event."),
		edge.To("agenda_items", AgendaItem.Type).Comment("The agenda.").Annotations(entgql.RelayConnection()),
		edge.To("sponsors", Sponsor.Type).Comment("Who covers costs.").Annotations(entgql.RelayConnection()),
		edge.To("registrations", Registration.Type).Comment("RSVPs; who registered is private, counts are public.").
			Annotations(entgql.RelayConnection()),
	}
}

// Hooks of the Event.
func (Event) Hooks() []ent.Hook {
	return []ent.Hook{hook.On(fillEventCommunity, ent.OpCreate)}
}

// fillEventCommunity copies the group's community onto a new event.
func fillEventCommunity(next ent.Mutator) ent.Mutator {
	return hook.EventFunc(func(ctx context.Context, m *gen.EventMutation) (ent.Value, error) {
		if _, ok := m.CommunityID(); !ok {
			if gid, ok := m.GroupID(); ok {
				g, err := m.Client().Group.Query().Where(group.ID(gid)).Select(group.FieldCommunityID).
					Only(privacy.DecisionContext(ctx, privacy.Allow))
				if err != nil {
					return nil, err
				}
				m.SetCommunityID(g.CommunityID)
			}
		}
		return next.Mutate(ctx, m)
	})
}

// Indexes of the Event.
func (Event) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("group_id", "starts_at"),
		index.Fields("status", "starts_at"),
	}
}

// Annotations of the Event.
func (Event) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A group's meeting, with agenda, sponsors and registrations."),
		entgql.RelayConnection(), entgql.MultiOrder(),
	}
}

// Policy of the Event (see internal/authz).
func (Event) Policy() ent.Policy { return authz.EventPolicy() }
