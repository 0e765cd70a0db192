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

// ContactMessage is one message of a contact thread.
type ContactMessage struct{ ent.Schema }

// Mixin of the ContactMessage.
func (ContactMessage) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix("cms"), TimeMixin{}}
}

// Fields of the ContactMessage.
func (ContactMessage) Fields() []ent.Field {
	return []ent.Field{
		fkField("thread_id", "The thread it belongs to.").Immutable().Field(),
		fkField("author_id", "Who wrote it.").Immutable().Field(),
		field.Text("body").Validate(runeLen(1, 10000)).Immutable().Comment("The text."),
	}
}

// Edges of the ContactMessage.
func (ContactMessage) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("thread", ContactThread.Type).Ref("messages").Field("thread_id").Unique().Required().Immutable().
			Comment("The thread it belongs to."),
		edge.To("author", User.Type).Field("author_id").Unique().Required().Immutable().Comment("Who wrote it."),
	}
}

// Indexes of the ContactMessage.
func (ContactMessage) Indexes() []ent.Index {
	return []ent.Index{index.Fields("thread_id", "created_at"), index.Fields("author_id", "created_at")}
}

// Annotations of the ContactMessage.
func (ContactMessage) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A message of a contact thread, visible to the thread's two sides."),
		entgql.Skip(entgql.SkipWhereInput, entgql.SkipOrderField, entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput),
	}
}

// Policy of the ContactMessage (see internal/authz).
func (ContactMessage) Policy() ent.Policy { return authz.ContactMessagePolicy() }
