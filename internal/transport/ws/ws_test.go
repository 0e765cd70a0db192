package ws_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/testserver"
	"github.com/gorilla/websocket"

	"github.com/usergroups/usergroups/internal/transport/ws"
)

// wait bounds every blocking step of a test; nothing relies on a fixed sleep.
const wait = 5 * time.Second

type env struct {
	t   *testing.T
	es  *testserver.TestServer
	tr  *ws.Transport
	url string
}

// newEnv serves gqlgen's test schema through handler.New with only our
// transport added.
func newEnv(t *testing.T, cfg ws.Config) *env {
	t.Helper()
	return newEnvWith(t, ws.New(cfg))
}

func newEnvWith(t *testing.T, tr *ws.Transport) *env {
	t.Helper()
	es := testserver.New()
	es.AddTransport(tr)
	hs := httptest.NewServer(es)
	t.Cleanup(hs.Close)
	t.Cleanup(func() {
		// Every socket of the test must end: Shutdown waits for them.
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		if err := tr.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		if n := tr.Metrics().ActiveSockets.Load(); n != 0 {
			t.Errorf("ActiveSockets after Shutdown = %d", n)
		}
	})
	return &env{t: t, es: es, tr: tr, url: "ws" + strings.TrimPrefix(hs.URL, "http")}
}

type message struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

type client struct {
	t *testing.T
	c *websocket.Conn
}

func (e *env) dial(protocols ...string) *client {
	e.t.Helper()
	c, err := e.tryDial(http.Header{}, protocols...)
	if err != nil {
		e.t.Fatalf("dial: %v", err)
	}
	return c
}

func (e *env) tryDial(h http.Header, protocols ...string) (*client, error) {
	d := websocket.Dialer{Subprotocols: protocols, HandshakeTimeout: wait}
	c, resp, err := d.Dial(e.url, h)
	if err != nil {
		if resp != nil {
			body, _ := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			return nil, &handshakeError{status: resp.StatusCode, body: string(body)}
		}
		return nil, err
	}
	cl := &client{t: e.t, c: c}
	e.t.Cleanup(func() { _ = c.Close() })
	return cl, nil
}

type handshakeError struct {
	status int
	body   string
}

func (h *handshakeError) Error() string { return http.StatusText(h.status) + ": " + h.body }

func (c *client) send(m message) {
	c.t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		c.t.Fatal(err)
	}
	c.sendRaw(string(b))
}

func (c *client) sendRaw(s string) {
	c.t.Helper()
	_ = c.c.SetWriteDeadline(time.Now().Add(wait))
	if err := c.c.WriteMessage(websocket.TextMessage, []byte(s)); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// read returns the next message, skipping keep-alives unless asked for.
func (c *client) read() message {
	c.t.Helper()
	for {
		m := c.readAny()
		if m.Type != "ka" && m.Type != "ping" {
			return m
		}
		if m.Type == "ping" {
			c.send(message{Type: "pong"})
		}
	}
}

func (c *client) readAny() message {
	c.t.Helper()
	_ = c.c.SetReadDeadline(time.Now().Add(wait))
	_, b, err := c.c.ReadMessage()
	if err != nil {
		c.t.Fatalf("read: %v", err)
	}
	var m message
	if err := json.Unmarshal(b, &m); err != nil {
		c.t.Fatalf("server sent invalid JSON %q: %v", b, err)
	}
	return m
}

func (c *client) expect(typ, id string) message {
	c.t.Helper()
	m := c.read()
	if m.Type != typ || m.ID != id {
		c.t.Fatalf("got %s id=%q payload=%s, want %s id=%q", m.Type, m.ID, m.Payload, typ, id)
	}
	return m
}

// expectClose reads until the server's close frame and checks its code and
// reason; only keep-alives may come before it.
func (c *client) expectClose(code int, reason string) {
	c.t.Helper()
	for {
		_ = c.c.SetReadDeadline(time.Now().Add(wait))
		_, b, err := c.c.ReadMessage()
		if err == nil {
			var m message
			_ = json.Unmarshal(b, &m)
			if m.Type == "ping" || m.Type == "ka" {
				continue
			}
			c.t.Fatalf("got message %s before the close, want close %d", b, code)
		}
		var ce *websocket.CloseError
		if !errors.As(err, &ce) {
			c.t.Fatalf("got %v, want close %d", err, code)
		}
		if ce.Code != code || !strings.HasPrefix(ce.Text, reason) {
			c.t.Fatalf("got close %d %q, want %d %q", ce.Code, ce.Text, code, reason)
		}
		return
	}
}

func (c *client) init(payload any) {
	c.t.Helper()
	var raw json.RawMessage
	if payload != nil {
		raw, _ = json.Marshal(payload)
	}
	c.send(message{Type: "connection_init", Payload: raw})
	c.expect("connection_ack", "")
}

func (c *client) subscribe(id, query string) {
	c.t.Helper()
	p, _ := json.Marshal(map[string]any{"query": query})
	c.send(message{ID: id, Type: "subscribe", Payload: p})
}

// sync sends a ping and waits for its pong, proving the server has handled
// everything sent before it and sent nothing else in between.
func (c *client) sync() {
	c.t.Helper()
	c.send(message{Type: "ping", Payload: json.RawMessage(`{"sync":true}`)})
	m := c.read()
	if m.Type != "pong" || string(m.Payload) != `{"sync":true}` {
		c.t.Fatalf("got %s %s, want the pong", m.Type, m.Payload)
	}
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestHandshakeRefusals(t *testing.T) {
	e := newEnv(t, ws.Config{})
	cases := []struct {
		name      string
		origin    string
		protocols []string
		status    int
		body      string
	}{
		{"no subprotocol", "", nil, http.StatusBadRequest, "Sec-WebSocket-Protocol"},
		{"unknown subprotocol", "", []string{"mqtt"}, http.StatusBadRequest, "graphql-transport-ws"},
		{"cross origin", "http://evil.example", []string{"graphql-transport-ws"}, http.StatusForbidden, "origin"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			if tc.origin != "" {
				h.Set("Origin", tc.origin)
			}
			_, err := e.tryDial(h, tc.protocols...)
			var he *handshakeError
			if !errors.As(err, &he) {
				t.Fatalf("got %v, want an HTTP refusal", err)
			}
			if he.status != tc.status || !strings.Contains(he.body, tc.body) {
				t.Fatalf("got %d %s, want %d mentioning %q", he.status, he.body, tc.status, tc.body)
			}
		})
	}
	if got := e.tr.Metrics().HandshakesRefused.Load(); got != int64(len(cases)) {
		t.Errorf("HandshakesRefused = %d, want %d", got, len(cases))
	}

	t.Run("same origin", func(t *testing.T) {
		h := http.Header{"Origin": {"http://" + strings.TrimPrefix(e.url, "ws://")}}
		c, err := e.tryDial(h, "graphql-transport-ws")
		if err != nil {
			t.Fatal(err)
		}
		if got := c.c.Subprotocol(); got != "graphql-transport-ws" {
			t.Fatalf("negotiated %q", got)
		}
	})
	t.Run("prefers graphql-transport-ws", func(t *testing.T) {
		c := e.dial("graphql-ws", "graphql-transport-ws")
		if got := c.c.Subprotocol(); got != "graphql-transport-ws" {
			t.Fatalf("negotiated %q", got)
		}
	})
}

func TestCheckOriginAllowList(t *testing.T) {
	e := newEnv(t, ws.Config{CheckOrigin: func(r *http.Request) bool {
		return r.Header.Get("Origin") == "https://app.example"
	}})
	if _, err := e.tryDial(http.Header{"Origin": {"https://app.example"}}, "graphql-transport-ws"); err != nil {
		t.Fatalf("allowed origin refused: %v", err)
	}
	_, err := e.tryDial(http.Header{"Origin": {"https://other.example"}}, "graphql-transport-ws")
	var he *handshakeError
	if !errors.As(err, &he) || he.status != http.StatusForbidden {
		t.Fatalf("got %v, want 403", err)
	}
}

func TestCloseCodes(t *testing.T) {
	sub := `{"query":"subscription { name }"}`
	cases := []struct {
		name   string
		cfg    ws.Config
		steps  func(c *client)
		code   int
		reason string
	}{
		{"4400 malformed JSON", ws.Config{}, func(c *client) {
			c.init(nil)
			c.sendRaw(`{"type":"subscribe",`)
		}, 4400, "Invalid message received"},
		{"4400 not an object", ws.Config{}, func(c *client) {
			c.sendRaw(`["connection_init"]`)
		}, 4400, "Invalid message received"},
		{"4400 unknown type", ws.Config{}, func(c *client) {
			c.init(nil)
			c.send(message{Type: "start", ID: "1", Payload: json.RawMessage(sub)})
		}, 4400, "Invalid message received: unexpected message type start"},
		{"4400 server message type from client", ws.Config{}, func(c *client) {
			c.init(nil)
			c.send(message{Type: "next", ID: "1", Payload: json.RawMessage(`{}`)})
		}, 4400, "Invalid message received"},
		{"4400 subscribe without id", ws.Config{}, func(c *client) {
			c.init(nil)
			c.send(message{Type: "subscribe", Payload: json.RawMessage(sub)})
		}, 4400, "Invalid message received: subscribe needs an id"},
		{"4400 subscribe without payload", ws.Config{}, func(c *client) {
			c.init(nil)
			c.send(message{Type: "subscribe", ID: "1"})
		}, 4400, "Invalid message received: subscribe needs a payload"},
		{"4400 complete without id", ws.Config{}, func(c *client) {
			c.init(nil)
			c.send(message{Type: "complete"})
		}, 4400, "Invalid message received: complete needs an id"},
		{"4400 init payload not an object", ws.Config{}, func(c *client) {
			c.send(message{Type: "connection_init", Payload: json.RawMessage(`"token"`)})
		}, 4400, "Invalid message received"},
		{"4401 subscribe before ack", ws.Config{}, func(c *client) {
			c.send(message{Type: "subscribe", ID: "1", Payload: json.RawMessage(sub)})
		}, 4401, "Unauthorized"},
		{"4403 Authenticate refuses", ws.Config{
			Authenticate: func(ctx context.Context, p map[string]any) (context.Context, error) {
				return nil, errors.New("unknown token")
			},
		}, func(c *client) {
			c.send(message{Type: "connection_init", Payload: json.RawMessage(`{"Authorization":"Bearer nope"}`)})
		}, 4403, "Forbidden"},
		{"4408 no connection_init", ws.Config{InitTimeout: 50 * time.Millisecond}, func(c *client) {}, 4408,
			"Connection initialisation timeout"},
		{"4409 duplicate id", ws.Config{}, func(c *client) {
			c.init(nil)
			c.send(message{Type: "subscribe", ID: "dup", Payload: json.RawMessage(sub)})
			c.sync()
			c.send(message{Type: "subscribe", ID: "dup", Payload: json.RawMessage(sub)})
		}, 4409, "Subscriber for dup already exists"},
		{"4429 second connection_init", ws.Config{}, func(c *client) {
			c.init(nil)
			c.send(message{Type: "connection_init"})
		}, 4429, "Too many initialisation requests"},
		{"1009 oversized frame", ws.Config{MaxMessageBytes: 1024}, func(c *client) {
			c.init(nil)
			// One just under the limit passes.
			c.send(message{Type: "ping", Payload: json.RawMessage(`"` + strings.Repeat("a", 900) + `"`)})
			if m := c.read(); m.Type != "pong" {
				c.t.Fatalf("got %s, want pong", m.Type)
			}
			c.send(message{Type: "ping", Payload: json.RawMessage(`"` + strings.Repeat("a", 64<<10) + `"`)})
		}, 1009, "Message too big"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, tc.cfg)
			c := e.dial("graphql-transport-ws")
			tc.steps(c)
			c.expectClose(tc.code, tc.reason)
			eventually(t, "the socket to end", func() bool { return e.tr.Metrics().ActiveSockets.Load() == 0 })
			eventually(t, "its operations to end", func() bool { return e.tr.Metrics().ActiveSubscriptions.Load() == 0 })
		})
	}
}

func TestPingPong(t *testing.T) {
	t.Run("client ping gets pong with its payload", func(t *testing.T) {
		e := newEnv(t, ws.Config{})
		c := e.dial("graphql-transport-ws")
		// Allowed before connection_init too.
		c.send(message{Type: "ping", Payload: json.RawMessage(`{"n":1}`)})
		if m := c.expect("pong", ""); string(m.Payload) != `{"n":1}` {
			t.Fatalf("pong payload %s", m.Payload)
		}
		c.init(nil)
		c.send(message{Type: "ping"})
		if m := c.expect("pong", ""); m.Payload != nil {
			t.Fatalf("pong payload %s, want none", m.Payload)
		}
	})
	t.Run("server pings and accepts pongs", func(t *testing.T) {
		const interval = 100 * time.Millisecond
		e := newEnv(t, ws.Config{PingInterval: interval})
		c := e.dial("graphql-transport-ws")
		c.init(nil)
		// Outlive the idle limit (two intervals) while answering pings.
		start := time.Now()
		for pings := 0; pings < 3 || time.Since(start) < 3*interval; {
			if m := c.readAny(); m.Type == "ping" {
				pings++
				c.send(message{Type: "pong"})
			}
		}
		c.sync()
		if n := e.tr.Metrics().DisconnectsIdle.Load(); n != 0 {
			t.Fatalf("DisconnectsIdle = %d", n)
		}
	})
	t.Run("a client that stops reading is dropped", func(t *testing.T) {
		e := newEnv(t, ws.Config{PingInterval: 20 * time.Millisecond})
		c := e.dial("graphql-transport-ws")
		c.init(nil)
		// Not reading means not answering the server's ping frames.
		eventually(t, "the idle socket to be dropped", func() bool {
			return e.tr.Metrics().DisconnectsIdle.Load() == 1 && e.tr.Metrics().ActiveSockets.Load() == 0
		})
	})
}

func TestSubscription(t *testing.T) {
	t.Run("next, then complete from the server", func(t *testing.T) {
		e := newEnv(t, ws.Config{})
		c := e.dial("graphql-transport-ws")
		c.init(nil)
		c.subscribe("s1", "subscription { name }")
		c.sync()
		for i := 0; i < 2; i++ {
			e.es.SendNextSubscriptionMessage()
			if m := c.expect("next", "s1"); string(m.Payload) != `{"data":{"name":"test"}}` {
				t.Fatalf("next payload %s", m.Payload)
			}
		}
		e.es.SendCompleteSubscriptionMessage()
		c.expect("complete", "s1")
		eventually(t, "the subscription to end", func() bool { return e.tr.Metrics().ActiveSubscriptions.Load() == 0 })
		// The id is free again.
		c.subscribe("s1", "subscription { name }")
		c.sync()
		e.es.SendNextSubscriptionMessage()
		c.expect("next", "s1")
	})
	t.Run("complete from the client stops it", func(t *testing.T) {
		e := newEnv(t, ws.Config{})
		c := e.dial("graphql-transport-ws")
		c.init(nil)
		c.subscribe("s1", "subscription { name }")
		c.sync()
		e.es.SendNextSubscriptionMessage()
		c.expect("next", "s1")
		c.send(message{Type: "complete", ID: "s1"})
		// The resolver's context is cancelled, so the operation ends...
		eventually(t, "the subscription to end", func() bool { return e.tr.Metrics().ActiveSubscriptions.Load() == 0 })
		// ...and nothing more came for it, not even complete.
		c.sync()
		// Completing an unknown id is harmless.
		c.send(message{Type: "complete", ID: "s1"})
		c.sync()
	})
	t.Run("query", func(t *testing.T) {
		e := newEnv(t, ws.Config{})
		c := e.dial("graphql-transport-ws")
		c.init(nil)
		for i := 0; i < 2; i++ { // the same id twice: it is free after complete
			c.subscribe("q", "query { name }")
			if m := c.expect("next", "q"); string(m.Payload) != `{"data":{"name":"test"}}` {
				t.Fatalf("next payload %s", m.Payload)
			}
			c.expect("complete", "q")
		}
	})
	t.Run("operation errors are an error message without complete", func(t *testing.T) {
		e := newEnv(t, ws.Config{})
		c := e.dial("graphql-transport-ws")
		c.init(nil)
		for _, tc := range []struct{ query, want string }{
			{"{ nope }", `Cannot query field "nope"`},            // validation
			{"query {", "Expected Name"},                         // parse
			{"mutation { name }", "mutations are not supported"}, // refused by the schema
		} {
			c.subscribe("e", tc.query)
			m := c.expect("error", "e")
			var errs []struct{ Message string }
			if err := json.Unmarshal(m.Payload, &errs); err != nil || len(errs) == 0 {
				t.Fatalf("error payload %s is not an array of errors", m.Payload)
			}
			if !strings.Contains(errs[0].Message, tc.want) {
				t.Fatalf("error %q, want %q", errs[0].Message, tc.want)
			}
			c.sync() // no complete followed
		}
	})
	t.Run("too many subscriptions on a socket", func(t *testing.T) {
		e := newEnv(t, ws.Config{MaxSubscriptionsPerSocket: 1})
		c := e.dial("graphql-transport-ws")
		c.init(nil)
		c.subscribe("a", "subscription { name }")
		c.subscribe("b", "subscription { name }")
		m := c.expect("error", "b")
		if !bytes.Contains(m.Payload, []byte("RATE_LIMITED")) {
			t.Fatalf("error payload %s", m.Payload)
		}
		c.sync() // the socket stays open
		e.es.SendNextSubscriptionMessage()
		c.expect("next", "a")
		if n := e.tr.Metrics().SubscriptionsRefused.Load(); n != 1 {
			t.Fatalf("SubscriptionsRefused = %d", n)
		}
	})
}

type ctxKey struct{}

func TestAuthenticateContextReachesOperations(t *testing.T) {
	tr := ws.New(ws.Config{Authenticate: func(ctx context.Context, p map[string]any) (context.Context, error) {
		return context.WithValue(ctx, ctxKey{}, p["Authorization"]), nil
	}})
	e := newEnvWith(t, tr)
	seen := make(chan any, 1)
	e.es.AroundOperations(func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		seen <- ctx.Value(ctxKey{})
		return next(ctx)
	})
	c := e.dial("graphql-transport-ws")
	c.init(map[string]any{"Authorization": "Bearer ok"})
	c.subscribe("q", "{ name }")
	c.expect("next", "q")
	c.expect("complete", "q")
	select {
	case v := <-seen:
		if v != "Bearer ok" {
			t.Fatalf("operation saw %v", v)
		}
	case <-time.After(wait):
		t.Fatal("no operation ran")
	}
}

func TestMaxSocketsPerKey(t *testing.T) {
	e := newEnv(t, ws.Config{
		MaxSocketsPerKey: func(ctx context.Context) (string, int) { return "token-1", 1 },
	})
	first := e.dial("graphql-transport-ws")
	first.init(nil)
	second := e.dial("graphql-transport-ws")
	second.send(message{Type: "connection_init"})
	second.expectClose(ws.CloseTooManySockets, "Too many sockets")
	_ = first.c.Close()
	eventually(t, "the first socket to end", func() bool { return e.tr.Metrics().ActiveSockets.Load() == 0 })
	third := e.dial("graphql-transport-ws")
	third.init(nil)
	if n := e.tr.Metrics().DisconnectsOverLimit.Load(); n != 1 {
		t.Fatalf("DisconnectsOverLimit = %d", n)
	}
}

// TestMaxPendingPerKey: sockets that have not sent connection_init are
// capped per key; one more is refused with 429 before the upgrade, while
// another key still connects, and a slot frees once a socket sends
// connection_init or ends.
func TestMaxPendingPerKey(t *testing.T) {
	e := newEnv(t, ws.Config{
		MaxPendingPerKey: func(r *http.Request) (string, int) { return r.Header.Get("X-Client"), 2 },
	})
	from := func(client string) http.Header { return http.Header{"X-Client": {client}} }
	dial := func(client string) *client {
		t.Helper()
		c, err := e.tryDial(from(client), "graphql-transport-ws")
		if err != nil {
			t.Fatalf("%s: %v", client, err)
		}
		return c
	}
	first, second := dial("a"), dial("a")
	d := websocket.Dialer{Subprotocols: []string{"graphql-transport-ws"}, HandshakeTimeout: wait}
	_, resp, err := d.Dial(e.url, from("a"))
	if err == nil || resp == nil || resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "10" {
		t.Fatalf("a third socket without connection_init: %v %+v", err, resp)
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if !bytes.Contains(body, []byte(`"code":"RATE_LIMITED"`)) {
		t.Errorf("refusal body: %s", body)
	}
	dial("b")

	first.init(nil) // the slot is free once the socket says who it is
	third := dial("a")
	_ = second.c.Close() // or once the socket is gone
	eventually(t, "the closed socket's slot to free", func() bool {
		c, err := e.tryDial(from("a"), "graphql-transport-ws")
		if err == nil {
			_ = c.c.Close()
		}
		return err == nil
	})
	third.init(nil)
	if n := e.tr.Metrics().HandshakesOverPending.Load(); n < 1 {
		t.Errorf("HandshakesOverPending = %d", n)
	}
}

func TestSlowConsumerIsDisconnected(t *testing.T) {
	tr := ws.New(ws.Config{SendQueueSize: 1, SlowConsumerGrace: 20 * time.Millisecond})
	// The network "stalls" on the first next message until the test ends.
	release := make(chan struct{})
	var once sync.Once
	ws.SetBeforeWrite(tr, func(frame []byte) {
		if bytes.Contains(frame, []byte(`"type":"next"`)) {
			<-release
		}
	})
	e := newEnvWith(t, tr)
	t.Cleanup(func() { once.Do(func() { close(release) }) })
	c := e.dial("graphql-transport-ws")
	c.init(nil)
	c.subscribe("s", "subscription { name }")
	c.sync()
	e.es.SendNextSubscriptionMessage() // taken by the writer, which stalls
	e.es.SendNextSubscriptionMessage() // fills the queue
	e.es.SendNextSubscriptionMessage() // waits for room past the grace
	c.expectClose(ws.CloseSlowConsumer, "Try again later")
	if n := tr.Metrics().DisconnectsSlow.Load(); n != 1 {
		t.Fatalf("DisconnectsSlow = %d", n)
	}
	once.Do(func() { close(release) })
	eventually(t, "the socket to end", func() bool { return tr.Metrics().ActiveSockets.Load() == 0 })
}

func TestLegacyProtocol(t *testing.T) {
	t.Run("init, ack, start, data, stop, terminate", func(t *testing.T) {
		e := newEnv(t, ws.Config{})
		c := e.dial("graphql-ws")
		c.send(message{Type: "connection_init", Payload: json.RawMessage(`{}`)})
		if m := c.readAny(); m.Type != "connection_ack" {
			t.Fatalf("got %s, want connection_ack", m.Type)
		}
		if m := c.readAny(); m.Type != "ka" {
			t.Fatalf("got %s, want ka", m.Type)
		}
		c.send(message{Type: "start", ID: "1", Payload: json.RawMessage(`{"query":"subscription { name }"}`)})
		eventually(t, "the subscription to start", func() bool { return e.tr.Metrics().ActiveSubscriptions.Load() == 1 })
		e.es.SendNextSubscriptionMessage()
		if m := c.expect("data", "1"); string(m.Payload) != `{"data":{"name":"test"}}` {
			t.Fatalf("data payload %s", m.Payload)
		}
		c.send(message{Type: "stop", ID: "1"})
		eventually(t, "the subscription to stop", func() bool { return e.tr.Metrics().ActiveSubscriptions.Load() == 0 })
		c.send(message{Type: "start", ID: "2", Payload: json.RawMessage(`{"query":"{ name }"}`)})
		c.expect("data", "2")
		c.expect("complete", "2")
		c.send(message{Type: "start", ID: "3", Payload: json.RawMessage(`{"query":"{ nope }"}`)})
		c.expect("error", "3")
		c.send(message{Type: "connection_terminate"})
		c.expectClose(websocket.CloseNormalClosure, "")
	})
	t.Run("auth failure is connection_error then 4403", func(t *testing.T) {
		e := newEnv(t, ws.Config{Authenticate: func(ctx context.Context, p map[string]any) (context.Context, error) {
			return nil, errors.New("unknown token")
		}})
		c := e.dial("graphql-ws")
		c.send(message{Type: "connection_init"})
		m := c.expect("connection_error", "")
		if !bytes.Contains(m.Payload, []byte("unknown token")) {
			t.Fatalf("connection_error payload %s", m.Payload)
		}
		c.expectClose(ws.CloseForbidden, "Forbidden")
	})
	t.Run("malformed message is connection_error, socket stays", func(t *testing.T) {
		e := newEnv(t, ws.Config{})
		c := e.dial("graphql-ws")
		c.sendRaw(`nonsense`)
		c.expect("connection_error", "")
		c.send(message{Type: "connection_init"})
		c.expect("connection_ack", "")
	})
}

func TestShutdownClosesWithGoingAway(t *testing.T) {
	e := newEnv(t, ws.Config{})
	modern := e.dial("graphql-transport-ws")
	modern.init(nil)
	modern.subscribe("s", "subscription { name }")
	modern.sync()
	legacy := e.dial("graphql-ws")
	legacy.send(message{Type: "connection_init"})
	legacy.expect("connection_ack", "")

	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		done <- e.tr.Shutdown(ctx)
	}()
	modern.expectClose(websocket.CloseGoingAway, "Going away")
	legacy.expectClose(websocket.CloseGoingAway, "Going away")
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Shutdown: %v", err)
		}
	case <-time.After(wait):
		t.Fatal("Shutdown did not return")
	}
	m := e.tr.Metrics()
	if m.ActiveSockets.Load() != 0 || m.ActiveSubscriptions.Load() != 0 || m.DisconnectsShutdown.Load() != 2 {
		t.Fatalf("after Shutdown: sockets %d, subscriptions %d, shutdown disconnects %d",
			m.ActiveSockets.Load(), m.ActiveSubscriptions.Load(), m.DisconnectsShutdown.Load())
	}
	_, err := e.tryDial(http.Header{}, "graphql-transport-ws")
	var he *handshakeError
	if !errors.As(err, &he) || he.status != http.StatusServiceUnavailable {
		t.Fatalf("dial after Shutdown: %v, want 503", err)
	}
}

func TestShutdownWritesQueuedMessagesFirst(t *testing.T) {
	tr := ws.New(ws.Config{})
	// The writer stalls on the first next message until released, so that
	// more results are queued when Shutdown begins.
	stalled := make(chan struct{})
	release := make(chan struct{})
	var stallOnce, releaseOnce sync.Once
	ws.SetBeforeWrite(tr, func(frame []byte) {
		if bytes.Contains(frame, []byte(`"type":"next"`)) {
			stallOnce.Do(func() {
				close(stalled)
				<-release
			})
		}
	})
	e := newEnvWith(t, tr)
	t.Cleanup(func() { releaseOnce.Do(func() { close(release) }) })
	c := e.dial("graphql-transport-ws")
	c.init(nil)
	c.subscribe("s", "subscription { name }")
	c.sync()
	e.es.SendNextSubscriptionMessage() // taken by the writer, which stalls
	<-stalled
	e.es.SendNextSubscriptionMessage() // queued
	// This one is handed over only once the previous one is queued.
	e.es.SendNextSubscriptionMessage()

	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		done <- tr.Shutdown(ctx)
	}()
	eventually(t, "Shutdown to begin closing the socket", func() bool {
		return tr.Metrics().DisconnectsShutdown.Load() == 1
	})
	releaseOnce.Do(func() { close(release) })

	nexts := 0
	for {
		_ = c.c.SetReadDeadline(time.Now().Add(wait))
		_, b, err := c.c.ReadMessage()
		if err != nil {
			var ce *websocket.CloseError
			if !errors.As(err, &ce) || ce.Code != websocket.CloseGoingAway {
				t.Fatalf("got %v, want close 1001", err)
			}
			break
		}
		var m message
		_ = json.Unmarshal(b, &m)
		if m.Type != "next" {
			t.Fatalf("got %s before the close", b)
		}
		nexts++
	}
	if nexts < 2 {
		t.Fatalf("got %d next messages before the close, want the 2 queued ones at least", nexts)
	}
	if err := <-done; err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
}

// TestNoGoroutineLeak connects, subscribes and disconnects many times, half
// politely and half by dropping the TCP connection, then checks that every
// goroutine of those sockets has ended.
func TestNoGoroutineLeak(t *testing.T) {
	e := newEnv(t, ws.Config{})
	m := e.tr.Metrics()
	cycle := func(i int) {
		d := websocket.Dialer{Subprotocols: []string{"graphql-transport-ws"}, HandshakeTimeout: wait}
		conn, _, err := d.Dial(e.url, nil)
		if err != nil {
			t.Fatalf("cycle %d: dial: %v", i, err)
		}
		c := &client{t: t, c: conn}
		c.init(nil)
		c.subscribe("s", "subscription { name }")
		c.sync()
		if i%2 == 0 {
			_ = conn.WriteControl(websocket.CloseMessage,
				websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(wait))
			_ = conn.SetReadDeadline(time.Now().Add(wait))
			for {
				if _, _, err := conn.ReadMessage(); err != nil {
					break
				}
			}
		}
		_ = conn.Close()
	}
	settled := func() bool { return m.ActiveSockets.Load() == 0 && m.ActiveSubscriptions.Load() == 0 }

	cycle(-1) // warm up the HTTP server and client
	eventually(t, "the warm-up socket to end", settled)
	base := runtime.NumGoroutine()

	const cycles = 1000
	for i := 0; i < cycles; i++ {
		cycle(i)
	}
	const slack = 3
	deadline := time.Now().Add(10 * time.Second)
	for !settled() || runtime.NumGoroutine() > base+slack {
		if time.Now().After(deadline) {
			var buf bytes.Buffer
			_ = pprof.Lookup("goroutine").WriteTo(&buf, 1)
			t.Fatalf("after %d cycles: %d sockets, %d subscriptions, %d goroutines (baseline %d)\n%s",
				cycles, m.ActiveSockets.Load(), m.ActiveSubscriptions.Load(), runtime.NumGoroutine(), base, buf.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if got := m.SocketsAccepted.Load(); got != cycles+1 {
		t.Fatalf("SocketsAccepted = %d, want %d", got, cycles+1)
	}
}
