package broker

import (
	"context"
	"fmt"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/change"
	"github.com/usergroups/usergroups/ent/predicate"
	"github.com/usergroups/usergroups/internal/viewer"
)

// A subscriber and a poller read the change log the same way: what a
// position has not seen and another has settled (missed), in id order,
// each change carrying the position to resume from once it is handled.
// Subscribe replays that from the broker's position and then goes live;
// Page reads one page of it from a query's snapshot and stops, so a cursor
// from either resumes the other.

// check refuses a position the log cannot resume from: malformed or after
// the latest change (ErrUnknownCursor), or with an unseen id below the
// oldest change kept (*ExpiredCursorError). It is read from the log
// rather than the broker's position, so that a cursor issued by a replica
// slightly ahead is still valid.
func (b *Broker) check(ctx context.Context, from Position) error {
	if err := from.Validate(); err != nil {
		return fmt.Errorf("%w: %v", ErrUnknownCursor, err)
	}
	latest, err := b.Latest(ctx)
	if err != nil {
		return err
	}
	if from.Seq > latest {
		return fmt.Errorf("%w: %d is after the latest change %d", ErrUnknownCursor, from.Seq, latest)
	}
	oldest, err := b.oldest(ctx)
	if err != nil {
		return err
	}
	// The log is pruned from its start only (workflow.PruneChanges), so
	// every change after oldest is still there: a position that has seen
	// every id below oldest misses nothing. One with an unseen id below
	// it (a low-water mark lower, a hole there) may have lost a change.
	if oldest > 0 && from.Low() < oldest-1 {
		return &ExpiredCursorError{Oldest: Position{Seq: oldest - 1}}
	}
	return nil
}

// readSet reads, through c, up to limit changes of set (sorted ranges)
// above the id after that where accepts (nil: all), in id order.
func readSet(ctx context.Context, c *ent.Client, set []Range, after int64, where predicate.Change, limit int) ([]*ent.Change, bool, error) {
	in, ok := inRanges(after, set)
	if !ok {
		return nil, false, nil
	}
	if where != nil {
		in = change.And(in, where)
	}
	rows, err := c.Change.Query().Where(in).Order(change.ByID()).Limit(limit).All(viewer.SystemContext(ctx))
	return rows, true, err
}

// Page is one page of the change log read by Read.
type Page struct {
	// Changes are the page's changes, in id order, each with the position
	// to resume from once it and those before it are handled.
	Changes []*Delivery
	// Next is where to continue: after the page's last change when there
	// are more (More), else every change the snapshot settled has been
	// read, and Next is from having seen them all.
	Next Position
	// More reports that changes where accepts remain after Next.
	More bool
}

// Read reads, through c (the client of one snapshot of the database),
// the first limit changes that where accepts (nil: all) among those still
// to come at from that at, the position the snapshot reflects (see
// Reflected), shows. It refuses from as Subscribe does (ErrUnknownCursor,
// *ExpiredCursorError), so a cursor answers the same polled and live.
func (b *Broker) Read(ctx context.Context, c *ent.Client, from, at Position, where predicate.Change, limit int) (*Page, error) {
	if err := b.check(ctx, from); err != nil {
		return nil, err
	}
	set := missed(from, at)
	rows, _, err := readSet(ctx, c, set, 0, where, limit+1)
	if err != nil {
		return nil, fmt.Errorf("broker: reading the change log: %w", err)
	}
	p := &Page{Next: without(from, set)}
	if len(rows) > limit {
		rows, p.More = rows[:limit], true
	}
	for _, r := range rows {
		p.Changes = append(p.Changes, &Delivery{Change: r, After: without(from, intersect(set, []Range{{1, r.ID}}))})
	}
	if p.More {
		p.Next = p.Changes[len(p.Changes)-1].After
	}
	return p, nil
}
