package live

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/broker"
	"github.com/usergroups/usergroups/internal/viewer"
)

// Delivery runs on a few shared goroutines rather than one per
// subscription: an idle subscriber then costs no goroutine here (the
// websocket's operation goroutine waiting on the output channel is the
// only one), and a change that reaches ten thousand subscribers is
// processed by a handful of workers instead of waking ten thousand
// goroutines that would all compete for the same CPUs.
//
// Each subscription is a pump. The broker calls its wake after queueing a
// change (Subscription.Notify); the first wake puts the pump on the hub's
// run queue, and a worker drains it. The wake counter guarantees that at
// most one worker runs a pump at a time, so changes stay in order.

// outBuffer is each subscription's output queue. When it is full (the
// client reads more slowly than changes arrive) the pump holds the value
// and retries after retryFull, doubling up to retryMax while it stays
// full, and further changes wait in the broker's queue, whose bound ends a
// subscriber that stays too slow.
const (
	outBuffer = 16
	retryFull = 5 * time.Millisecond
	retryMax  = time.Second
)

// hub runs pumps on at most max goroutines, started when there is work
// and ended when there is none.
type hub struct {
	max int

	mu      sync.Mutex
	queue   []runner
	workers int
}

type runner interface{ run() }

func newHub() *hub { return &hub{max: max(4, 4*runtime.GOMAXPROCS(0))} }

func (h *hub) push(r runner) {
	h.mu.Lock()
	h.queue = append(h.queue, r)
	if h.workers < h.max && h.workers < len(h.queue) {
		h.workers++
		go h.work()
	}
	h.mu.Unlock()
}

func (h *hub) work() {
	for {
		h.mu.Lock()
		if len(h.queue) == 0 {
			h.queue = nil // let a burst's backing array go
			h.workers--
			h.mu.Unlock()
			return
		}
		r := h.queue[0]
		h.queue[0] = nil
		h.queue = h.queue[1:]
		h.mu.Unlock()
		r.run()
	}
}

// pump delivers one subscription's changes to its output channel.
type pump[T any] struct {
	hub     *hub
	src     *Source
	sub     *broker.Subscription
	scope   func(ent.Noder) bool
	convert func(*Item) (T, bool)
	out     chan T
	wakes   atomic.Int64

	// hold is the subscriber's credential when its viewer is live (see
	// credentials.go); nil for a fixed viewer.
	hold *hold

	// Owned by the worker running the pump.
	ctx     context.Context  // the subscriber's
	next    *broker.Delivery // taken from the broker, waiting for the viewer to be current
	after   broker.Position  // the After of the last delivery taken, or where sub started
	stalled bool             // resubscribed (catchUp) and nothing taken since
	held    *T               // converted, waiting for room in out
	retries int              // retries since out last had room
	done    bool
}

func (p *pump[T]) wake() {
	if p.wakes.Add(1) == 1 {
		p.hub.push(p)
	}
}

// run drains the pump until no wake came in meanwhile.
func (p *pump[T]) run() {
	for {
		n := p.wakes.Load()
		p.drain()
		if p.wakes.Add(-n) == 0 {
			return
		}
	}
}

func (p *pump[T]) drain() {
	if p.done {
		return
	}
	if p.ctx.Err() != nil {
		p.finish()
		return
	}
	if p.held != nil {
		select {
		case p.out <- *p.held:
			p.held, p.retries = nil, 0
		default:
			p.retry()
			return
		}
	}
	for {
		c := p.next
		p.next = nil
		if c == nil {
			select {
			case ch, ok := <-p.sub.C:
				if !ok {
					if p.catchUp() {
						continue
					}
					p.finish()
					return
				}
				c = ch
				p.after, p.stalled = ch.After, false
			default:
				return
			}
		}
		if p.hold != nil {
			// Render c only with a viewer that reflects every role and
			// credential change before it (and c itself, if it is one).
			switch p.hold.cs.await(c.Change, p) {
			case gateLater:
				p.next = c
				return
			case gateEnd:
				p.finish()
				return
			}
		}
		v, ok := p.process(c)
		if p.ctx.Err() != nil {
			p.finish()
			return
		}
		if !ok {
			continue
		}
		select {
		case p.out <- v:
		default:
			p.held = &v
			p.retry()
			return
		}
	}
}

// catchUp resubscribes after the last delivery taken when the broker
// dropped the subscription for falling behind (ErrTooSlow): the broker
// never waits for one subscriber, so a burst can outrun a slow one, and
// the change log then replays what it missed at the pace it reads. It
// gives up (false) on any other end, and when nothing was taken since it
// last resubscribed, so a subscriber that makes no progress does not
// resubscribe in a loop.
func (p *pump[T]) catchUp() bool {
	if p.stalled || !errors.Is(p.sub.Err(), broker.ErrTooSlow) || p.ctx.Err() != nil {
		return false
	}
	sub, err := p.sub.Resume(p.ctx, p.after)
	if err != nil {
		return false
	}
	p.sub.Close()
	p.sub, p.stalled = sub, true
	sub.Notify(p.wake)
	return true
}

// retry wakes the pump again later, to try the held value.
func (p *pump[T]) retry() {
	time.AfterFunc(min(retryFull<<min(p.retries, 8), retryMax), p.wake)
	p.retries++
}

// process loads what d changed (shared with the other subscribers) and
// converts it for this subscriber.
func (p *pump[T]) process(d *broker.Delivery) (T, bool) {
	var zero T
	c := d.Change
	loads := p.src.loader()
	e, ok := loads.change(p.ctx, c)
	if !ok || (p.scope != nil && !p.scope(e.node)) {
		return zero, false
	}
	item := &Item{Cursor: Cursor(d.After), Seq: c.ID, Op: c.Op, At: c.CreatedAt,
		ActorID: pulid.ID(c.ActorID), Topic: c.Topic, Change: c, loaded: e}
	if e.actor != nil {
		actor := *e.actor // each subscriber resolves its own copy
		item.Actor = &actor
	}
	if node := loads.nodeFor(p.ctx, e, viewer.FromContext(p.ctx)); node != nil {
		item.Node = node
	}
	return p.convert(item)
}

// finish closes the output and ends the broker subscription, once.
func (p *pump[T]) finish() {
	p.done = true
	p.held, p.next = nil, nil
	close(p.out)
	p.sub.Close()
}
