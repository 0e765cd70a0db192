package schema

import (
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/usergroups/usergroups/internal/authz"
)

// AuditEntry is the audit trail: who exported private data, revoked a
// role or changed a community's settings, and when. It is append-only and
// kept apart from the change log, which is pruned (--change-retention),
// so that the trail outlives the log. It is written in the same
// transaction as what it records (see internal/changelog's Audit).
type AuditEntry struct{ ent.Schema }

// Fields of the AuditEntry.
func (AuditEntry) Fields() []ent.Field {
	return []ent.Field{
		field.Int64("id").Immutable().Comment("Sequence number."),
		field.String("community_id").Optional().Immutable().Comment("Community the entry belongs to."),
		field.String("group_id").Optional().Immutable().Comment("Group the entry belongs to, if any."),
		field.Enum("action").Values("ACCESSED", "REVOKED", "UPDATED", "CREATED").Immutable().
			Comment("What was done: ACCESSED private data (an export), REVOKED a role or a token, UPDATED a community's settings, CREATED a service account or its token."),
		field.String("node_type").Immutable().Comment("GraphQL type of the node acted on."),
		field.String("node_id").Immutable().Comment("Id of the node acted on."),
		field.String("actor_id").Optional().Immutable().Comment("Who acted; empty for the system."),
		field.String("reason").Optional().Immutable().Comment("Why, when the actor gave a reason (a revocation's)."),
		field.Time("created_at").Default(time.Now).Immutable().Comment("When it happened, on the workflow's clock."),
	}
}

// Indexes of the AuditEntry.
func (AuditEntry) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("community_id", "id"),
		index.Fields("node_id"),
	}
}

// Annotations of the AuditEntry.
func (AuditEntry) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip()}
}

// Policy of the AuditEntry (see internal/authz).
func (AuditEntry) Policy() ent.Policy { return authz.AuditEntryPolicy() }
