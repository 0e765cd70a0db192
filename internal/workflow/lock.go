package workflow

import (
	"context"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/application"
	"github.com/usergroups/usergroups/ent/event"
	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/ent/region"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/ent/user"
)

// forUpdate is the workflows' row-lock idiom, added to a query with
// Modify: the rows read are locked until the transaction ends, so writers
// deciding from them run one after the other. On PostgreSQL that is
// SELECT … FOR UPDATE; SQLite has no row locks and needs none, as its
// write transactions begin IMMEDIATE and so already run one at a time.
// The lock* helpers below apply it to the rows that steps serialise on;
// take the lock before reading what the decision rests on (PostgreSQL's
// READ COMMITTED gives each later statement a fresh view).
func forUpdate(s *sql.Selector) {
	if s.Dialect() == dialect.Postgres {
		s.ForUpdate()
	}
}

// lockGroup locks a group's row: steps that count its roles or elections
// before writing (role caps, the last-organizer rule) run one at a time.
func lockGroup(ctx context.Context, c *ent.Client, id pulid.ID) error {
	q := c.Group.Query().Where(group.ID(id))
	q.Modify(forUpdate)
	_, err := q.IDs(ctx)
	return err
}

// lockRegion locks a region's row, for the cap on its ambassadors.
func lockRegion(ctx context.Context, c *ent.Client, id pulid.ID) error {
	q := c.Region.Query().Where(region.ID(id))
	q.Modify(forUpdate)
	_, err := q.IDs(ctx)
	return err
}

// lockUser locks a person's row: their sends counted against a daily cap
// (contact messages) run one after the other.
func lockUser(ctx context.Context, c *ent.Client, id pulid.ID) error {
	q := c.User.Query().Where(user.ID(id))
	q.Modify(forUpdate)
	_, err := q.IDs(ctx)
	return err
}

// lockEvent locks an event's row: registrations counting seats and agenda
// changes checking overlaps run one at a time.
func lockEvent(ctx context.Context, c *ent.Client, id pulid.ID) error {
	q := c.Event.Query().Where(event.ID(id))
	q.Modify(forUpdate)
	_, err := q.IDs(ctx)
	return err
}

// lockApplication locks an application's row and returns it as it is now:
// an objection and the decision it must block run one after the other.
func lockApplication(ctx context.Context, c *ent.Client, id pulid.ID) (*ent.Application, error) {
	q := c.Application.Query().Where(application.ID(id))
	q.Modify(forUpdate)
	return q.Only(ctx)
}

// lockRole locks a role's row and returns it as it is now: the obligation
// job's replicas warn, renew or lapse a membership one after the other, and
// the second finds the first's work done.
func lockRole(ctx context.Context, c *ent.Client, id pulid.ID) (*ent.Role, error) {
	q := c.Role.Query().Where(role.ID(id))
	q.Modify(forUpdate)
	return q.Only(ctx)
}
