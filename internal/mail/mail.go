package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/base32"
	"errors"
	"fmt"
	"net"
	netmail "net/mail"
	"net/textproto"
	"strconv"
	"strings"
	"sync"

	gomail "github.com/wneessen/go-mail"
)

// Attachment is a file sent with a message, such as the logo pack of a
// recognition letter.
type Attachment struct {
	// Name is the file name the recipient sees.
	Name string
	// ContentType defaults to application/octet-stream.
	ContentType string
	// Data is sent base64-encoded, byte for byte.
	Data []byte
}

// Message is one outbox message to one recipient; one recipient per message
// keeps a bounce attributable to a single address.
type Message struct {
	// From is an RFC 5322 address, optionally with a display name; its domain names generated Message-IDs.
	From string
	// To is the single recipient's address.
	To string
	// Subject may hold any Unicode text; it is encoded per RFC 2047.
	Subject string
	// Text is the plain-text body; Text or HTML must be set.
	Text string
	// HTML, when set, is sent as an alternative to Text.
	HTML        string
	Attachments []Attachment
	// MessageID is generated when empty; set it to keep retries recognisable.
	MessageID string
	// ListUnsubscribeURL, when set, adds RFC 8058 one-click unsubscribe
	// headers to notices: an https URL is listed first in List-Unsubscribe,
	// with List-Unsubscribe-Post. An http URL (a development server on
	// localhost) is listed without List-Unsubscribe-Post, which RFC 8058
	// allows only with https.
	ListUnsubscribeURL string
	// ListUnsubscribeMailto, a mailto: URI, is added to List-Unsubscribe; alone
	// (without ListUnsubscribeURL) it sends no List-Unsubscribe-Post, which
	// RFC 8058 allows only beside an https URI.
	ListUnsubscribeMailto string
	// Kind names the outbox template the message comes from, for logs; it is not sent.
	Kind string
}

// SendError wraps a delivery failure with the SMTP reply code, so callers can
// tell a bounce (mark the address) from a failure worth retrying.
type SendError struct {
	// Code is the SMTP reply code, or 0 when there was none (network error, invalid message).
	Code int
	// Permanent is true when retrying cannot help: a 5xx reply to MAIL, RCPT or
	// DATA (a bounce), or an invalid message. A 5xx reply to the greeting or
	// AUTH is our configuration's fault, so it stays transient: no address is
	// marked and the message waits in the outbox until the setting is fixed.
	Permanent bool
	// Err is the underlying failure, kept for errors.Is and errors.As.
	Err error
}

// Error reports the failure with its SMTP code and class.
func (e *SendError) Error() string {
	class := "transient"
	if e.Permanent {
		class = "permanent"
	}
	if e.Code != 0 {
		return fmt.Sprintf("mail: %s failure (smtp %d): %v", class, e.Code, e.Err)
	}
	return fmt.Sprintf("mail: %s failure: %v", class, e.Err)
}

// Unwrap exposes the underlying error for errors.Is and errors.As.
func (e *SendError) Unwrap() error { return e.Err }

// IsPermanent reports whether err is a failure that a retry cannot fix, so the
// caller stops retrying: an SMTP 5xx reply to the transaction (mark the
// address as bounced) or an invalid message. 4xx replies, network errors,
// connection-level 5xx replies and cancellation are transient.
func IsPermanent(err error) bool {
	var se *SendError
	return errors.As(err, &se) && se.Permanent
}

// Sender delivers messages to one SMTP server; it holds no connection, so it
// is safe for concurrent use.
type Sender struct {
	cfg Config
	// rootCAs replaces the system roots; tests use it to trust their own server.
	rootCAs *x509.CertPool
}

// NewSender returns a Sender for cfg, usually from ParseSMTPURL.
func NewSender(cfg Config) *Sender {
	return &Sender{cfg: cfg}
}

// Send delivers m in one SMTP session. Every failure is a *SendError; ctx
// cancellation aborts the session, including after the connection is up.
func (s *Sender) Send(ctx context.Context, m Message) error {
	msg, err := buildMsg(m)
	if err != nil {
		return &SendError{Permanent: true, Err: err}
	}
	if err := ctx.Err(); err != nil {
		return &SendError{Err: err}
	}
	// Dial ourselves to hold the raw connection: closing it is the only way to
	// interrupt a command that is waiting for the server's reply.
	var (
		mu     sync.Mutex
		raw    net.Conn
		closed bool // ctx ended: a connection made from now on is closed at once
	)
	dial := func(dctx context.Context, network, addr string) (net.Conn, error) {
		var c net.Conn
		var err error
		d := &net.Dialer{}
		if s.cfg.TLS == ImplicitTLS {
			td := &tls.Dialer{NetDialer: d, Config: s.tlsConfig()}
			c, err = td.DialContext(dctx, network, addr)
		} else {
			c, err = d.DialContext(dctx, network, addr)
		}
		if err != nil {
			return nil, err
		}
		mu.Lock()
		defer mu.Unlock()
		if closed {
			_ = c.Close()
			return nil, ctx.Err() // the outer ctx: it is done before closeRaw runs
		}
		raw = c
		return c, nil
	}
	client, err := gomail.NewClient(s.cfg.Host, append(s.clientOptions(), gomail.WithDialContextFunc(dial))...)
	if err != nil {
		return &SendError{Permanent: true, Err: fmt.Errorf("smtp client: %w", err)}
	}
	// Close the connection when ctx ends, so a stalled server cannot hold us
	// during the greeting, authentication or the transaction.
	closeRaw := func() {
		mu.Lock()
		defer mu.Unlock()
		closed = true
		if raw != nil {
			_ = raw.Close()
		}
	}
	stop := context.AfterFunc(ctx, closeRaw)
	conn, err := client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		stop()
		closeRaw() // go-mail leaves the connection open when EHLO, STARTTLS or AUTH fail
		return classify(ctx, fmt.Errorf("connect to %s:%d: %w", s.cfg.Host, s.cfg.Port, err), false)
	}
	err = client.SendWithSMTPClient(conn, msg)
	canceled := !stop()
	if err == nil {
		// The message was accepted; a failed QUIT cannot undo that, and
		// reporting it would make the caller send the message twice.
		_ = client.CloseWithSMTPClient(conn)
		return nil
	}
	if !canceled {
		if cerr := client.CloseWithSMTPClient(conn); cerr != nil {
			err = errors.Join(err, fmt.Errorf("close: %w", cerr))
		}
	}
	return classify(ctx, err, true)
}

func (s *Sender) tlsConfig() *tls.Config {
	return &tls.Config{ServerName: s.cfg.Host, MinVersion: tls.VersionTLS12, RootCAs: s.rootCAs}
}

func (s *Sender) clientOptions() []gomail.Option {
	opts := []gomail.Option{gomail.WithPort(s.cfg.Port), gomail.WithTLSConfig(s.tlsConfig())}
	switch s.cfg.TLS {
	case ImplicitTLS:
		opts = append(opts, gomail.WithSSL())
	case STARTTLSRequired:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	}
	if s.cfg.Username != "" {
		// PLAIN and LOGIN are refused by go-mail without TLS except to localhost.
		opts = append(opts,
			gomail.WithOpportunisticSMTPAuth(gomail.SMTPAuthSCRAMSHA256, gomail.SMTPAuthSCRAMSHA1,
				gomail.SMTPAuthCramMD5, gomail.SMTPAuthPlain, gomail.SMTPAuthLogin),
			gomail.WithUsername(s.cfg.Username), gomail.WithPassword(s.cfg.Password))
	}
	return opts
}

// classify wraps err in a *SendError carrying the SMTP reply code; a 5xx
// reply is permanent only when it answers the transaction (bounceable).
func classify(ctx context.Context, err error, transaction bool) error {
	code := replyCode(err)
	permanent := transaction && code >= 500 && code < 600
	if ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
		err = errors.Join(err, ctx.Err())
	}
	return &SendError{Code: code, Permanent: permanent, Err: err}
}

// replyCode finds the SMTP reply code in err, or 0.
func replyCode(err error) int {
	var tp *textproto.Error
	if errors.As(err, &tp) {
		return tp.Code
	}
	var gse *gomail.SendError
	if errors.As(err, &gse) {
		if c := gse.ErrorCode(); c != 0 {
			return c
		}
		// go-mail's SendError hides its cause; its text starts with the reply.
		msg := gse.Error()
		if i := strings.Index(msg, ": "); i >= 0 && len(msg) >= i+5 {
			if c, cerr := strconv.Atoi(msg[i+2 : i+5]); cerr == nil && c >= 400 && c < 600 {
				return c
			}
		}
	}
	return 0
}

func buildMsg(m Message) (*gomail.Msg, error) {
	if m.To == "" {
		return nil, errors.New("message has no recipient")
	}
	if m.Text == "" && m.HTML == "" {
		return nil, errors.New("message has no body")
	}
	from, err := netmail.ParseAddress(m.From)
	if err != nil {
		return nil, fmt.Errorf("invalid From %q: %w", m.From, err)
	}
	msg := gomail.NewMsg(gomail.WithCharset(gomail.CharsetUTF8))
	msg.FromMailAddress(from)
	if err := msg.To(m.To); err != nil {
		return nil, fmt.Errorf("invalid To %q: %w", m.To, err)
	}
	msg.Subject(m.Subject)
	msg.SetDate()
	id := strings.Trim(m.MessageID, "<>")
	if id == "" {
		id = newMessageID(from.Address)
	}
	msg.SetMessageIDWithValue(id)
	var more []string
	if m.ListUnsubscribeMailto != "" {
		if !strings.HasPrefix(m.ListUnsubscribeMailto, "mailto:") {
			return nil, fmt.Errorf("list-unsubscribe: %q is not a mailto: URI", m.ListUnsubscribeMailto)
		}
		more = append(more, m.ListUnsubscribeMailto)
	}
	switch {
	case strings.HasPrefix(m.ListUnsubscribeURL, "http://"):
		msg.SetListUnsubscribe(append([]string{m.ListUnsubscribeURL}, more...)...)
	case m.ListUnsubscribeURL != "":
		if err := msg.SetListUnsubscribeOneClick(m.ListUnsubscribeURL, more...); err != nil {
			return nil, fmt.Errorf("list-unsubscribe: %w", err)
		}
	case len(more) > 0:
		msg.SetListUnsubscribe(more...)
	}
	switch {
	case m.Text != "" && m.HTML != "":
		msg.SetBodyString(gomail.TypeTextPlain, m.Text)
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	case m.HTML != "":
		msg.SetBodyString(gomail.TypeTextHTML, m.HTML)
	default:
		msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	}
	for _, a := range m.Attachments {
		if a.Name == "" {
			return nil, errors.New("attachment without a name")
		}
		ct := a.ContentType
		if ct == "" {
			ct = "application/octet-stream"
		}
		if err := msg.AttachReader(a.Name, bytes.NewReader(a.Data),
			gomail.WithFileContentType(gomail.ContentType(ct))); err != nil {
			return nil, fmt.Errorf("attachment %q: %w", a.Name, err)
		}
	}
	return msg, nil
}

// newMessageID returns random@domain-of-from; the random part makes it unique.
func newMessageID(from string) string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	domain := "localhost"
	if i := strings.LastIndex(from, "@"); i >= 0 && i+1 < len(from) {
		domain = from[i+1:]
	}
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:])) + "@" + domain
}
