package changelog

import (
	"context"
	"slices"
	"sync"

	"github.com/usergroups/usergroups/ent"
)

// Written is one change row a transaction wrote, as a collector records it.
type Written struct {
	ID        int64
	Topic     string
	Community string
}

// Collector records the change rows of some topics that one transaction
// writes, so that whoever commits it can queue the work they cause (the
// webhook fan-out) in the same transaction, once per transaction rather
// than once per row.
type Collector struct {
	topics []string
	mu     sync.Mutex
	rows   []Written
}

type collectorKey struct{}

// Collect returns a context whose change rows of the given topics are
// recorded in the returned collector.
func Collect(ctx context.Context, topics ...string) (context.Context, *Collector) {
	c := &Collector{topics: topics}
	return context.WithValue(ctx, collectorKey{}, c), c
}

// Take returns the rows recorded so far and empties the collector.
func (c *Collector) Take() []Written {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.rows
	c.rows = nil
	return out
}

// collector is ctx's collector if it wants topic.
func collector(ctx context.Context, topic string) *Collector {
	c, ok := ctx.Value(collectorKey{}).(*Collector)
	if !ok || !slices.Contains(c.topics, topic) {
		return nil
	}
	return c
}

// save writes builders, all of one topic, and records them in ctx's
// collector when it wants the topic (reading the new ids back costs a
// RETURNING clause, paid only then).
func save(ctx context.Context, client *ent.Client, topic string, builders []*ent.ChangeCreate) error {
	col := collector(ctx, topic)
	if col == nil {
		return client.Change.CreateBulk(builders...).Exec(ctx)
	}
	rows, err := client.Change.CreateBulk(builders...).Save(ctx)
	if err != nil {
		return err
	}
	col.mu.Lock()
	defer col.mu.Unlock()
	for _, r := range rows {
		col.rows = append(col.rows, Written{ID: r.ID, Topic: r.Topic, Community: r.CommunityID})
	}
	return nil
}

// builderTopic is the topic a change row being built is of.
func builderTopic(b *ent.ChangeCreate) string {
	t, _ := b.Mutation().Topic()
	return t
}
