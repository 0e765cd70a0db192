package dbtest

import (
	"context"
	"sync/atomic"

	"entgo.io/ent/dialect"

	"github.com/usergroups/usergroups/internal/sqlhook"
)

// Counter is a dialect.Driver that counts the SQL statements sent through it,
// so tests can assert that a GraphQL request costs a constant number of them.
type Counter struct {
	*sqlhook.Driver
	n atomic.Int64
}

// NewCounter wraps drv.
func NewCounter(drv dialect.Driver) *Counter {
	c := &Counter{}
	c.Driver = sqlhook.Wrap(drv, func(ctx context.Context, rt sqlhook.RoundTrip, do func(context.Context) error) error {
		if rt.Statement() {
			c.n.Add(1)
		}
		return do(ctx)
	})
	return c
}

// Count returns the statements sent since the last Reset.
func (c *Counter) Count() int64 { return c.n.Load() }

// Reset sets the count to zero.
func (c *Counter) Reset() { c.n.Store(0) }
