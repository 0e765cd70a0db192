package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/mixin"

	"github.com/usergroups/usergroups/internal/changelog"
)

// changeLogMixin appends a Change row for every create, update and delete of
// the schema, in the same transaction (see internal/changelog).
type changeLogMixin struct {
	mixin.Schema
	topic string
}

// Hooks of the changeLogMixin.
func (m changeLogMixin) Hooks() []ent.Hook {
	return []ent.Hook{changelog.Hook(m.topic)}
}
