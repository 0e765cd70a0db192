package schema

import (
	"github.com/usergroups/usergroups/internal/authz"
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Change is the append-only change log: one row per create, update or delete
// of a tracked entity, written in the same transaction. Its id is the
// sequence number subscriptions resume from.
type Change struct{ ent.Schema }

// Fields of the Change.
func (Change) Fields() []ent.Field {
	return []ent.Field{
		field.Int64("id").Immutable().Comment("Sequence number."),
		field.String("community_id").Optional().Immutable().Comment("Community the change belongs to."),
		field.String("group_id").Optional().Immutable().Comment("Group the change belongs to, if any."),
		field.String("topic").Immutable().Comment("Entity family: group, role, application, review, event, registration."),
		field.String("node_type").Immutable().Comment("GraphQL type of the changed node."),
		field.String("node_id").Immutable().Comment("Id of the changed node."),
		field.Enum("op").Values("CREATED", "UPDATED", "DELETED", "ACCESSED").Immutable().Comment("What happened; ACCESSED is an audit entry (an export of contact details)."),
		field.String("actor_id").Optional().Immutable().Comment("Who caused it; empty for the system."),
		field.Time("created_at").Default(time.Now).Immutable().Comment("When it was committed."),
	}
}

// Indexes of the Change.
func (Change) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("community_id", "id"),
		index.Fields("group_id", "id"),
		index.Fields("node_id"),
	}
}

// Annotations of the Change.
func (Change) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip()}
}

// Policy of the Change (see internal/authz).
func (Change) Policy() ent.Policy { return authz.ChangePolicy() }
