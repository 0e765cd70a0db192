// Package ws is a GraphQL-over-WebSocket transport for gqlgen, built on
// gorilla/websocket. It speaks graphql-transport-ws (the graphql-ws
// library's protocol, with its close codes) and the legacy graphql-ws
// protocol of subscriptions-transport-ws, on the same handler as the HTTP
// transports:
//
//	srv.AddTransport(ws.New(cfg))
//
// We keep our own transport because gqlgen no longer ships a gorilla one and
// its own websocket transport does not send the protocol's close codes.
package ws

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/gorilla/websocket"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/usergroups/usergroups/internal/tracing"
)

// Close codes this transport sends. The 44xx codes are those of the
// graphql-transport-ws protocol; the others are standard WebSocket codes,
// chosen so that a graphql-ws client retries where retrying can help (1001,
// 1013) and gives up where it cannot (1008, 1009).
const (
	// CloseNormal ends a legacy socket after connection_terminate.
	CloseNormal = websocket.CloseNormalClosure // 1000
	// CloseGoingAway is sent to every socket by Shutdown.
	CloseGoingAway = websocket.CloseGoingAway // 1001
	// CloseTooManySockets refuses a socket over the MaxSocketsPerKey cap
	// (policy violation; 4429 is the protocol's "too many initialisation
	// requests" and must not be reused for it).
	CloseTooManySockets = websocket.ClosePolicyViolation // 1008
	// CloseMessageTooBig answers a frame larger than MaxMessageBytes.
	CloseMessageTooBig = websocket.CloseMessageTooBig // 1009
	// CloseSlowConsumer drops a socket whose send queue stayed full for
	// longer than SlowConsumerGrace; clients reconnect and resume with
	// their cursor.
	CloseSlowConsumer = websocket.CloseTryAgainLater // 1013
	// CloseBadRequest answers a malformed or unknown message.
	CloseBadRequest = 4400
	// CloseUnauthorized answers a subscribe before connection_ack.
	CloseUnauthorized = 4401
	// CloseForbidden answers a connection_init that Authenticate refused.
	CloseForbidden = 4403
	// CloseInitTimeout is sent when no connection_init came within InitTimeout.
	CloseInitTimeout = 4408
	// CloseSubscriberExists answers a subscribe whose id is still active.
	CloseSubscriberExists = 4409
	// CloseTooManyInitRequests answers a second connection_init.
	CloseTooManyInitRequests = 4429
)

// Defaults applied by New to zero fields of Config.
const (
	// DefaultInitTimeout is Config.InitTimeout's default.
	DefaultInitTimeout = 10 * time.Second
	// DefaultPingInterval is Config.PingInterval's default: under the
	// 30 to 60 s idle timeouts common in proxies and load balancers.
	DefaultPingInterval = 25 * time.Second
	// DefaultWriteTimeout is Config.WriteTimeout's default.
	DefaultWriteTimeout = 10 * time.Second
	// DefaultMaxMessageBytes is Config.MaxMessageBytes's default (64 KiB),
	// ample for a query with variables.
	DefaultMaxMessageBytes = 64 << 10
	// DefaultMaxSubscriptionsPerSocket is Config.MaxSubscriptionsPerSocket's default.
	DefaultMaxSubscriptionsPerSocket = 100
	// DefaultSendQueueSize is Config.SendQueueSize's default.
	DefaultSendQueueSize = 64
	// DefaultSlowConsumerGrace is Config.SlowConsumerGrace's default.
	DefaultSlowConsumerGrace = 2 * time.Second
)

// readBufferSize is each socket's read buffer: enough for a frame header
// and a control frame's payload (at most 125 bytes).
const readBufferSize = 256

// closeHandshakeWait bounds how long a socket waits for the client's
// close frame after sending its own, so that the TCP connection is not
// reset under the client's feet while it may still be reading.
const closeHandshakeWait = 2 * time.Second

// Config configures a Transport; zero fields take the defaults above.
type Config struct {
	// Authenticate is called on connection_init with its payload (never
	// nil) and the handshake request's context; it returns the context
	// carrying the viewer, or an error, which closes the socket with 4403
	// "Forbidden" (legacy clients first get connection_error with the
	// error's message). Nil accepts every connection_init as is. Once the
	// returned context ends while the socket is open (the credential was
	// revoked or expired), the socket is closed with 4403 (see revoke.go).
	Authenticate func(ctx context.Context, initPayload map[string]any) (context.Context, error)

	// CheckOrigin decides whether a handshake's Origin is allowed; use the
	// same allow-list as CORS. Nil allows only same-origin handshakes and
	// those without an Origin header (non-browser clients).
	CheckOrigin func(r *http.Request) bool

	// InitTimeout is how long a socket may stay without connection_init
	// before it is closed with 4408.
	InitTimeout time.Duration

	// PingInterval is how often the server pings (a protocol "ping" or
	// legacy "ka" message plus a WebSocket ping frame); a socket from which
	// nothing, not even a pong frame, arrived for two intervals is dropped.
	// Zero means DefaultPingInterval; a negative value disables pings and
	// the idle check.
	PingInterval time.Duration

	// WriteTimeout bounds the writing of one message to the network.
	WriteTimeout time.Duration

	// MaxMessageBytes is the largest message accepted from a client; a
	// bigger one closes the socket with 1009.
	MaxMessageBytes int64

	// MaxSubscriptionsPerSocket caps the operations running at once on one
	// socket; one more gets an error message for its id and the socket
	// stays open.
	MaxSubscriptionsPerSocket int

	// MaxSocketsPerKey, if set, is called after Authenticate with its
	// context and returns the key to count sockets by (an API token id, a
	// person id) and the limit for it; a socket over the limit is closed
	// with 1008. An empty key or a limit <= 0 means no cap.
	MaxSocketsPerKey func(ctx context.Context) (key string, limit int)

	// MaxPendingPerKey, if set, is called on each handshake and returns the
	// key to count the handshake's sockets by until they send
	// connection_init (the client's address) and the limit for it. A
	// handshake over the limit is refused before the upgrade with 429, a
	// RATE_LIMITED error and Retry-After: the time a socket may stay
	// without connection_init, by which the slots free up. graphql-ws
	// clients see the refusal as a failed connection (close 1006) and retry
	// with back-off. An empty key or a limit <= 0 means no cap.
	MaxPendingPerKey func(r *http.Request) (key string, limit int)

	// SendQueueSize is the number of messages queued per socket for its
	// writer before producers have to wait.
	SendQueueSize int

	// Ended, if set, is called once a socket has ended, with the context
	// its operations ran in (the viewer connection_init gave it) and what
	// happened on it, for the session log.
	Ended func(ctx context.Context, s Session)

	// SlowConsumerGrace is how long a producer waits on a full send queue
	// before the socket is closed with 1013 as too slow.
	SlowConsumerGrace time.Duration

	// Share, if set, lets subscriptions that would render the same
	// payloads share one execution (see share.go); nil runs each alone.
	Share *Sharing

	// Tracing traces each subscription: its subscribe, then a short span
	// per delivered response (tracing.NewSubscriptions); the zero value
	// traces none. Queries and mutations sent on a socket are traced by
	// the executor's extension instead, as over HTTP.
	Tracing tracing.Subscriptions
}

// Session is what happened on one websocket, reported to Config.Ended.
type Session struct {
	// Protocol is the subprotocol spoken: graphql-transport-ws or the
	// legacy graphql-ws.
	Protocol string
	// Duration is how long the socket was open.
	Duration time.Duration
	// Operations counts the operations started on it.
	Operations int64
	// Initialized reports whether the client sent connection_init.
	Initialized bool
	// Code is the close code the server sent (0 when the client closed
	// first or the connection dropped); PeerCode the client's (0 when
	// it sent none).
	Code, PeerCode int
	// Panic is the value and stack of a panic that ended the socket's
	// reader, if one did; empty otherwise.
	Panic string
}

// Metrics counts what the transport does; every field is updated
// atomically and is to be read with Load.
type Metrics struct {
	// ActiveSockets is the number of upgraded sockets now open.
	ActiveSockets atomic.Int64
	// ActiveSubscriptions is the number of operations (subscriptions, and
	// queries or mutations in flight) now running.
	ActiveSubscriptions atomic.Int64
	// SocketsAccepted counts upgraded sockets.
	SocketsAccepted atomic.Int64
	// HandshakesRefused counts handshakes answered with an HTTP error.
	HandshakesRefused atomic.Int64
	// HandshakesOverPending counts handshakes refused with 429 by
	// MaxPendingPerKey (counted in HandshakesRefused too).
	HandshakesOverPending atomic.Int64
	// MessagesReceived counts messages read from clients.
	MessagesReceived atomic.Int64
	// MessagesSent counts messages written to clients (pings included).
	MessagesSent atomic.Int64
	// SubscriptionsStarted counts operations started.
	SubscriptionsStarted atomic.Int64
	// SubscriptionsRefused counts operations refused by
	// MaxSubscriptionsPerSocket.
	SubscriptionsRefused atomic.Int64
	// DisconnectsSlow counts sockets closed with 1013 as too slow.
	DisconnectsSlow atomic.Int64
	// DisconnectsIdle counts sockets dropped for missing pongs.
	DisconnectsIdle atomic.Int64
	// DisconnectsProtocol counts sockets closed for protocol violations
	// (4400, 4401, 4409, 4429, 1009).
	DisconnectsProtocol atomic.Int64
	// DisconnectsInitTimeout counts sockets closed with 4408.
	DisconnectsInitTimeout atomic.Int64
	// DisconnectsForbidden counts sockets closed with 4403.
	DisconnectsForbidden atomic.Int64
	// DisconnectsOverLimit counts sockets closed with 1008.
	DisconnectsOverLimit atomic.Int64
	// DisconnectsShutdown counts sockets closed with 1001 by Shutdown.
	DisconnectsShutdown atomic.Int64
	// SharedExecutions counts the executions started for groups of shared
	// subscriptions; SharedJoins the subscriptions that joined one.
	SharedExecutions, SharedJoins atomic.Int64
	// SharedGroups is the groups whose execution is running, SharedMembers
	// the subscriptions they serve: with the broker's subscribers, they
	// tell when every subscription is following the change log.
	SharedGroups, SharedMembers atomic.Int64
}

func (m *Metrics) countClose(code int) {
	switch code {
	case CloseSlowConsumer:
		m.DisconnectsSlow.Add(1)
	case CloseBadRequest, CloseUnauthorized, CloseSubscriberExists, CloseTooManyInitRequests, CloseMessageTooBig:
		m.DisconnectsProtocol.Add(1)
	case CloseInitTimeout:
		m.DisconnectsInitTimeout.Add(1)
	case CloseForbidden:
		m.DisconnectsForbidden.Add(1)
	case CloseTooManySockets:
		m.DisconnectsOverLimit.Add(1)
	case CloseGoingAway:
		m.DisconnectsShutdown.Add(1)
	}
}

// Transport is a gqlgen transport for GraphQL over WebSocket; make one with
// New and add it to a handler.Server with AddTransport.
type Transport struct {
	cfg      Config
	upgrader websocket.Upgrader
	metrics  Metrics

	// beforeWrite, when set (by tests only), runs in the writer goroutine
	// before each data message is written, to simulate a slow network.
	beforeWrite func(frame []byte)

	// writeBuffers lends write buffers to sockets while they write.
	writeBuffers sync.Pool

	mu       sync.Mutex
	shutdown bool
	conns    map[*conn]struct{}
	perKey   map[string]int // initialised sockets, by MaxSocketsPerKey
	pending  map[string]int // sockets before connection_init, by MaxPendingPerKey
	sockets  sync.WaitGroup

	groups groups // shared executions, see share.go
}

var _ graphql.Transport = (*Transport)(nil)

// New returns a Transport configured by cfg, with defaults for its zero
// fields.
func New(cfg Config) *Transport {
	if cfg.InitTimeout <= 0 {
		cfg.InitTimeout = DefaultInitTimeout
	}
	if cfg.PingInterval == 0 {
		cfg.PingInterval = DefaultPingInterval
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = DefaultWriteTimeout
	}
	if cfg.MaxMessageBytes <= 0 {
		cfg.MaxMessageBytes = DefaultMaxMessageBytes
	}
	if cfg.MaxSubscriptionsPerSocket <= 0 {
		cfg.MaxSubscriptionsPerSocket = DefaultMaxSubscriptionsPerSocket
	}
	if cfg.SendQueueSize <= 0 {
		cfg.SendQueueSize = DefaultSendQueueSize
	}
	if cfg.SlowConsumerGrace <= 0 {
		cfg.SlowConsumerGrace = DefaultSlowConsumerGrace
	}
	t := &Transport{
		cfg:     cfg,
		conns:   map[*conn]struct{}{},
		perKey:  map[string]int{},
		pending: map[string]int{},
	}
	t.upgrader = websocket.Upgrader{
		HandshakeTimeout: cfg.WriteTimeout,
		// A socket reads through a small buffer of its own rather than
		// the HTTP server's 4 KiB one, and borrows a write buffer from
		// the pool only while it writes a message: an idle socket holds
		// 256 bytes instead of 8 KiB. Client messages are small, and a
		// bigger one is read straight into its destination past the buffer.
		ReadBufferSize:  readBufferSize,
		WriteBufferPool: &t.writeBuffers,
		// Do checks the origin itself before upgrading, so that the
		// refusal is counted and worded like the others.
		CheckOrigin: func(*http.Request) bool { return true },
		Error: func(w http.ResponseWriter, _ *http.Request, status int, reason error) {
			t.refuse(w, status, reason.Error())
		},
	}
	return t
}

// Metrics returns the transport's live counters.
func (t *Transport) Metrics() *Metrics { return &t.metrics }

// Supports claims every WebSocket upgrade request, so that a handshake with
// a missing or unknown subprotocol gets a clear refusal from Do instead of
// falling through to another transport.
func (t *Transport) Supports(r *http.Request) bool {
	return headerHasToken(r.Header, "Upgrade", "websocket")
}

// Do checks the handshake (origin, subprotocol, shutdown), upgrades the
// connection and serves the socket until it ends.
func (t *Transport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	if !t.originAllowed(r) {
		t.refuse(w, http.StatusForbidden, "websocket: origin "+r.Header.Get("Origin")+" is not allowed")
		return
	}
	proto, ok := selectProtocol(websocket.Subprotocols(r))
	if !ok {
		t.refuse(w, http.StatusBadRequest,
			"websocket: Sec-WebSocket-Protocol must offer "+transportWS.name()+" (or the legacy "+legacyWS.name()+")")
		return
	}
	t.mu.Lock()
	if t.shutdown {
		t.mu.Unlock()
		t.refuse(w, http.StatusServiceUnavailable, "websocket: the server is shutting down")
		return
	}
	t.sockets.Add(1)
	t.mu.Unlock()
	served := false
	defer func() {
		if !served {
			t.sockets.Done()
		}
	}()

	releasePending := func() {}
	if perKey := t.cfg.MaxPendingPerKey; perKey != nil {
		if key, limit := perKey(r); key != "" && limit > 0 {
			if !t.acquire(t.pending, key, limit) {
				t.metrics.HandshakesOverPending.Add(1)
				t.refuseLimited(w, limit)
				return
			}
			releasePending = func() { t.release(t.pending, key) }
		}
	}
	wsc, err := t.upgrader.Upgrade(w, r, http.Header{"Sec-Websocket-Protocol": {proto.name()}})
	if err != nil {
		releasePending()
		return // the upgrader has answered through t.refuse
	}
	t.metrics.SocketsAccepted.Add(1)
	t.metrics.ActiveSockets.Add(1)
	c := newConn(t, wsc, r, exec, proto)
	c.releasePending = releasePending
	t.mu.Lock()
	t.conns[c] = struct{}{}
	late := t.shutdown
	t.mu.Unlock()
	if late {
		// Shutdown began between the check above and the registration, so it
		// did not see this socket.
		c.requestClose(CloseGoingAway, "Going away", true)
	}
	// The socket is served on a goroutine of its own and the handler
	// returns: the HTTP server's goroutine then ends, and with it the
	// handler chain's stack and the connection's HTTP state (request,
	// response, buffers), which an idle socket would otherwise keep for
	// as long as it is open.
	served = true
	go t.serveSocket(c, time.Now())
}

// serveSocket serves an upgraded socket until it ends and reports it.
func (t *Transport) serveSocket(c *conn, opened time.Time) {
	defer t.sockets.Done()
	var panicked string
	func() {
		// The HTTP server no longer stands behind this goroutine to
		// recover a panic: one socket's must not end the process.
		defer func() {
			if r := recover(); r != nil {
				panicked = fmt.Sprintf("%v\n%s", r, debug.Stack())
			}
		}()
		c.serve()
	}()
	// serve returns after teardown, when every goroutine of the socket has
	// ended: what they recorded can be read without locks.
	if t.cfg.Ended != nil {
		t.cfg.Ended(c.opBase, Session{Protocol: c.proto.name(), Duration: time.Since(opened), Operations: c.operations.Load(),
			Initialized: c.initSeen.Load(), Code: c.closeCode, PeerCode: c.peerCode, Panic: panicked})
	}
}

// Shutdown stops accepting sockets, lets every socket write the messages
// already queued, closes it with 1001 and waits until all have ended. When
// ctx ends first the remaining connections are dropped and ctx's error is
// returned. Pair it with http.Server.Shutdown, which does not track
// upgraded connections.
func (t *Transport) Shutdown(ctx context.Context) error {
	t.mu.Lock()
	t.shutdown = true
	conns := make([]*conn, 0, len(t.conns))
	for c := range t.conns {
		conns = append(conns, c)
	}
	t.mu.Unlock()
	for _, c := range conns {
		c.requestClose(CloseGoingAway, "Going away", true)
	}
	done := make(chan struct{})
	go func() {
		t.sockets.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		t.mu.Lock()
		for c := range t.conns {
			c.abort()
		}
		t.mu.Unlock()
		return ctx.Err()
	}
}

func (t *Transport) unregister(c *conn) {
	t.mu.Lock()
	delete(t.conns, c)
	t.mu.Unlock()
}

// acquire takes one of limit socket slots for key in counts (perKey or
// pending).
func (t *Transport) acquire(counts map[string]int, key string, limit int) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if counts[key] >= limit {
		return false
	}
	counts[key]++
	return true
}

func (t *Transport) release(counts map[string]int, key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if counts[key] <= 1 {
		delete(counts, key)
		return
	}
	counts[key]--
}

// refuse answers a handshake with an HTTP error in GraphQL's JSON shape.
func (t *Transport) refuse(w http.ResponseWriter, status int, msg string) {
	t.refuseError(w, status, &gqlerror.Error{Message: msg})
}

// refuseLimited answers a handshake over MaxPendingPerKey.
func (t *Transport) refuseLimited(w http.ResponseWriter, limit int) {
	secs := int(math.Ceil(t.cfg.InitTimeout.Seconds()))
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	t.refuseError(w, http.StatusTooManyRequests, &gqlerror.Error{
		Message: "websocket: too many sockets from this address waiting to send connection_init (at most " +
			strconv.Itoa(limit) + "); retry in " + strconv.Itoa(secs) + " s",
		// Same code as apierror.RateLimited, so clients treat it alike.
		Extensions: map[string]any{"code": "RATE_LIMITED", "retryAfter": secs},
	})
}

func (t *Transport) refuseError(w http.ResponseWriter, status int, e *gqlerror.Error) {
	t.metrics.HandshakesRefused.Add(1)
	b, _ := json.Marshal(&graphql.Response{Errors: gqlerror.List{e}})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func (t *Transport) originAllowed(r *http.Request) bool {
	if t.cfg.CheckOrigin != nil {
		return t.cfg.CheckOrigin(r)
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	return err == nil && strings.EqualFold(u.Host, r.Host)
}

// headerHasToken reports whether a comma-separated header has token,
// ignoring case.
func headerHasToken(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for _, part := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(part), token) {
				return true
			}
		}
	}
	return false
}
