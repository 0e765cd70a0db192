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

// ContactThread is a conversation a signed-in person starts with an
// ambassador or with the organizers of a group. Messages are relayed through
// the outbox; neither side's address is shown to the other until the
// receiving side replies.
type ContactThread struct{ ent.Schema }

// Mixin of the ContactThread.
func (ContactThread) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix("cth"), TimeMixin{}}
}

// Fields of the ContactThread.
func (ContactThread) Fields() []ent.Field {
	return []ent.Field{
		fkField("community_id", "The community it happens in.").Immutable().Field(),
		fkField("sender_id", "Who started it.").Immutable().Field(),
		fkField("recipient_id", "The ambassador contacted, for contactAmbassador.").Optional().Immutable().Field(),
		fkField("group_id", "The group whose organizers are contacted, for contactGroupOrganizers.").Optional().Immutable().Field(),
		field.String("subject").Validate(runeLen(1, 200)).Immutable().Comment("Subject line."),
		field.Time("revealed_at").Optional().Nillable().
			Comment("When the receiving side first replied; from then on each side sees the other's address."),
	}
}

// Edges of the ContactThread.
func (ContactThread) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("community", Community.Type).Field("community_id").Unique().Required().Immutable().Comment("The community it happens in."),
		edge.To("sender", User.Type).Field("sender_id").Unique().Required().Immutable().Comment("Who started it."),
		edge.To("recipient", User.Type).Field("recipient_id").Unique().Immutable().Comment("The ambassador contacted."),
		edge.To("group", Group.Type).Field("group_id").Unique().Immutable().Comment("The group whose organizers are contacted."),
		edge.To("messages", ContactMessage.Type).Comment("The messages, oldest first."),
	}
}

// Indexes of the ContactThread.
func (ContactThread) Indexes() []ent.Index {
	return []ent.Index{index.Fields("sender_id", "created_at"), index.Fields("recipient_id"), index.Fields("group_id")}
}

// Annotations of the ContactThread.
func (ContactThread) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A conversation with an ambassador or a group's organizers, relayed without showing addresses; visible to its two sides only."),
		entgql.Skip(entgql.SkipWhereInput, entgql.SkipOrderField, entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput),
		entgql.RelayConnection(),
	}
}

// Policy of the ContactThread (see internal/authz).
func (ContactThread) Policy() ent.Policy { return authz.ContactThreadPolicy() }
