// Package mailtest runs a real SMTP server on a TCP port of 127.0.0.1 for
// tests: it records what it is given, refuses chosen recipients and can
// answer DATA with a transient failure a number of times first.
package mailtest

import (
	"io"
	"log"
	"net"
	"strconv"
	"sync"
	"testing"

	"github.com/emersion/go-smtp"
)

// Mail is one message as the server received it.
type Mail struct {
	From string
	To   []string
	Data []byte
}

// Server is an SMTP server's recording backend; set its fields before Start.
type Server struct {
	// Reject refuses the recipients it names with their reply.
	Reject map[string]*smtp.SMTPError
	// Transient makes DATA answer 451 this many times before it accepts.
	Transient int

	mu  sync.Mutex
	got []Mail
}

// Start serves s until the test ends and returns its smtp:// URL.
func Start(t testing.TB, s *Server) string {
	t.Helper()
	srv := smtp.NewServer(s)
	srv.Domain = "localhost"
	srv.ErrorLog = log.New(io.Discard, "", 0) // aborted sessions are expected
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return "smtp://127.0.0.1:" + strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}

// Mails returns what was accepted so far, in order.
func (s *Server) Mails() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mail(nil), s.got...)
}

// To returns the accepted messages addressed to addr.
func (s *Server) To(addr string) []Mail {
	var out []Mail
	for _, m := range s.Mails() {
		for _, to := range m.To {
			if to == addr {
				out = append(out, m)
				break
			}
		}
	}
	return out
}

// NewSession starts a session (go-smtp's Backend).
func (s *Server) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{s: s}, nil }

type session struct {
	s   *Server
	cur Mail
}

func (c *session) Mail(from string, _ *smtp.MailOptions) error {
	c.cur = Mail{From: from}
	return nil
}

func (c *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	if e := c.s.Reject[to]; e != nil {
		return e
	}
	c.cur.To = append(c.cur.To, to)
	return nil
}

func (c *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	if c.s.Transient > 0 {
		c.s.Transient--
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	c.cur.Data = data
	c.s.got = append(c.s.got, c.cur)
	return nil
}

func (c *session) Reset()        { c.cur = Mail{} }
func (c *session) Logout() error { return nil }
