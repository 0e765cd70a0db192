package ws

import "context"

// A credential can stop being valid while its sockets are open (an API
// token revoked, an OIDC token past its exp). Authenticate says so by
// ending the context it returned: every operation of the socket derives
// from that context and stops at once, and the socket is closed with 4403
// "Forbidden", as a connection_init with that credential now would be. A
// context that ends because the socket itself ends closes nothing.

// closeWhenRevoked arms the 4403 close for ctx, what Authenticate returned.
func (c *conn) closeWhenRevoked(ctx context.Context) {
	if ctx == c.ctx || ctx.Done() == nil {
		return // ends with the socket, or never
	}
	stop := context.AfterFunc(ctx, func() {
		if c.ctx.Err() == nil {
			c.requestClose(CloseForbidden, "Forbidden", false)
		}
	})
	// A context not derived from the socket's must not keep the socket
	// reachable after it ends.
	context.AfterFunc(c.ctx, func() { stop() })
}
