package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/server"
)

// serveHTTP runs the whole API behind the http.Server `usergroups serve`
// uses, with the given timeouts, and returns its address.
func serveHTTP(t *testing.T, tmo server.Timeouts) string {
	t.Helper()
	api := server.New(dbtest.Open(t), server.Config{Logger: quietLogger()})
	srv := server.HTTPServer(api, tmo, quietLogger())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() {
		_ = api.Shutdown(context.Background())
		_ = srv.Close()
	})
	return ln.Addr().String()
}

// shortTimeouts are the rules of DefaultTimeouts at a scale a test can
// wait for: bodies at 1,000 bytes a second after a second, the rest far
// longer than any exchange here takes.
var shortTimeouts = server.Timeouts{ReadHeader: 5 * time.Second, Read: time.Minute, Write: time.Minute, Idle: time.Minute,
	MinBodyRate: 1000, BodyGrace: time.Second}

// trickle sends a POST of body to addr in chunks of size, one every gap,
// and returns what the server answered, how much of the body it had sent
// when the answer came, and how long that took.
func trickle(t *testing.T, addr, body string, size int, gap time.Duration) (status int, sent int, took time.Duration) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	if _, err := fmt.Fprintf(conn, "POST /graphql HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", addr, len(body)); err != nil {
		t.Fatal(err)
	}
	answered := make(chan int, 1)
	go func() {
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			answered <- 0
			return
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		answered <- resp.StatusCode
	}()
	for sent < len(body) {
		select {
		case status = <-answered:
			return status, sent, time.Since(start)
		case <-time.After(gap):
		}
		n := min(size, len(body)-sent)
		if _, err := io.WriteString(conn, body[sent:sent+n]); err != nil {
			break
		}
		sent += n
	}
	select {
	case status = <-answered:
	case <-time.After(time.Minute):
		t.Fatal("no answer a minute after the body was sent")
	}
	return status, sent, time.Since(start)
}

// TestSlowBodyIsCutOff: a body sent a byte at a time, far under the
// minimum rate, loses its connection soon after the grace period — long
// before it would have finished, and long before the read timeout — while
// a body that is slow but keeps to the rate is answered.
func TestSlowBodyIsCutOff(t *testing.T) {
	addr := serveHTTP(t, shortTimeouts)

	loris := `{"query":"{ groups { totalCount } }"}` + strings.Repeat(" ", 200)
	status, sent, took := trickle(t, addr, loris, 1, 100*time.Millisecond)
	if sent == len(loris) || status == http.StatusOK {
		t.Errorf("a body at 10 bytes a second was read in full (%d of %d bytes, status %d, %v)", sent, len(loris), status, took)
	}
	t.Logf("slow body cut off after %d bytes, %v (status %d)", sent, took, status)

	// 10,000 bytes a second, ten times the minimum, for twice the grace.
	steady := `{"query":"{ groups { totalCount } }"}` + strings.Repeat(" ", 20000)
	status, sent, took = trickle(t, addr, steady, 1000, 100*time.Millisecond)
	if status != http.StatusOK || sent != len(steady) {
		t.Errorf("a steady body: status %d after %d of %d bytes, %v", status, sent, len(steady), took)
	}
}

// TestDefaultTimeoutsLetSlowLinksThrough: with the defaults, a 1 MiB body
// on a 64 kbit/s link arrives within the read timeout and never falls
// behind the minimum rate, and an answer may take longer than an operation.
func TestDefaultTimeoutsLetSlowLinksThrough(t *testing.T) {
	d := server.DefaultTimeouts()
	const link = 64_000 / 8 // bytes a second
	if d.MinBodyRate > link {
		t.Errorf("the minimum body rate %d B/s is above a 64 kbit/s link's %d", d.MinBodyRate, link)
	}
	if took := time.Duration(1<<20/link) * time.Second; took+d.BodyGrace > d.Read {
		t.Errorf("a 1 MiB body takes %v at 64 kbit/s; the read timeout is %v", took, d.Read)
	}
	if err := d.Validate(10 * time.Second); err != nil {
		t.Errorf("defaults with the default operation timeout: %v", err)
	}
	if err := d.Validate(d.Write); err == nil {
		t.Error("a write timeout no longer than the operation timeout was accepted")
	}
}

// TestWebSocketOutlivesHTTPTimeouts: the http.Server's deadlines are for
// requests; a websocket open for several times all of them still answers.
func TestWebSocketOutlivesHTTPTimeouts(t *testing.T) {
	const short = 200 * time.Millisecond
	addr := serveHTTP(t, server.Timeouts{ReadHeader: short, Read: short, Write: short, Idle: short, MinBodyRate: 1000, BodyGrace: short})
	d := websocket.Dialer{Subprotocols: []string{"graphql-transport-ws"}}
	conn, _, err := d.Dial("ws://"+addr+"/graphql", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ws := &socket{t: t, conn: conn}
	ws.send(map[string]any{"type": "connection_init", "payload": map[string]any{}})
	if m := ws.read(); m["type"] != "connection_ack" {
		t.Fatalf("init: %v", m)
	}
	time.Sleep(5 * short)
	for i := range 3 {
		ws.send(map[string]any{"type": "ping"})
		if m := ws.read(); m["type"] != "pong" {
			b, _ := json.Marshal(m)
			t.Fatalf("ping %d after %v: %s", i, 5*short, b)
		}
		time.Sleep(2 * short)
	}
}
