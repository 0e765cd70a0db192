package broker

import (
	"context"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

const (
	minBackoff     = 100 * time.Millisecond
	maxBackoff     = 10 * time.Second
	connectTimeout = 10 * time.Second
)

// listen keeps a dedicated connection LISTENing on Channel and pokes the
// loop on every notification that may carry news. A pooled connection
// cannot do this: LISTEN belongs to a session, and the pool would hand the
// session to others or close it.
func (b *Broker) listen(ctx context.Context) {
	backoff := minBackoff
	for {
		err := b.listenOnce(ctx, func() { backoff = minBackoff })
		if ctx.Err() != nil {
			return
		}
		b.log.Warn("broker: LISTEN connection lost, reconnecting", "err", err, "in", backoff)
		// Jitter keeps the replicas from reconnecting in lockstep after a
		// database restart.
		wait := backoff/2 + rand.N(backoff/2+1)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		backoff = min(2*backoff, maxBackoff)
		b.reconnects.Add(1)
	}
}

// listenOnce connects, listens and relays notifications until the
// connection fails. connected is called once LISTEN is in place.
func (b *Broker) listenOnce(ctx context.Context, connected func()) error {
	cctx, cancel := context.WithTimeout(ctx, connectTimeout)
	conn, err := pgx.Connect(cctx, b.opts.ListenDSN)
	cancel()
	if err != nil {
		return err
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
		defer cancel()
		_ = conn.Close(cctx)
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+Channel); err != nil {
		return err
	}
	connected()
	// Notifications sent while nobody listened are lost: catch up from
	// the log (the poll would, later).
	b.Poke()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		// The payload is the highest id the committing transaction could
		// see, so its own ids are no higher; if the loop is already past
		// it there is nothing to read. Another schema on the same
		// database shares the channel, which only costs a spare read.
		if id, err := strconv.ParseInt(n.Payload, 10, 64); err == nil && id <= b.posHint.Load() {
			continue
		}
		b.Poke()
	}
}
