package mail

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"mime"
	"mime/multipart"
	"net"
	netmail "net/mail"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// received is one message as the test server saw it.
type received struct {
	TLS  bool
	From string
	To   []string
	Data []byte
}

// backend is an SMTP server backend that records messages, rejects chosen
// recipients with a chosen reply, and can hold a recipient until released.
type backend struct {
	user, pass string                     // when set, AUTH PLAIN is required
	reject     map[string]*smtp.SMTPError // recipient → reply
	hold       string                     // recipient whose RCPT blocks until release closes
	entered    chan struct{}
	release    chan struct{}

	mu   sync.Mutex
	msgs []received
}

func (b *backend) NewSession(c *smtp.Conn) (smtp.Session, error) { return &session{b: b, conn: c}, nil }

func (b *backend) messages() []received {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]received(nil), b.msgs...)
}

type session struct {
	b      *backend
	conn   *smtp.Conn
	authed bool
	cur    received
}

func (s *session) AuthMechanisms() []string {
	if s.b.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != s.b.user || pass != s.b.pass {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "bad credentials"}
		}
		s.authed = true
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.b.user != "" && !s.authed {
		return smtp.ErrAuthRequired
	}
	s.cur = received{From: from}
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if to == s.b.hold {
		close(s.b.entered)
		<-s.b.release
	}
	if e := s.b.reject[to]; e != nil {
		return e
	}
	s.cur.To = append(s.cur.To, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.Data = data
	_, s.cur.TLS = s.conn.TLSConnectionState()
	s.b.mu.Lock()
	s.b.msgs = append(s.b.msgs, s.cur)
	s.b.mu.Unlock()
	return nil
}

func (s *session) Reset()        { s.cur = received{} }
func (s *session) Logout() error { return nil }

// startServer runs a real SMTP server on 127.0.0.1 and returns a Sender for it.
func startServer(t *testing.T, be *backend) *Sender {
	t.Helper()
	srv := smtp.NewServer(be)
	srv.Domain = "localhost"
	srv.ErrorLog = log.New(io.Discard, "", 0) // expected aborted handshakes and closed connections
	srv.AllowInsecureAuth = true
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	port := l.Addr().(*net.TCPAddr).Port
	u := "smtp://127.0.0.1:" + strconv.Itoa(port)
	if be.user != "" {
		u = "smtp://" + be.user + ":" + be.pass + "@127.0.0.1:" + strconv.Itoa(port)
	}
	cfg, err := ParseSMTPURL(u)
	if err != nil {
		t.Fatal(err)
	}
	return NewSender(cfg)
}

func testMessage() Message {
	return Message{
		From:               "Usergroups <noreply@groups.example.org>",
		To:                 "ada@example.com",
		Subject:            "感谢您的贡献 — recognition",
		Text:               "Thank you, 谢谢!",
		HTML:               "<p>Thank you, <b>谢谢</b>!</p>",
		ListUnsubscribeURL: "https://groups.example.org/unsubscribe?t=abc",
		Attachments: []Attachment{{
			Name: "logo.png", ContentType: "image/png",
			Data: []byte("\x89PNG\r\n\x1a\n\x00\x01binary\xff"),
		}},
	}
}

func TestSendHeadersPartsAttachment(t *testing.T) {
	be := &backend{}
	s := startServer(t, be)
	if err := s.Send(context.Background(), testMessage()); err != nil {
		t.Fatalf("Send: %v", err)
	}
	msgs := be.messages()
	if len(msgs) != 1 {
		t.Fatalf("got %d messages, want 1", len(msgs))
	}
	got := msgs[0]
	if got.From != "noreply@groups.example.org" || len(got.To) != 1 || got.To[0] != "ada@example.com" {
		t.Errorf("envelope = %q → %q", got.From, got.To)
	}
	m, err := netmail.ReadMessage(bytes.NewReader(got.Data))
	if err != nil {
		t.Fatal(err)
	}
	h := m.Header
	if from, err := h.AddressList("From"); err != nil || from[0].Address != "noreply@groups.example.org" || from[0].Name != "Usergroups" {
		t.Errorf("From = %q (%v)", h.Get("From"), err)
	}
	if to, err := h.AddressList("To"); err != nil || to[0].Address != "ada@example.com" {
		t.Errorf("To = %q (%v)", h.Get("To"), err)
	}
	if raw := h.Get("Subject"); !strings.Contains(raw, "=?UTF-8?") {
		t.Errorf("Subject not RFC 2047 encoded: %q", raw)
	}
	subj, err := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
	if err != nil || subj != "感谢您的贡献 — recognition" {
		t.Errorf("Subject = %q (%v)", subj, err)
	}
	if id := h.Get("Message-Id"); !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, "@groups.example.org>") || len(id) < 20 {
		t.Errorf("Message-ID = %q", id)
	}
	if v := h.Get("List-Unsubscribe"); v != "<https://groups.example.org/unsubscribe?t=abc>" {
		t.Errorf("List-Unsubscribe = %q", v)
	}
	if v := h.Get("List-Unsubscribe-Post"); v != "List-Unsubscribe=One-Click" {
		t.Errorf("List-Unsubscribe-Post = %q", v)
	}

	mt, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil || mt != "multipart/mixed" {
		t.Fatalf("Content-Type = %q (%v)", h.Get("Content-Type"), err)
	}
	mixed := multipart.NewReader(m.Body, params["boundary"])
	var texts = map[string]string{}
	var attachment []byte
	var attachmentName string
	for {
		p, err := mixed.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		pt, pparams, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		switch {
		case pt == "multipart/alternative":
			alt := multipart.NewReader(p, pparams["boundary"])
			for {
				ap, err := alt.NextPart()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				at, _, _ := mime.ParseMediaType(ap.Header.Get("Content-Type"))
				body, err := io.ReadAll(ap) // quoted-printable is decoded by NextPart
				if err != nil {
					t.Fatal(err)
				}
				texts[at] = string(body)
			}
		case pt == "image/png":
			attachmentName = p.FileName()
			if enc := p.Header.Get("Content-Transfer-Encoding"); !strings.EqualFold(enc, "base64") {
				t.Errorf("attachment encoding = %q", enc)
			}
			attachment, err = io.ReadAll(base64.NewDecoder(base64.StdEncoding, p))
			if err != nil {
				t.Fatal(err)
			}
		default:
			t.Errorf("unexpected part %q", pt)
		}
	}
	if texts["text/plain"] != "Thank you, 谢谢!" {
		t.Errorf("text part = %q", texts["text/plain"])
	}
	if texts["text/html"] != "<p>Thank you, <b>谢谢</b>!</p>" {
		t.Errorf("html part = %q", texts["text/html"])
	}
	if attachmentName != "logo.png" || !bytes.Equal(attachment, testMessage().Attachments[0].Data) {
		t.Errorf("attachment %q = %q", attachmentName, attachment)
	}
}

func TestSendKeepsGivenMessageID(t *testing.T) {
	be := &backend{}
	s := startServer(t, be)
	m := Message{From: "a@x.example", To: "b@y.example", Subject: "hi", Text: "hello", MessageID: "outbox-42@x.example"}
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	pm, err := netmail.ReadMessage(bytes.NewReader(be.messages()[0].Data))
	if err != nil {
		t.Fatal(err)
	}
	if id := pm.Header.Get("Message-Id"); id != "<outbox-42@x.example>" {
		t.Errorf("Message-ID = %q", id)
	}
	if pm.Header.Get("List-Unsubscribe") != "" {
		t.Error("List-Unsubscribe set without a URL")
	}
}

func TestSendAuth(t *testing.T) {
	be := &backend{user: "mailer", pass: "s3cret"}
	s := startServer(t, be)
	if err := s.Send(context.Background(), testMessage()); err != nil {
		t.Fatalf("Send with right password: %v", err)
	}
	if n := len(be.messages()); n != 1 {
		t.Fatalf("got %d messages, want 1", n)
	}

	bad := *s
	bad.cfg.Password = "wrong-password"
	err := bad.Send(context.Background(), testMessage())
	if err == nil {
		t.Fatal("Send with wrong password succeeded")
	}
	if strings.Contains(err.Error(), "wrong-password") {
		t.Errorf("error leaks the password: %v", err)
	}
	var se *SendError
	if !errors.As(err, &se) || se.Code != 535 || IsPermanent(err) {
		t.Errorf("err = %v, want transient *SendError with code 535 (configuration, not a bounce)", err)
	}
}

func TestSendClassifiesRejections(t *testing.T) {
	be := &backend{reject: map[string]*smtp.SMTPError{
		"full@example.com": {Code: 452, EnhancedCode: smtp.EnhancedCode{4, 2, 2}, Message: "mailbox full, try later"},
		"gone@example.com": {Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"},
	}}
	s := startServer(t, be)
	for _, tc := range []struct {
		to        string
		code      int
		permanent bool
	}{
		{"full@example.com", 452, false},
		{"gone@example.com", 550, true},
	} {
		m := testMessage()
		m.To = tc.to
		err := s.Send(context.Background(), m)
		var se *SendError
		if !errors.As(err, &se) {
			t.Fatalf("%s: err = %v, want *SendError", tc.to, err)
		}
		if se.Code != tc.code || se.Permanent != tc.permanent || IsPermanent(err) != tc.permanent {
			t.Errorf("%s: code %d permanent %v, want %d %v (%v)", tc.to, se.Code, se.Permanent, tc.code, tc.permanent, err)
		}
	}
	if n := len(be.messages()); n != 0 {
		t.Errorf("server accepted %d messages", n)
	}
}

func TestSendNetworkErrorTransient(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close() // nothing listens there now
	s := NewSender(Config{Host: "127.0.0.1", Port: port})
	err = s.Send(context.Background(), testMessage())
	var se *SendError
	if !errors.As(err, &se) || se.Code != 0 || IsPermanent(err) {
		t.Errorf("err = %#v, want transient *SendError without code", err)
	}
}

func TestSendInvalidMessagePermanent(t *testing.T) {
	s := NewSender(Config{Host: "127.0.0.1", Port: 1})
	err := s.Send(context.Background(), Message{From: "not an address", To: "b@y.example", Text: "x"})
	if !IsPermanent(err) {
		t.Errorf("err = %v, want permanent", err)
	}
}

func TestSendContextCanceled(t *testing.T) {
	t.Run("before", func(t *testing.T) {
		be := &backend{}
		s := startServer(t, be)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		err := s.Send(ctx, testMessage())
		if !errors.Is(err, context.Canceled) || IsPermanent(err) {
			t.Errorf("err = %v, want transient context.Canceled", err)
		}
	})
	t.Run("during session", func(t *testing.T) {
		be := &backend{hold: "slow@example.com", entered: make(chan struct{}), release: make(chan struct{})}
		s := startServer(t, be)
		t.Cleanup(func() { close(be.release) }) // runs before the server is closed
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			<-be.entered
			cancel()
		}()
		m := testMessage()
		m.To = "slow@example.com"
		err := s.Send(ctx, m)
		if !errors.Is(err, context.Canceled) || IsPermanent(err) {
			t.Errorf("err = %v, want transient context.Canceled", err)
		}
	})
}

func TestParseSMTPURL(t *testing.T) {
	for _, tc := range []struct {
		raw     string
		want    Config
		wantErr string
	}{
		{raw: "smtp://user:pa%3Ass@mail.example.org:2525", want: Config{Host: "mail.example.org", Port: 2525, Username: "user", Password: "pa:ss", TLS: STARTTLSOpportunistic}},
		{raw: "smtp://mail.example.org", want: Config{Host: "mail.example.org", Port: 587}},
		{raw: "smtp://u:hunter2@mail.example.org?starttls=required", want: Config{Host: "mail.example.org", Port: 587, Username: "u", Password: "hunter2", TLS: STARTTLSRequired}},
		{raw: "smtps://u:hunter2@mail.example.org", want: Config{Host: "mail.example.org", Port: 465, Username: "u", Password: "hunter2", TLS: ImplicitTLS}},
		{raw: "smtps://[::1]:4650", want: Config{Host: "::1", Port: 4650, TLS: ImplicitTLS}},
		{raw: "http://mail.example.org", wantErr: `unsupported scheme "http"`},
		{raw: "mail.example.org:25", wantErr: "scheme"},
		{raw: "smtp://", wantErr: "missing host"},
		{raw: "smtp://u:topsecret@mail.example.org:99999", wantErr: `invalid port "99999"`},
		{raw: "smtp://u:topsecret@mail.example.org:abc", wantErr: "port"},
		{raw: "smtp://:topsecret@mail.example.org", wantErr: "without user name"},
		{raw: "smtp://u:topsecret@mail.example.org?starttls=maybe", wantErr: `starttls="maybe"`},
		{raw: "smtps://u:topsecret@mail.example.org?starttls=required", wantErr: "does not apply to smtps"},
		{raw: "smtp://u:topsecret@mail.example.org?tls=1", wantErr: `unknown parameter "tls"`},
		{raw: "smtp://u:topsecret@mail.example.org/x", wantErr: "unexpected path"},
		{raw: "smtp://u:top secret%zz@mail.example.org", wantErr: "cannot parse"},
	} {
		got, err := ParseSMTPURL(tc.raw)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("ParseSMTPURL(%q) err = %v, want containing %q", tc.raw, err, tc.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), "secret") {
				t.Errorf("ParseSMTPURL(%q) error leaks the password: %v", tc.raw, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseSMTPURL(%q) = %+v, %v; want %+v", tc.raw, got, err, tc.want)
		}
		if got.Password != "" {
			for _, out := range []string{got.String(), fmt.Sprintf("%v %+v %#v", got, got, got)} {
				if strings.Contains(out, got.Password) {
					t.Errorf("formatting Config leaks the password: %s", out)
				}
			}
		}
	}
}

func TestSendContextCanceledDuringGreeting(t *testing.T) {
	// A server that accepts the connection and never greets.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := l.Accept()
		if err == nil {
			accepted <- c
			cancel()
		}
	}()
	s := NewSender(Config{Host: "127.0.0.1", Port: l.Addr().(*net.TCPAddr).Port})
	err = s.Send(ctx, testMessage())
	if !errors.Is(err, context.Canceled) || IsPermanent(err) {
		t.Errorf("err = %v, want transient context.Canceled", err)
	}
	(<-accepted).Close()
}

func TestSendSTARTTLSRequired(t *testing.T) {
	be := &backend{}
	s := startServer(t, be) // the test server offers no STARTTLS
	s.cfg.TLS = STARTTLSRequired
	err := s.Send(context.Background(), testMessage())
	if err == nil || !strings.Contains(err.Error(), "STARTTLS") {
		t.Errorf("err = %v, want a STARTTLS error", err)
	}
	if n := len(be.messages()); n != 0 {
		t.Errorf("sent %d messages in clear text", n)
	}
}

// selfSigned returns a server certificate for 127.0.0.1 and a pool trusting it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

func TestSendOverTLS(t *testing.T) {
	cert, pool := selfSigned(t)
	for _, implicit := range []bool{false, true} {
		name := map[bool]string{false: "starttls=required", true: "smtps"}[implicit]
		t.Run(name, func(t *testing.T) {
			be := &backend{user: "mailer", pass: "s3cret"}
			srv := smtp.NewServer(be)
			srv.Domain = "localhost"
			srv.ErrorLog = log.New(io.Discard, "", 0) // expected aborted handshakes and closed connections
			srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
			raw := "smtp://mailer:s3cret@127.0.0.1:" + port + "?starttls=required"
			if implicit {
				l = tls.NewListener(l, srv.TLSConfig)
				raw = "smtps://mailer:s3cret@127.0.0.1:" + port
			}
			go func() { _ = srv.Serve(l) }()
			t.Cleanup(func() { _ = srv.Close() })
			cfg, err := ParseSMTPURL(raw)
			if err != nil {
				t.Fatal(err)
			}
			s := NewSender(cfg)
			s.rootCAs = pool
			if err := s.Send(context.Background(), testMessage()); err != nil {
				t.Fatalf("Send: %v", err)
			}
			if msgs := be.messages(); len(msgs) != 1 || !msgs[0].TLS {
				t.Errorf("got %d messages, want 1 over TLS", len(msgs))
			}

			untrusted := NewSender(cfg) // system roots do not know the test certificate
			if err := untrusted.Send(context.Background(), testMessage()); err == nil {
				t.Error("Send to a server with an untrusted certificate succeeded")
			}
		})
	}
}
