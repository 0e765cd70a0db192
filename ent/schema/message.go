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
			Comment("The people one letter goes to together (all leaders of a group), when recipient_id is empty."),
		field.String("to_address").Optional().Validate(policy.ValidateEmail).
			Comment("A list or mailbox address, when not a person (e.g. the ambassadors' list)."),
		field.String("template").Validate(runeLen(1, 100)).Comment("Which message it is, e.g. \"application_decided\"."),
		field.String("subject").Validate(runeLen(1, 300)).Comment("Subject line."),
		field.Text("body").Comment("Rendered text."),
		field.Enum("status").Values("PENDING", "SENT", "FAILED").Default("PENDING").Comment("Delivery status."),
		field.Int("attempts").Default(0).NonNegative().Comment("Delivery attempts so far."),
		field.Time("send_after").Optional().Nillable().Comment("Not before this time."),
		field.Time("sent_at").Optional().Nillable().Comment("When it was delivered."),
		field.String("last_error").Optional().Comment("Why the last attempt failed."),
		field.String("dedupe_key").Optional().Nillable().Unique().Comment("Stops the same notice being queued twice."),
	}
}

// Edges of the Message.
func (Message) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("community", Community.Type).Field("community_id").Unique().Immutable(),
		edge.To("recipient", User.Type).Field("recipient_id").Unique().Immutable(),
	}
}

// Indexes of the Message.
func (Message) Indexes() []ent.Index {
	return []ent.Index{index.Fields("status", "send_after")}
}

// Annotations of the Message.
func (Message) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip()}
}

// Policy of the Message (see internal/authz).
func (Message) Policy() ent.Policy { return authz.MessagePolicy() }
