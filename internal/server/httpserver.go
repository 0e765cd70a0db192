package server

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"
)

// Timeouts bound how long a client may take over each part of an HTTP
// exchange, so that a slow one (by accident or on purpose: one byte every
// few seconds) cannot hold a connection and its goroutine for ever.
// Websockets are not bound by them: the websocket transport clears the
// deadlines on upgrade and keeps a connection alive with ping and pong.
type Timeouts struct {
	// ReadHeader is the time to send a request's headers.
	ReadHeader time.Duration
	// Read caps the time to send a whole request, headers and body.
	Read time.Duration
	// Write is the time to answer: from the end of the request (its body,
	// or its headers when it has none) to the last byte of the response.
	// It must be longer than an operation may run.
	Write time.Duration
	// Idle is how long a kept-alive connection may wait for its next request.
	Idle time.Duration
	// MinBodyRate is the slowest a request body may arrive, in bytes a
	// second on average after BodyGrace: each byte received buys
	// 1/MinBodyRate seconds more. A body slower than that is cut off and
	// its connection closed. 0 turns the rule off (Read alone applies).
	MinBodyRate int64
	// BodyGrace is the time a body has before the rate counts: a client's
	// first round trips, TCP slow start.
	BodyGrace time.Duration
}

// DefaultTimeouts lets a client on a 64 kbit/s link send a 1 MiB body
// (131 s at 8,000 bytes a second) and refuses one slower than that.
func DefaultTimeouts() Timeouts {
	return Timeouts{
		ReadHeader:  10 * time.Second,
		Read:        3 * time.Minute,
		Write:       time.Minute,
		Idle:        2 * time.Minute,
		MinBodyRate: 8000,
		BodyGrace:   10 * time.Second,
	}
}

// Validate refuses timeouts that would cut off an operation allowed to
// run for operation, or a body before its headers.
func (t Timeouts) Validate(operation time.Duration) error {
	if t.ReadHeader < 0 || t.Read < 0 || t.Write < 0 || t.Idle < 0 || t.MinBodyRate < 0 || t.BodyGrace < 0 {
		return errors.New("timeouts and the body rate cannot be negative")
	}
	if t.Write > 0 && operation > 0 && t.Write <= operation {
		return fmt.Errorf("the write timeout (%s) must be longer than the operation timeout (%s), or answers are cut off", t.Write, operation)
	}
	if t.Read > 0 && t.ReadHeader > t.Read {
		return fmt.Errorf("the read-header timeout (%s) cannot be longer than the read timeout (%s)", t.ReadHeader, t.Read)
	}
	return nil
}

// HTTPServer returns the http.Server that serves h with t's timeouts, its
// own errors (TLS handshakes, broken connections) logged at warn.
func HTTPServer(h http.Handler, t Timeouts, log *slog.Logger) *http.Server {
	if log == nil {
		log = slog.Default()
	}
	return &http.Server{
		Handler:           bodyDeadline(h, t),
		ReadHeaderTimeout: t.ReadHeader,
		ReadTimeout:       t.Read,
		WriteTimeout:      t.Write,
		IdleTimeout:       t.Idle,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// bodyDeadline holds request bodies to Timeouts.MinBodyRate. It must wrap
// the handler the http.Server calls, whose ResponseWriter sets the
// connection's deadlines.
func bodyDeadline(next http.Handler, t Timeouts) http.Handler {
	if t.MinBodyRate <= 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody {
			next.ServeHTTP(w, r)
			return
		}
		start := time.Now()
		b := &rateBody{ReadCloser: r.Body, rc: http.NewResponseController(w), t: t, start: start}
		if t.Read > 0 {
			b.latest = start.Add(t.Read)
		}
		r.Body = b
		next.ServeHTTP(w, r)
	})
}

// rateBody moves the connection's read deadline as a body arrives: grace
// plus the time its bytes so far are worth at the minimum rate, never past
// the Read timeout.
type rateBody struct {
	io.ReadCloser
	rc     *http.ResponseController
	t      Timeouts
	start  time.Time
	latest time.Time
	n      int64
	done   bool
}

func (b *rateBody) Read(p []byte) (int, error) {
	if b.done {
		return b.ReadCloser.Read(p)
	}
	deadline := b.start.Add(b.t.BodyGrace + time.Duration(b.n)*time.Second/time.Duration(b.t.MinBodyRate))
	if !b.latest.IsZero() && deadline.After(b.latest) {
		deadline = b.latest
	}
	_ = b.rc.SetReadDeadline(deadline)
	n, err := b.ReadCloser.Read(p)
	b.n += int64(n)
	if errors.Is(err, io.EOF) {
		// The whole body is in. net/http now reads the connection in the
		// background to notice a client going away, and a deadline that
		// passes there cancels the request's context: lift it. The
		// answer gets its full write time however long the body took.
		b.done = true
		_ = b.rc.SetReadDeadline(time.Time{})
		if b.t.Write > 0 {
			_ = b.rc.SetWriteDeadline(time.Now().Add(b.t.Write))
		}
	}
	return n, err
}
