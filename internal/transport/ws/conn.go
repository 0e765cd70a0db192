package ws

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/gorilla/websocket"
)

// conn is one socket. Its goroutines: the reader (started by Do, which
// then returns; it also tears the socket down), one per running operation,
// and a writer only while there is something to write; teardown waits for
// all of them. An idle socket thus parks one goroutine, not two: a writer
// parked on every idle socket cost a goroutine and its stack each, which
// adds up with thousands of subscribers. Pings and the init timeout are
// timers that wake the writer or close the socket.
type conn struct {
	t       *Transport
	ws      *websocket.Conn
	netConn net.Conn
	exec    graphql.GraphExecutor
	proto   protocol
	headers http.Header

	// ctx is the socket's context, from the handshake request; cancelled
	// at teardown. opBase is what Authenticate returned; operations derive
	// from it. The reader sets opBase before it starts any operation.
	ctx    context.Context
	cancel context.CancelFunc
	opBase context.Context

	closeCh chan struct{} // closed once a close is requested
	done    chan struct{} // closed when the reader has ended

	// wmu guards the send queue and starting and retiring the writer, so
	// that at most one runs and a frame queued as it retires is never left
	// behind.
	wmu sync.Mutex
	// queue is the bounded send queue (SendQueueSize frames); only the
	// writer writes data messages, as gorilla allows one concurrent
	// writer. A slice that is dropped when it empties rather than a
	// buffered channel: an idle socket holds no queue.
	queue [][]byte
	// room gets a token when the writer takes a frame, for producers
	// waiting on a full queue.
	room     chan struct{}
	writing  bool // a writer goroutine is running
	wstopped bool // teardown began: no writer may start
	writers  sync.WaitGroup
	pingDue  atomic.Bool // the ping timer fired; the writer pings
	// Guarded by wmu.
	initTimer, pingTimer *time.Timer

	closeOnce  sync.Once
	closeCode  int
	closeMsg   string
	closeDrain bool

	// dlMu orders read-deadline changes: once closing, the idle deadline
	// must not push back the close-handshake deadline.
	dlMu    sync.Mutex
	closing bool

	initSeen atomic.Bool
	acked    atomic.Bool

	// operations counts the operations started; peerCode is the close
	// code the client sent (reader-owned). Both are for Config.Ended.
	operations atomic.Int64
	peerCode   int

	mu    sync.Mutex
	ops   map[string]*operation
	opsWG sync.WaitGroup

	releaseKey func() // frees the MaxSocketsPerKey slot; reader-owned
	// releasePending frees the MaxPendingPerKey slot; reader-owned, called
	// once, at connection_init or teardown.
	releasePending func()
}

// operation is one running subscribe/start.
type operation struct {
	id     string
	ctx    context.Context
	cancel context.CancelFunc
}

func newConn(t *Transport, wsc *websocket.Conn, r *http.Request, exec graphql.GraphExecutor, proto protocol) *conn {
	// The socket outlives the handshake's handler, whose return cancels
	// the request's context: keep its values, not its end.
	ctx, cancel := context.WithCancel(context.WithoutCancel(r.Context()))
	return &conn{
		t:       t,
		ws:      wsc,
		netConn: wsc.NetConn(),
		exec:    exec,
		proto:   proto,
		headers: r.Header,
		ctx:     ctx,
		cancel:  cancel,
		opBase:  ctx,
		room:    make(chan struct{}, 1),
		closeCh: make(chan struct{}),
		done:    make(chan struct{}),
		ops:     map[string]*operation{},
	}
}

func (c *conn) serve() {
	// A hijacked connection may carry the http.Server's deadlines.
	_ = c.netConn.SetDeadline(time.Time{})
	c.touch()
	c.ws.SetPongHandler(func(string) error {
		c.touch()
		return nil
	})
	c.startTimers()
	defer c.teardown()
	c.readLoop()
}

func (c *conn) idleTimeout() time.Duration {
	if c.t.cfg.PingInterval <= 0 {
		return 0
	}
	return 2 * c.t.cfg.PingInterval
}

// touch pushes back the idle deadline after something arrived.
func (c *conn) touch() {
	idle := c.idleTimeout()
	if idle <= 0 {
		return
	}
	c.dlMu.Lock()
	if !c.closing {
		_ = c.netConn.SetReadDeadline(time.Now().Add(idle))
	}
	c.dlMu.Unlock()
}

func (c *conn) isClosing() bool {
	c.dlMu.Lock()
	defer c.dlMu.Unlock()
	return c.closing
}

func (c *conn) readLoop() {
	limit := c.t.cfg.MaxMessageBytes
	for {
		_, r, err := c.ws.NextReader()
		if err != nil {
			if ce := (*websocket.CloseError)(nil); errors.As(err, &ce) {
				c.peerCode = ce.Code
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() && !c.isClosing() {
				c.t.metrics.DisconnectsIdle.Add(1)
			}
			return
		}
		if c.isClosing() {
			// Wait for the client's close frame; NextReader discards the
			// rest of this message.
			continue
		}
		data, err := io.ReadAll(io.LimitReader(r, limit+1))
		if err != nil {
			return
		}
		if int64(len(data)) > limit {
			c.requestClose(CloseMessageTooBig, "Message too big", false)
			continue
		}
		c.touch()
		c.t.metrics.MessagesReceived.Add(1)
		c.handle(data)
	}
}

func (c *conn) handle(data []byte) {
	var m inbound
	if err := decodeObject(data, &m); err != nil || m.Type == nil {
		if c.proto.legacy() {
			// The legacy protocol answers parse errors without closing.
			c.sendConnectionError("invalid message: expected a JSON object with a type")
			return
		}
		c.badRequest("expected a JSON object with a string type")
		return
	}
	id := ""
	if m.ID != nil {
		id = *m.ID
	}
	if c.proto.legacy() {
		c.handleLegacy(*m.Type, id, m.Payload)
	} else {
		c.handleTransportWS(*m.Type, id, m.Payload)
	}
}

// handleTransportWS follows graphql-transport-ws: any violation closes the
// socket with the protocol's code.
func (c *conn) handleTransportWS(typ, id string, payload json.RawMessage) {
	switch typ {
	case "connection_init":
		c.connectionInit(payload)
	case "ping":
		c.enqueue(encode("pong", "", payload))
	case "pong":
		// touch() already recorded that the client is alive.
	case "subscribe":
		if !c.acked.Load() {
			c.requestClose(CloseUnauthorized, "Unauthorized", false)
			return
		}
		if id == "" {
			c.badRequest("subscribe needs an id")
			return
		}
		params, err := decodeParams(payload)
		if err != nil {
			c.badRequest("subscribe needs a payload object with the query: " + err.Error())
			return
		}
		c.startOperation(id, params)
	case "complete":
		if id == "" {
			c.badRequest("complete needs an id")
			return
		}
		c.stopOperation(id)
	default:
		c.badRequest("unexpected message type " + typ)
	}
}

// handleLegacy follows subscriptions-transport-ws, which reports most
// mistakes as messages; the violations that graphql-transport-ws closes for
// (subscribing before the ack, a second init) close here too.
func (c *conn) handleLegacy(typ, id string, payload json.RawMessage) {
	switch typ {
	case "connection_init":
		c.connectionInit(payload)
	case "start":
		if !c.acked.Load() {
			c.requestClose(CloseUnauthorized, "Unauthorized", false)
			return
		}
		if id == "" {
			c.sendConnectionError("start needs an id")
			return
		}
		params, err := decodeParams(payload)
		if err != nil {
			c.enqueue(c.errorFrame(id, "start needs a payload object with the query: "+err.Error()))
			return
		}
		c.startOperation(id, params)
	case "stop":
		c.stopOperation(id)
	case "connection_terminate":
		c.requestClose(CloseNormal, "Normal closure", false)
	default:
		c.sendConnectionError("unexpected message type " + typ)
	}
}

func (c *conn) badRequest(why string) {
	c.requestClose(CloseBadRequest, "Invalid message received: "+why, false)
}

func (c *conn) sendConnectionError(msg string) {
	c.enqueue(encode("connection_error", "", map[string]string{"message": msg}))
}

// connectionInit authenticates the socket and acknowledges it.
func (c *conn) connectionInit(raw json.RawMessage) {
	if c.initSeen.Swap(true) {
		c.requestClose(CloseTooManyInitRequests, "Too many initialisation requests", false)
		return
	}
	c.freePending()
	c.wmu.Lock()
	if c.initTimer != nil {
		// Its work is done: let it go rather than keep it for the socket's life.
		c.initTimer.Stop()
		c.initTimer = nil
	}
	c.wmu.Unlock()
	payload, err := decodeInitPayload(raw)
	if err != nil {
		if c.proto.legacy() {
			c.sendConnectionError("connection_init payload must be an object")
			c.requestClose(CloseBadRequest, "Invalid message received: connection_init payload must be an object", true)
			return
		}
		c.badRequest("connection_init payload must be an object")
		return
	}
	ctx := c.ctx
	if auth := c.t.cfg.Authenticate; auth != nil {
		actx, err := auth(c.ctx, payload)
		if err != nil {
			c.refuseInit(CloseForbidden, "Forbidden", err.Error())
			return
		}
		if actx != nil {
			ctx = actx
		}
	}
	if perKey := c.t.cfg.MaxSocketsPerKey; perKey != nil {
		if key, limit := perKey(ctx); key != "" && limit > 0 {
			if !c.t.acquire(c.t.perKey, key, limit) {
				c.refuseInit(CloseTooManySockets, "Too many sockets for this credential",
					"too many open sockets for this credential")
				return
			}
			c.releaseKey = func() { c.t.release(c.t.perKey, key) }
		}
	}
	c.opBase = ctx
	c.closeWhenRevoked(ctx)
	c.enqueue(encode("connection_ack", "", nil))
	if c.proto.legacy() {
		c.enqueue(encode("ka", "", nil))
	}
	c.acked.Store(true)
}

// freePending gives back the socket's MaxPendingPerKey slot, once: the
// socket has said who it is, or is gone.
func (c *conn) freePending() {
	if c.releasePending != nil {
		c.releasePending()
		c.releasePending = nil
	}
}

// refuseInit closes a socket whose connection_init was refused; legacy
// clients learn why from connection_error first.
func (c *conn) refuseInit(code int, reason, legacyMsg string) {
	if c.proto.legacy() {
		c.sendConnectionError(legacyMsg)
		c.requestClose(code, reason, true)
		return
	}
	c.requestClose(code, reason, false)
}

// enqueue hands a message to the writer. A queue that stays full for
// SlowConsumerGrace means the client does not keep up: the socket is
// closed with 1013. It reports whether the message was queued.
func (c *conn) enqueue(frame []byte) bool {
	var timer *time.Timer
	for {
		c.wmu.Lock()
		if c.closeRequested() {
			c.wmu.Unlock()
			return false
		}
		if len(c.queue) < c.t.cfg.SendQueueSize {
			c.queue = append(c.queue, frame)
			c.kickLocked()
			c.wmu.Unlock()
			return true
		}
		c.wmu.Unlock()
		if timer == nil {
			timer = time.NewTimer(c.t.cfg.SlowConsumerGrace)
			defer timer.Stop()
		}
		select {
		case <-c.room: // try again: another producer may have taken the room
		case <-c.closeCh:
			return false
		case <-timer.C:
			c.requestClose(CloseSlowConsumer, "Try again later: the client reads too slowly", false)
			return false
		}
	}
}

// pop takes the oldest queued frame for the writer.
func (c *conn) pop() ([]byte, bool) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if len(c.queue) == 0 {
		return nil, false
	}
	frame := c.queue[0]
	c.queue[0] = nil
	c.queue = c.queue[1:]
	if len(c.queue) == 0 {
		c.queue = nil // let a burst's backing array go
	}
	select {
	case c.room <- struct{}{}:
	default:
	}
	return frame, true
}

// requestClose starts closing the socket, once. Without drain the close
// frame is written at once from the calling goroutine (gorilla allows
// WriteControl next to the writer), so that even a writer stuck on a slow
// client does not delay it; with drain the writer first writes what is
// queued. The reader then waits a bounded time for the client's close frame.
func (c *conn) requestClose(code int, reason string, drain bool) {
	c.closeOnce.Do(func() {
		c.closeCode, c.closeMsg, c.closeDrain = code, reason, drain
		c.t.metrics.countClose(code)
		wait := closeHandshakeWait
		if drain {
			wait += c.t.cfg.WriteTimeout
		}
		c.dlMu.Lock()
		c.closing = true
		_ = c.netConn.SetReadDeadline(time.Now().Add(wait))
		c.dlMu.Unlock()
		if !drain {
			c.writeClose(code, reason)
		}
		close(c.closeCh)
		if drain {
			c.kick() // the writer drains the queue, then sends the close
		}
	})
}

func (c *conn) writeClose(code int, reason string) {
	msg := websocket.FormatCloseMessage(code, closeReason(reason))
	_ = c.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
}

// abort drops the connection without a close handshake.
func (c *conn) abort() {
	_ = c.netConn.Close()
}

// startTimers arms the init and ping timers; their callbacks run briefly
// on goroutines of their own and only close the socket or wake the writer.
func (c *conn) startTimers() {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.initTimer = time.AfterFunc(c.t.cfg.InitTimeout, func() {
		if !c.initSeen.Load() {
			c.requestClose(CloseInitTimeout, "Connection initialisation timeout", false)
		}
	})
	if p := c.t.cfg.PingInterval; p > 0 {
		c.pingTimer = time.AfterFunc(p, c.pingFired)
	}
}

// pingFired has the writer ping, and re-arms the timer unless the socket
// is being torn down.
func (c *conn) pingFired() {
	c.pingDue.Store(true)
	c.kick()
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if !c.wstopped {
		c.pingTimer.Reset(c.t.cfg.PingInterval)
	}
}

// kick starts the writer unless it runs already or the socket is gone.
func (c *conn) kick() {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.kickLocked()
}

// kickLocked is kick with wmu held.
func (c *conn) kickLocked() {
	if c.writing || c.wstopped {
		return
	}
	c.writing = true
	c.writers.Add(1)
	go c.writeLoop()
}

// retire ends the writer when nothing is left to do, under wmu so that a
// frame queued meanwhile starts another one (kick) or keeps this one.
func (c *conn) retire() bool {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if !c.wstopped && (len(c.queue) > 0 || c.pingDue.Load() || c.closeRequested()) {
		return false
	}
	c.writing = false
	return true
}

func (c *conn) closeRequested() bool {
	select {
	case <-c.closeCh:
		return true
	default:
		return false
	}
}

// writeLoop writes what is queued, a due ping, and a requested close, then
// retires. A writer that handled a close, or failed, keeps the writing flag
// so that no other writer starts after it.
func (c *conn) writeLoop() {
	defer c.writers.Done()
	for {
		select {
		case <-c.done:
			return
		case <-c.closeCh:
			if c.closeDrain {
				c.drain()
				c.writeClose(c.closeCode, c.closeMsg)
			}
			return
		default:
		}
		if c.pingDue.Swap(false) {
			if err := c.keepAlive(); err != nil {
				c.writeFailed()
				return
			}
		}
		if frame, ok := c.pop(); ok {
			if err := c.write(frame); err != nil {
				c.writeFailed()
				return
			}
		} else if c.retire() {
			return
		}
	}
}

// drain writes what is queued, for a graceful close.
func (c *conn) drain() {
	for {
		frame, ok := c.pop()
		if !ok || c.write(frame) != nil {
			return
		}
	}
}

func (c *conn) write(frame []byte) error {
	if c.t.beforeWrite != nil {
		c.t.beforeWrite(frame)
	}
	if err := c.ws.SetWriteDeadline(time.Now().Add(c.t.cfg.WriteTimeout)); err != nil {
		return err
	}
	if err := c.ws.WriteMessage(websocket.TextMessage, frame); err != nil {
		return err
	}
	c.t.metrics.MessagesSent.Add(1)
	return nil
}

// writeFailed handles a failed write: while closing, the reader finishes
// the close handshake; otherwise the connection is broken and dropped so
// the reader ends too.
func (c *conn) writeFailed() {
	if !c.isClosing() {
		c.abort()
	}
}

func (c *conn) keepAlive() error {
	switch {
	case !c.proto.legacy():
		if err := c.write(encode("ping", "", nil)); err != nil {
			return err
		}
	case c.acked.Load():
		if err := c.write(encode("ka", "", nil)); err != nil {
			return err
		}
	}
	// A ping frame too: browsers answer it by themselves, which keeps
	// legacy clients (that never answer "ka") from looking idle.
	return c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(c.t.cfg.WriteTimeout))
}

// teardown runs when the reader ends and returns only when every goroutine
// of the socket has ended.
func (c *conn) teardown() {
	c.closeOnce.Do(func() { close(c.closeCh) })
	close(c.done)
	c.cancel()
	c.mu.Lock()
	for _, op := range c.ops {
		op.cancel()
	}
	c.mu.Unlock()
	c.wmu.Lock()
	c.wstopped = true
	for _, t := range []*time.Timer{c.initTimer, c.pingTimer} {
		if t != nil {
			t.Stop()
		}
	}
	c.wmu.Unlock()
	c.abort()
	c.writers.Wait()
	c.opsWG.Wait()
	c.freePending()
	if c.releaseKey != nil {
		c.releaseKey()
	}
	c.t.unregister(c)
	c.t.metrics.ActiveSockets.Add(-1)
}
