package broker

import (
	"context"
	"time"

	"entgo.io/ent/dialect"

	"github.com/usergroups/usergroups/ent/change"
	"github.com/usergroups/usergroups/internal/viewer"
)

// watched is a hole the loop has delivered past and still watches.
type watched struct {
	Range
	since time.Time // when it was first known missing
	// xmax is, on PostgreSQL, the xmax of a snapshot taken after the hold:
	// above the xid of every transaction that could still fill the hole.
	// Zero until taken.
	xmax int64
}

// holes returns the watched ranges as a new slice, for a Position.
func (r *reader) holes() []Range {
	if len(r.watch) == 0 {
		return nil
	}
	out := make([]Range, len(r.watch))
	for i, w := range r.watch {
		out[i] = w.Range
	}
	return out
}

// watchHole starts watching h, which lies above every watched hole, and
// returns the holes to publish. Past MaxHoles the oldest is given up.
func (r *reader) watchHole(b *Broker, h Range, since time.Time) []Range {
	r.watch = append(r.watch, watched{Range: h, since: since})
	b.holes.Add(h.To - h.From + 1)
	if len(r.watch) > MaxHoles {
		b.abandon(r.watch[0], "too many holes")
		r.watch = append(r.watch[:0:0], r.watch[1:]...)
	}
	return r.holes()
}

// fill stops watching id, which has appeared in the log.
func (r *reader) fill(b *Broker, id int64) {
	for i, w := range r.watch {
		if id < w.From || id > w.To {
			continue
		}
		var parts []watched
		if id > w.From {
			parts = append(parts, watched{Range{w.From, id - 1}, w.since, w.xmax})
		}
		if id < w.To {
			parts = append(parts, watched{Range{id + 1, w.To}, w.since, w.xmax})
		}
		r.watch = append(r.watch[:i:i], append(parts, r.watch[i+1:]...)...)
		b.holes.Add(-1)
		return
	}
}

// abandon gives up on a hole that is not proved empty.
func (b *Broker) abandon(w watched, why string) {
	b.holes.Add(-(w.To - w.From + 1))
	b.abandoned.Add(w.To - w.From + 1)
	b.log.Error("broker: no longer watching a hole in the change log; a change that fills it now will not be delivered live",
		"from", w.From, "to", w.To, "since", w.since, "reason", why)
}

// checkHoles delivers the rows that have appeared in watched holes, late,
// and stops watching the holes that are proved empty or too old. It costs
// two queries while holes are watched (one on SQLite), and none otherwise.
func (b *Broker) checkHoles(ctx context.Context, r *reader) error {
	if len(r.watch) == 0 {
		return nil
	}
	ctx = viewer.SystemContext(ctx)
	now := b.opts.Now()
	// The horizon is read before the holes: a transaction that has ended
	// by then has its rows visible to the read that follows.
	var xmin int64
	pg := b.db.Dialect == dialect.Postgres
	if pg {
		var xmax int64
		err := b.db.SQL.QueryRowContext(ctx, `SELECT pg_snapshot_xmin(s)::text::bigint, pg_snapshot_xmax(s)::text::bigint FROM pg_current_snapshot() AS s`).Scan(&xmin, &xmax)
		if err != nil {
			return err
		}
		for i := range r.watch {
			if r.watch[i].xmax == 0 && !now.Before(r.watch[i].since.Add(b.opts.GapHold)) {
				r.watch[i].xmax = xmax
			}
		}
	}

	for cur := int64(0); ; {
		where, ok := inRanges(cur, r.holes())
		if !ok {
			break
		}
		rows, err := b.db.Client.Change.Query().Where(where).
			Order(change.ByID()).Limit(b.opts.BatchSize).All(ctx)
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			break
		}
		out := make([]*Delivery, 0, len(rows))
		for _, c := range rows {
			r.fill(b, c.ID)
			r.pos = Position{Seq: r.pos.Seq, Holes: r.holes()}
			out = append(out, &Delivery{Change: c, After: r.pos, Late: true})
			cur = c.ID
		}
		b.late.Add(int64(len(rows)))
		b.log.Info("broker: delivering changes that committed late", "from", rows[0].ID, "to", cur, "count", len(rows))
		b.deliver(out, r.pos)
		if len(rows) < b.opts.BatchSize {
			break
		}
	}

	kept := r.watch[:0:0]
	for _, w := range r.watch {
		switch {
		case pg && w.xmax != 0 && xmin >= w.xmax:
			// Every transaction that could fill it has ended.
			b.holes.Add(-(w.To - w.From + 1))
			b.log.Debug("broker: a hole in the change log is permanent", "from", w.From, "to", w.To)
		case !now.Before(w.since.Add(b.opts.HoleWatch)):
			b.abandon(w, "watched for too long")
		default:
			kept = append(kept, w)
		}
	}
	if len(kept) < len(r.watch) {
		r.watch = kept
		r.pos = Position{Seq: r.pos.Seq, Holes: r.holes()}
		b.mu.Lock()
		b.setPos(r.pos)
		b.mu.Unlock()
	}
	return nil
}
