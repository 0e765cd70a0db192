package ws_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/usergroups/usergroups/internal/transport/ws"
)

// TestCredentialEndingClosesTheSocket: when the context Authenticate
// returned ends (the credential was revoked), the socket is closed with
// 4403 and its running subscription ends with it; a socket that ends on
// its own is not counted as forbidden.
func TestCredentialEndingClosesTheSocket(t *testing.T) {
	for _, proto := range []string{"graphql-transport-ws", "graphql-ws"} {
		t.Run(proto, func(t *testing.T) {
			revoked := make(chan context.CancelFunc, 2)
			e := newEnv(t, ws.Config{Authenticate: func(ctx context.Context, p map[string]any) (context.Context, error) {
				ctx, cancel := context.WithCancel(ctx)
				revoked <- cancel
				return ctx, nil
			}})
			c := e.dial(proto)
			c.init(nil)
			revoke := <-revoked
			if proto == "graphql-ws" {
				c.send(message{Type: "start", ID: "s", Payload: json.RawMessage(`{"query":"subscription { name }"}`)})
			} else {
				c.subscribe("s", "subscription { name }")
			}
			eventually(t, "the subscription to start", func() bool { return e.tr.Metrics().ActiveSubscriptions.Load() == 1 })
			revoke()
			c.expectClose(ws.CloseForbidden, "Forbidden")
			eventually(t, "the subscription to end", func() bool { return e.tr.Metrics().ActiveSubscriptions.Load() == 0 })

			kept := e.dial(proto)
			kept.init(nil)
			<-revoked
			_ = kept.c.Close()
			eventually(t, "the sockets to end", func() bool { return e.tr.Metrics().ActiveSockets.Load() == 0 })
			if n := e.tr.Metrics().DisconnectsForbidden.Load(); n != 1 {
				t.Errorf("DisconnectsForbidden = %d, want 1 (the revoked socket only)", n)
			}
		})
	}
}
