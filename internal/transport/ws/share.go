package ws

import (
	"context"
	"encoding/json"
	"sync"
	"sync/atomic"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// A change that reaches ten thousand subscribers of the same document used
// to be executed and encoded ten thousand times. Subscriptions whose
// document, operation, variables and viewer class (decided by the server,
// Config.Share) are equal now join one group: the group runs the operation
// once, on a context of its own that no socket owns, and sends each
// response, encoded once, to every member; a member's own work is the
// envelope (its id) and the write. Parsing, validation and everything the
// server checks when it classifies (limits, rate limits) stay per
// subscriber, as they run before joining.
//
// An idle member parks no goroutine: the group's one goroutine waits for
// the next response, and a member only gets a goroutine while its socket's
// send queue is full. Before each delivery the group asks whether the
// member still belongs to the class (its roles may have changed); one that
// does not leaves and goes on alone from the position of the last response
// it was sent, or, when the document gives no position, its operation ends
// with an error whose code is VIEWER_CHANGED.

// Sharing is how the server classifies subscriptions for sharing.
type Sharing struct {
	// Classify is called for a subscription once its operation context is
	// created, with the subscriber's context; ok false runs it alone.
	Classify func(ctx context.Context, rc *graphql.OperationContext) (s Share, ok bool)
	// Resume returns the context in which a subscriber that left its
	// group runs the operation again on its own, continuing after cursor.
	Resume func(ctx context.Context, cursor string) context.Context
}

// Share is one subscription's class, from Sharing.Classify.
type Share struct {
	// Class is the viewer class: subscribers with the same document,
	// operation name, variables and Class share one execution, so it must
	// cover everything about the viewer that the document's payloads can
	// depend on.
	Class string
	// Fresh makes the group joinable only before its first response: for
	// operations that resume from a cursor given in the variables, which a
	// group already past it cannot honour.
	Fresh bool
	// Context returns the context the group executes in, made from the
	// subscriber's; called only for a group's first member. It must not
	// end with the subscriber's socket.
	Context func() context.Context
	// Member reports whether the subscriber (ctx is its own) still belongs
	// to Class; asked before every delivery to it.
	Member func(ctx context.Context) bool
	// Cursor returns the position of a response, to resume after; "" when
	// it has none.
	Cursor func(*graphql.Response) string
}

// codeViewerChanged ends a shared subscription whose viewer left its class
// when it cannot go on alone.
const codeViewerChanged = "VIEWER_CHANGED"

type groupKey struct {
	exec graphql.GraphExecutor
	key  string
}

// groups are a Transport's groups open for joining.
type groups struct {
	mu   sync.Mutex
	open map[groupKey]*group
}

// group is one shared execution and its members.
type group struct {
	t      *Transport
	key    groupKey
	share  Share // the first member's
	exec   graphql.GraphExecutor
	rc     *graphql.OperationContext
	ctx    context.Context
	cancel context.CancelFunc

	mu      sync.Mutex
	members map[*member]struct{}
	started bool   // a response went out
	closed  bool   // no member may join
	prev    string // the position of the last response sent
}

// member is one subscription in a group.
type member struct {
	c      *conn
	op     *operation
	ctx    context.Context // the operation's, traced
	rc     *graphql.OperationContext
	belong func(context.Context) bool
	g      atomic.Pointer[group]
	stop   func() bool // stops the leave on op.ctx's end
	once   sync.Once

	mu      sync.Mutex
	queue   []queued
	sending bool
}

// queued is a frame waiting for room in the socket's queue, and what to do
// once it is sent (or dropped).
type queued struct {
	frame []byte
	then  func()
}

// share joins op to a group if the server lets it share; it reports
// whether it did, and then the group delivers to op.
func (c *conn) share(ctx context.Context, op *operation, rc *graphql.OperationContext) bool {
	cfg := c.t.cfg.Share
	if cfg == nil || cfg.Classify == nil || rc.Operation == nil || rc.Operation.Operation != "subscription" {
		return false
	}
	s, ok := cfg.Classify(graphql.WithOperationContext(ctx, rc), rc)
	if !ok {
		return false
	}
	vars, err := json.Marshal(rc.Variables) // map keys in order
	if err != nil {
		return false
	}
	key := groupKey{exec: c.exec, key: s.Class + "\x00" + rc.OperationName + "\x00" + rc.RawQuery + "\x00" + string(vars)}
	m := &member{c: c, op: op, ctx: ctx, rc: rc, belong: s.Member}
	m.stop = context.AfterFunc(op.ctx, func() {
		if g := m.g.Load(); g != nil {
			g.leave(m)
		}
		m.end()
	})
	gs := &c.t.groups
	gs.mu.Lock()
	g := gs.open[key]
	if g == nil || !g.add(m) {
		gctx, cancel := context.WithCancel(s.Context())
		g = &group{t: c.t, key: key, share: s, exec: c.exec, rc: rc, ctx: gctx, cancel: cancel,
			members: map[*member]struct{}{m: {}}}
		m.g.Store(g)
		if gs.open == nil {
			gs.open = map[groupKey]*group{}
		}
		gs.open[key] = g
		c.t.metrics.SharedExecutions.Add(1)
		c.t.metrics.SharedGroups.Add(1)
		go g.run()
	}
	gs.mu.Unlock()
	c.t.metrics.SharedJoins.Add(1)
	c.t.metrics.SharedMembers.Add(1)
	if op.ctx.Err() != nil {
		g.leave(m) // it ended while joining
	}
	return true
}

// add adds m unless the group is closed to it.
func (g *group) add(m *member) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed || (g.share.Fresh && g.started) {
		return false
	}
	g.members[m] = struct{}{}
	m.g.Store(g)
	return true
}

// leave removes m; the group ends with its last member.
func (g *group) leave(m *member) {
	g.mu.Lock()
	_, in := g.members[m]
	delete(g.members, m)
	last := in && len(g.members) == 0 && !g.closed
	if last {
		g.closed = true
	}
	g.mu.Unlock()
	if last {
		g.unlist()
		g.cancel()
	}
}

// unlist stops new members from joining g.
func (g *group) unlist() {
	gs := &g.t.groups
	gs.mu.Lock()
	if gs.open[g.key] == g {
		delete(gs.open, g.key)
	}
	gs.mu.Unlock()
}

// run executes the operation and fans out what it yields.
func (g *group) run() {
	ctx := graphql.StartOperationTrace(g.ctx)
	defer g.t.metrics.SharedGroups.Add(-1)
	defer func() {
		if r := recover(); r != nil {
			var err error = gqlerror.Errorf("internal system error")
			if g.rc.RecoverFunc != nil {
				err = g.rc.Recover(ctx, r)
			}
			g.close(func(m *member) []byte {
				return m.c.errorFrameList(m.op.id, m.c.presentedErrors(m.ctx, m.rc, gqlerror.List{asGQLError(err)}))
			})
		}
		g.cancel()
	}()
	responses, rctx := g.exec.DispatchOperation(graphql.WithOperationContext(ctx, g.rc), g.rc)
	first := true
	for n := int64(1); ; n++ {
		resp := responses(rctx)
		if resp == nil || g.ctx.Err() != nil {
			break
		}
		// One delivery span for all the members, in the trace of the
		// member that started the group.
		delivery := g.t.cfg.Tracing.Delivery(ctx, g.rc, resp, n)
		if first && len(resp.Data) == 0 && len(resp.Errors) > 0 {
			g.t.cfg.Tracing.Delivered(delivery, g.close(func(m *member) []byte { return m.c.errorFrameList(m.op.id, resp.Errors) }))
			return
		}
		first = false
		g.t.cfg.Tracing.Delivered(delivery, g.fanOut(resp))
	}
	g.close(func(m *member) []byte { return encode("complete", m.op.id, nil) })
}

// maxSharedFrames bounds the frames one fan-out keeps for reuse, so that a
// group whose members all chose distinct ids holds no large map.
const maxSharedFrames = 64

// fanOut sends one response to every member that still belongs, and
// returns how many it sent it to.
func (g *group) fanOut(resp *graphql.Response) int {
	payload, spliced := encodePayload(resp)
	var cursor string
	if g.share.Cursor != nil {
		cursor = g.share.Cursor(resp)
	}
	g.mu.Lock()
	sent := g.started
	g.started = true
	prev := g.prev
	g.prev = cursor
	members := make([]*member, 0, len(g.members))
	for m := range g.members {
		members = append(members, m)
	}
	g.mu.Unlock()
	if g.share.Fresh {
		g.unlist()
	}
	// Clients mostly number their operations alike (graphql-ws starts at
	// "1"), so members of one protocol and id get the very same frame,
	// built once: it is only read after it is queued.
	type frameKey struct{ typ, id string }
	frames := map[frameKey][]byte{}
	delivered := 0
	for _, m := range members {
		if m.op.ctx.Err() != nil {
			continue
		}
		if m.belong != nil && !m.belong(m.op.ctx) {
			g.depart(m, prev, sent)
			continue
		}
		var frame []byte
		if spliced && m.op.id != "" {
			k := frameKey{m.c.proto.next(), m.op.id}
			if frame = frames[k]; frame == nil {
				frame = envelope(k.typ, k.id, payload)
				if len(frames) < maxSharedFrames {
					frames[k] = frame
				}
			}
		} else {
			frame = encodeResponse(m.c.proto.next(), m.op.id, resp)
		}
		m.send(frame, nil)
		delivered++
	}
	return delivered
}

// depart takes m out of the group, its viewer having left the class: it
// goes on alone after prev, the last position the group sent, or ends
// with VIEWER_CHANGED when there is none to resume from. sent tells
// whether the group had sent anything before.
func (g *group) depart(m *member, prev string, sent bool) {
	if !m.stop() {
		return // its operation is ending anyway
	}
	g.leave(m)
	resume := g.t.cfg.Share.Resume
	switch {
	case prev != "" && resume != nil:
		ctx := resume(m.ctx, prev)
		m.send(nil, func() {
			go func() {
				defer func() { m.c.guard(ctx, m.op, m.rc, recover()) }()
				m.c.execute(ctx, m.op, m.rc, nil)
			}()
		})
	case !g.share.Fresh || sent:
		m.c.forget(m.op)
		ext := map[string]any{"code": codeViewerChanged}
		if prev != "" {
			ext["cursor"] = prev
		}
		frame := m.c.errorFrameList(m.op.id, gqlerror.List{{
			Message:    "what you may see changed while subscribed: subscribe again (after the last cursor you received)",
			Extensions: ext,
		}})
		m.send(frame, m.release)
	default:
		// Nothing was sent yet from the cursor in the variables: run the
		// operation alone from there.
		m.send(nil, func() {
			go func() {
				defer func() { m.c.guard(m.ctx, m.op, m.rc, recover()) }()
				m.c.execute(m.ctx, m.op, m.rc, nil)
			}()
		})
	}
}

// close ends the group: every member gets its last frame; it returns
// how many members there were.
func (g *group) close(last func(*member) []byte) int {
	g.mu.Lock()
	g.closed = true
	members := make([]*member, 0, len(g.members))
	for m := range g.members {
		members = append(members, m)
	}
	clear(g.members)
	g.mu.Unlock()
	g.unlist()
	for _, m := range members {
		if !m.stop() {
			continue // ending already
		}
		m.c.forget(m.op)
		if m.op.ctx.Err() != nil {
			m.release()
			continue
		}
		m.send(last(m), m.release)
	}
	return len(members)
}

// end releases m once its operation ended.
func (m *member) end() { m.release() }

// release releases m's operation, once.
func (m *member) release() {
	m.once.Do(func() {
		m.c.t.metrics.SharedMembers.Add(-1)
		m.c.end(m.op)
	})
}

// send queues frame (nil for none) on m's socket after what m has waiting,
// then runs then. Only while the socket's queue is full does m hold a
// goroutine, which waits for room as a lone operation would.
func (m *member) send(frame []byte, then func()) {
	m.mu.Lock()
	if !m.sending && len(m.queue) == 0 && (frame == nil || m.c.tryEnqueue(frame)) {
		m.mu.Unlock()
		if then != nil {
			then()
		}
		return
	}
	m.queue = append(m.queue, queued{frame: frame, then: then})
	if !m.sending {
		m.sending = true
		go m.drain()
	}
	m.mu.Unlock()
}

func (m *member) drain() {
	for {
		m.mu.Lock()
		if len(m.queue) == 0 {
			m.sending = false
			m.queue = nil
			m.mu.Unlock()
			return
		}
		q := m.queue[0]
		m.queue = m.queue[1:]
		m.mu.Unlock()
		if q.frame != nil && m.op.ctx.Err() == nil {
			m.c.enqueue(q.frame)
		}
		if q.then != nil {
			q.then()
		}
	}
}

// tryEnqueue queues frame if there is room now; a closing socket drops it.
func (c *conn) tryEnqueue(frame []byte) bool {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.closeRequested() {
		return true
	}
	if len(c.queue) >= c.t.cfg.SendQueueSize {
		return false
	}
	c.queue = append(c.queue, frame)
	c.kickLocked()
	return true
}

// encodePayload encodes a response's payload once for all members, as
// encodeResponse would inside its envelope; false when the response needs
// encodeResponse's general path.
func encodePayload(r *graphql.Response) ([]byte, bool) {
	if r.Label != "" || r.Path != nil || r.HasNext != nil || (len(r.Data) > 0 && !json.Valid(r.Data)) {
		return nil, false
	}
	b := encodeResponse("", "", r)
	// encodeResponse without an id writes {"type":"","payload":...}.
	const head = `{"type":"","payload":`
	if len(b) < len(head)+1 || string(b[:len(head)]) != head {
		return nil, false
	}
	return b[len(head) : len(b)-1], true
}

// envelope splices a member's id around a shared payload.
func envelope(typ, id string, payload []byte) []byte {
	qid, _ := json.Marshal(id) // a string always marshals
	b := make([]byte, 0, len(payload)+len(qid)+len(typ)+32)
	b = append(b, `{"id":`...)
	b = append(b, qid...)
	b = append(b, `,"type":"`...)
	b = append(b, typ...)
	b = append(b, `","payload":`...)
	b = append(b, payload...)
	return append(b, '}')
}
