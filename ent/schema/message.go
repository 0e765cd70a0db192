package schema

import (
	"context"
	"errors"
	"fmt"
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/jobs"

	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/policy"
)

// Message is the outbox: a notification written in the same transaction as
// the change that causes it and delivered later, so none is lost.
type Message struct{ ent.Schema }

// Mixin of the Message.
func (Message) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix("msg"), TimeMixin{}}
}

// Fields of the Message.
func (Message) Fields() []ent.Field {
	return []ent.Field{
		fkField("community_id", "The community sending it.").Optional().Immutable().Field(),
		fkField("recipient_id", "The person it goes to, if a person.").Optional().Immutable().Field(),
		field.JSON("recipient_ids", []pulid.ID{}).Optional().Immutable().
			Comment("The people one letter goes to together (all leaders of a group), when recipient_id is empty.").
			Annotations(entgql.Skip()),
		field.String("to_address").Optional().Validate(policy.ValidateEmail).
			Comment("A list or mailbox address, when not a person (e.g. the ambassadors' list).").Annotations(entgql.Skip()),
		field.String("template").Validate(runeLen(1, 100)).Comment("Which message it is, e.g. \"application_decided\"."),
		// Subject and body are served by hand (graph/email.graphqls): a
		// confidential message's are withheld.
		field.String("subject").Validate(runeLen(1, 300)).Comment("Subject line.").Annotations(entgql.Skip()),
		field.Text("body").Comment("Rendered text.").Annotations(entgql.Skip()),
		field.Enum("status").Values("PENDING", "SENT", "FAILED").Default("PENDING").Comment("Delivery status.").
			Annotations(valueDocs{
				"PENDING": "Waiting to be sent (or kept in the outbox by a server without SMTP); retried after a transient failure.",
				"SENT":    "Sent to at least one of its recipients.",
				"FAILED":  "Could not be delivered to anyone: every address bounced or none was usable; not retried.",
			}),
		field.Int("attempts").Default(0).NonNegative().Comment("Delivery attempts so far."),
		field.Time("send_after").Optional().Nillable().Comment("Not before this time."),
		field.Time("sent_at").Optional().Nillable().Comment("When it was delivered."),
		field.String("last_error").Optional().Comment("Why the last attempt failed."),
		field.String("dedupe_key").Optional().Nillable().Unique().Comment("Stops the same notice being queued twice.").
			Annotations(entgql.Skip()),
		// Delivery (internal/workflow/delivery.go).
		field.String("message_id").Optional().
			Comment("The Message-ID of the email sent, without angle brackets; a letter to several people adds each one's id to it."),
		field.JSON("deliveries", map[string]string{}).Optional().
			Comment("Outcome per recipient (user id, or the to_address): sent, bounced or skipped, with the reason; a retry sends only to the others.").
			Annotations(entgql.Skip()),
	}
}

// Edges of the Message.
func (Message) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("community", Community.Type).Field("community_id").Unique().Immutable().
			Comment("The community that sent it."),
		edge.To("recipient", User.Type).Field("recipient_id").Unique().Immutable().Annotations(entgql.Skip()),
	}
}

// Indexes of the Message.
func (Message) Indexes() []ent.Index {
	return []ent.Index{index.Fields("status", "send_after")}
}

// Annotations of the Message.
func (Message) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A message of the outbox, as the community's staff see it (query outbox): what was queued and how its delivery went."),
		entgql.RelayConnection(),
		entgql.Skip(entgql.SkipWhereInput, entgql.SkipOrderField, entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput),
	}
}

// Hooks of the Message.
func (Message) Hooks() []ent.Hook {
	return []ent.Hook{queueDelivery}
}

// queueDelivery queues the delivery job of each message created PENDING,
// in the transaction that creates it: a message never exists without the
// job that sends it. Outside a workflow unit jobs.Add fails, and so does
// the create.
func queueDelivery(next ent.Mutator) ent.Mutator {
	return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
		if !m.Op().Is(ent.OpCreate) {
			return next.Mutate(ctx, m)
		}
		v, err := next.Mutate(ctx, m)
		if err != nil {
			return v, err
		}
		if status, ok := m.Field("status"); ok && fmt.Sprint(status) != "PENDING" {
			return v, nil
		}
		idm, ok := m.(interface{ ID() (pulid.ID, bool) })
		if !ok {
			return nil, fmt.Errorf("message: unexpected mutation %T", m)
		}
		id, ok := idm.ID()
		if !ok {
			return nil, errors.New("message: created without an id")
		}
		var after time.Time
		if t, ok := m.Field("send_after"); ok {
			after, _ = t.(time.Time)
		}
		var community string
		if c, ok := m.Field("community_id"); ok {
			community = fmt.Sprint(c)
		}
		if err := jobs.Add(ctx, jobs.DeliverMessage{ID: string(id), Community: community}, jobs.DeliveryOpts(after)); err != nil {
			return nil, fmt.Errorf("message: queueing its delivery: %w", err)
		}
		return v, nil
	})
}

// Policy of the Message (see internal/authz).
func (Message) Policy() ent.Policy { return authz.MessagePolicy() }
