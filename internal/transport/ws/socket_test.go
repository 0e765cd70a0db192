package ws_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/testserver"

	"github.com/usergroups/usergroups/internal/transport/ws"
)

// The handshake's handler returns once the socket is upgraded, so that an
// idle socket keeps neither the HTTP server's goroutine nor its state; the
// socket goes on being served.
func TestHandshakeHandlerReturnsWhileTheSocketLives(t *testing.T) {
	tr := ws.New(ws.Config{})
	es := testserver.New()
	es.AddTransport(tr)
	returned := make(chan struct{}, 4)
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		es.ServeHTTP(w, r)
		returned <- struct{}{}
	}))
	t.Cleanup(hs.Close)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		if err := tr.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	})
	e := &env{t: t, es: es, tr: tr, url: "ws" + strings.TrimPrefix(hs.URL, "http")}
	c := e.dial("graphql-transport-ws")
	c.init(nil)
	select {
	case <-returned:
	case <-time.After(wait):
		t.Fatal("the handler did not return after the upgrade")
	}
	c.subscribe("s1", "subscription { name }")
	c.sync()
	es.SendNextSubscriptionMessage()
	if m := c.expect("next", "s1"); string(m.Payload) != `{"data":{"name":"test"}}` {
		t.Fatalf("next payload %s", m.Payload)
	}
	if n := tr.Metrics().ActiveSockets.Load(); n != 1 {
		t.Fatalf("ActiveSockets = %d, want 1", n)
	}
}

// A panic in the socket's reader (here in Authenticate) ends that socket
// and is reported to Ended; the server goes on serving the others.
func TestReaderPanicEndsOnlyItsSocket(t *testing.T) {
	ended := make(chan ws.Session, 4)
	e := newEnv(t, ws.Config{
		Authenticate: func(ctx context.Context, p map[string]any) (context.Context, error) {
			if p["panic"] == true {
				panic("authenticate exploded")
			}
			return ctx, nil
		},
		Ended: func(_ context.Context, s ws.Session) { ended <- s },
	})
	bad := e.dial("graphql-transport-ws")
	bad.send(message{Type: "connection_init", Payload: json.RawMessage(`{"panic":true}`)})
	_ = bad.c.SetReadDeadline(time.Now().Add(wait))
	if _, b, err := bad.c.ReadMessage(); err == nil {
		t.Fatalf("got %s, want the socket dropped", b)
	}
	select {
	case s := <-ended:
		if !strings.Contains(s.Panic, "authenticate exploded") {
			t.Fatalf("Session.Panic = %q", s.Panic)
		}
	case <-time.After(wait):
		t.Fatal("Ended was not called")
	}
	good := e.dial("graphql-transport-ws")
	good.init(nil)
	good.sync()
}
