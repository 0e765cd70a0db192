package workflow_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	netmail "net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/riverqueue/river"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/contact"
	"github.com/usergroups/usergroups/ent/message"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/jobs"
	"github.com/usergroups/usergroups/internal/mail"
	"github.com/usergroups/usergroups/internal/mail/mailtest"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/worker"
	"github.com/usergroups/usergroups/internal/workflow"
)

// startSMTP runs a recording SMTP server (mailtest) and returns a sender
// speaking SMTP to it.
func startSMTP(t *testing.T, be *mailtest.Server) *mail.Sender {
	t.Helper()
	cfg, err := mail.ParseSMTPURL(mailtest.Start(t, be))
	if err != nil {
		t.Fatal(err)
	}
	return mail.NewSender(cfg)
}

const testFrom = "Usergroups <noreply@groups.example>"

// queueMessage creates a PENDING message in a step, as processes do.
func queueMessage(w *world, com *ent.Community, template, subject, body string, to ...*ent.User) *ent.Message {
	w.t.Helper()
	return create(w, func(ctx context.Context, c *ent.Client) (*ent.Message, error) {
		b := c.Message.Create().SetCommunityID(com.ID).SetTemplate(template).SetSubject(subject).SetBody(body)
		if len(to) == 1 {
			b.SetRecipientID(to[0].ID)
		} else {
			ids := make([]pulid.ID, len(to))
			for i, u := range to {
				ids[i] = u.ID
			}
			b.SetRecipientIds(ids)
		}
		return b.Save(ctx)
	})
}

// deliveryJobs lists the message ids of the queued delivery jobs.
func deliveryJobs(t *testing.T, w *world) []string {
	t.Helper()
	query := `SELECT args::text FROM river_job WHERE kind = 'deliver_message' ORDER BY id`
	if w.DB.Dialect == "sqlite3" {
		query = `SELECT json(args) FROM river_job WHERE kind = 'deliver_message' ORDER BY id`
	}
	rows, err := w.DB.SQL.Query(query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var raw []byte
		if err := rows.Scan(&raw); err != nil {
			t.Fatal(err)
		}
		var a jobs.DeliverMessage
		if err := json.Unmarshal(raw, &a); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a.ID)
	}
	return ids
}

func outbound(s workflow.Sender, counted *[]string) workflow.Outbound {
	var mu sync.Mutex
	return workflow.Outbound{Sender: s, From: testFrom, Counted: func(o string) {
		mu.Lock()
		defer mu.Unlock()
		*counted = append(*counted, o)
	}}
}

// TestMessageQueuesItsDelivery: a message and its delivery job commit
// together or not at all.
func TestMessageQueuesItsDelivery(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	com := w.Community(policy.OpenStack())
	ada := w.User()
	m := queueMessage(w, com, "application_approved", "Approved", "Welcome.", ada)
	if got := deliveryJobs(t, w); len(got) != 1 || got[0] != string(m.ID) {
		t.Fatalf("delivery jobs %v, want one for %s", got, m.ID)
	}
	boom := errors.New("boom")
	err := w.Runner.Import(w.System(), "rolled back", func(ctx context.Context, c *ent.Client) error {
		if err := c.Message.Create().SetCommunityID(com.ID).SetRecipientID(ada.ID).SetTemplate("x").
			SetSubject("x").SetBody("x").Exec(ctx); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("import: %v, want boom", err)
	}
	if n := w.Client.Message.Query().CountX(w.System()); n != 1 {
		t.Errorf("%d messages after the rollback, want 1", n)
	}
	if got := deliveryJobs(t, w); len(got) != 1 {
		t.Errorf("delivery jobs after the rollback %v, want the first only", got)
	}
	// A message already sent (the demo's history) needs no job.
	w.Import(func(ctx context.Context, c *ent.Client) error {
		return c.Message.Create().SetCommunityID(com.ID).SetRecipientID(ada.ID).SetTemplate("x").
			SetSubject("x").SetBody("x").SetStatus(message.StatusSENT).Exec(ctx)
	})
	if got := deliveryJobs(t, w); len(got) != 1 {
		t.Errorf("a SENT message queued a job: %v", got)
	}
}

// TestDeliverMessageOverSMTP: the email has its headers, a text and an
// HTML part, the recognition letter's logo pack, a Chinese subject in
// RFC 2047; the message is SENT once, never twice.
func TestDeliverMessageOverSMTP(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	com := w.Community(policy.OpenStack())
	ada := w.User()
	be := &mailtest.Server{}
	var counted []string
	out := outbound(startSMTP(t, be), &counted)
	subject := "恭喜！您的用户组已成为官方用户组"
	body := "Dear organizers,\n\nYour group is official: see https://example.org/groups/paris.\nThanks & <welcome>!"
	m := queueMessage(w, com, "official_recognition", subject, body, ada)

	if err := workflow.DeliverMessage(w.System(), w.Runner, m.ID, out); err != nil {
		t.Fatal(err)
	}
	if err := workflow.DeliverMessage(w.System(), w.Runner, m.ID, out); err != nil {
		t.Fatal(err)
	}
	got := be.Mails()
	if len(got) != 1 {
		t.Fatalf("%d emails, want 1 (a SENT message is not sent again)", len(got))
	}
	if strings.Join(got[0].To, ",") != ada.Handle+"@example.org" {
		t.Errorf("sent to %v", got[0].To)
	}
	if strings.Join(counted, ",") != "sent,skipped" {
		t.Errorf("counted %v, want sent then skipped", counted)
	}
	m = w.Client.Message.GetX(w.System(), m.ID)
	if m.Status != message.StatusSENT || m.SentAt == nil || m.Attempts != 1 {
		t.Errorf("message %s sent %v attempts %d, want SENT once", m.Status, m.SentAt, m.Attempts)
	}
	msg, err := netmail.ReadMessage(bytes.NewReader(got[0].Data))
	if err != nil {
		t.Fatal(err)
	}
	h := msg.Header
	if raw := h.Get("Subject"); !strings.Contains(raw, "=?UTF-8?") {
		t.Errorf("Subject %q is not RFC 2047-encoded", raw)
	}
	if dec, err := new(mime.WordDecoder).DecodeHeader(h.Get("Subject")); err != nil || dec != subject {
		t.Errorf("Subject decodes to %q (%v), want %q", dec, err, subject)
	}
	if id := h.Get("Message-Id"); id != "<"+m.MessageID+">" || !strings.HasSuffix(m.MessageID, "@groups.example") {
		t.Errorf("Message-ID %q, stored %q", id, m.MessageID)
	}
	// The recognition letter asks for an address: it cannot be turned off,
	// so it has no unsubscribe link (TestOneClickUnsubscribe has notices').
	if u := h.Get("List-Unsubscribe"); u != "" {
		t.Errorf("List-Unsubscribe %q on a mandatory letter", u)
	}
	parts := map[string][]byte{}
	collectParts(t, h.Get("Content-Type"), msg.Body, parts)
	if !strings.Contains(string(parts["text/plain"]), "Thanks & <welcome>!") {
		t.Errorf("text part %q", parts["text/plain"])
	}
	html := string(parts["text/html"])
	if !strings.Contains(html, `<a href="https://example.org/groups/paris">`) || !strings.Contains(html, "Thanks &amp; &lt;welcome&gt;!") ||
		strings.Count(html, "<p>") != 2 {
		t.Errorf("HTML part %q: want two paragraphs, a link and escaped text", html)
	}
	zr, err := zip.NewReader(bytes.NewReader(parts["application/zip"]), int64(len(parts["application/zip"])))
	if err != nil {
		t.Fatalf("logo pack: %v", err)
	}
	names := []string{}
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	if strings.Join(names, ",") != "logo.svg,README.txt" {
		t.Errorf("logo pack holds %v", names)
	}
	if !bytes.Equal(workflow.LogoPack(com.Name), workflow.LogoPack(com.Name)) {
		t.Error("the logo pack is not deterministic")
	}
}

// collectParts walks a MIME body, keeping each leaf part by content type.
func collectParts(t *testing.T, contentType string, body io.Reader, out map[string][]byte) {
	t.Helper()
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(mt, "multipart/") {
		data, _ := io.ReadAll(body)
		out[mt] = data
		return
	}
	mr := multipart.NewReader(body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		var r io.Reader = p
		if p.Header.Get("Content-Transfer-Encoding") == "base64" {
			r = base64Reader(p)
		}
		collectParts(t, p.Header.Get("Content-Type"), r, out)
	}
}

func base64Reader(r io.Reader) io.Reader {
	data, _ := io.ReadAll(r)
	dec, err := base64.StdEncoding.DecodeString(strings.NewReplacer("\r", "", "\n", "").Replace(string(data)))
	if err != nil {
		return bytes.NewReader(data)
	}
	return bytes.NewReader(dec)
}

// TestDeliverMessageBounce: a 5xx marks the message FAILED and the
// person's address bouncing; later mail to it is skipped; in a letter to
// several people the others still get theirs, once.
func TestDeliverMessageBounce(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	com := w.Community(policy.OpenStack())
	ada, bob := w.User(), w.User()
	be := &mailtest.Server{Reject: map[string]*smtp.SMTPError{
		ada.Handle + "@example.org": {Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"},
	}}
	var counted []string
	out := outbound(startSMTP(t, be), &counted)

	m := queueMessage(w, com, "application_approved", "Approved", "Welcome.", ada)
	err := workflow.DeliverMessage(w.System(), w.Runner, m.ID, out)
	if !errors.Is(err, workflow.ErrUndeliverable) {
		t.Fatalf("bounce: %v, want ErrUndeliverable", err)
	}
	m = w.Client.Message.GetX(w.System(), m.ID)
	if m.Status != message.StatusFAILED || !strings.Contains(m.LastError, "550") {
		t.Errorf("message %s %q, want FAILED with the reply", m.Status, m.LastError)
	}
	ct := w.Client.Contact.Query().Where(contact.UserID(ada.ID)).OnlyX(w.System())
	if ct.EmailBouncedAt == nil || !strings.Contains(ct.EmailBounceReason, "no such user") {
		t.Errorf("contact bounce %v %q", ct.EmailBouncedAt, ct.EmailBounceReason)
	}

	both := queueMessage(w, com, "global_effort", "Join", "Join us.", ada, bob)
	if err := workflow.DeliverMessage(w.System(), w.Runner, both.ID, out); err != nil {
		t.Fatal(err)
	}
	if err := workflow.DeliverMessage(w.System(), w.Runner, both.ID, out); err != nil {
		t.Fatal(err)
	}
	got := be.Mails()
	if len(got) != 1 || got[0].To[0] != bob.Handle+"@example.org" {
		t.Fatalf("emails %v, want one to bob", got)
	}
	both = w.Client.Message.GetX(w.System(), both.ID)
	if both.Status != message.StatusSENT || !strings.HasPrefix(both.Deliveries[string(ada.ID)], "skipped") ||
		both.Deliveries[string(bob.ID)] != "sent" {
		t.Errorf("letter %s deliveries %v", both.Status, both.Deliveries)
	}
	if strings.Join(counted, ",") != "bounced,skipped,sent,skipped" {
		t.Errorf("counted %v", counted)
	}

	// Staff see the bounce; a new address clears it.
	if ct, err := workflow.EmailBounce(w.As(ada.ID), w.Client, ada.ID); err != nil || ct == nil {
		t.Errorf("ada reads her bounce: %v %v", ct, err)
	}
	if ct, err := workflow.EmailBounce(w.As(bob.ID), w.Client, ada.ID); err != nil || ct != nil {
		t.Errorf("bob reads ada's bounce: %v %v", ct, err)
	}
	if _, err := w.Runner.SetContact(w.As(ada.ID), workflow.ContactInput{Email: "ada.new@example.org"}); err != nil {
		t.Fatal(err)
	}
	if ct := w.Client.Contact.Query().Where(contact.UserID(ada.ID)).OnlyX(w.System()); ct.EmailBouncedAt != nil || ct.EmailBounceReason != "" {
		t.Errorf("a new address kept the bounce: %v %q", ct.EmailBouncedAt, ct.EmailBounceReason)
	}
}

// TestDeliverMessageLogSender: without SMTP each email is one log line and
// the message stays in the outbox.
func TestDeliverMessageLogSender(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	com := w.Community(policy.OpenStack())
	ada := w.User()
	m := queueMessage(w, com, "application_approved", "Approved", "Secret body text.", ada)
	var buf bytes.Buffer
	var counted []string
	out := outbound(mail.LogSender{Log: slog.New(slog.NewTextHandler(&buf, nil))}, &counted)
	if err := workflow.DeliverMessage(w.System(), w.Runner, m.ID, out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], "template=application_approved") ||
		!strings.Contains(lines[0], ada.Handle+"@example.org") || strings.Contains(lines[0], "Secret") {
		t.Errorf("log %q, want one line naming recipient and template, without the body", buf.String())
	}
	if m = w.Client.Message.GetX(w.System(), m.ID); m.Status != message.StatusPENDING || len(m.Deliveries) != 0 {
		t.Errorf("message %s %v, want PENDING, untouched", m.Status, m.Deliveries)
	}
	if strings.Join(counted, ",") != "logged" {
		t.Errorf("counted %v", counted)
	}
}

// TestDeliveryRetriedThroughRiver: a transient 451 fails the job's first
// attempt (recorded on the message); River retries it and the email goes
// out once.
func TestDeliveryRetriedThroughRiver(t *testing.T) {
	t.Parallel()
	w := newWorldOn(t, dbtest.OpenConcurrent(t))
	com := w.Community(policy.OpenStack())
	ada := w.User()
	be := &mailtest.Server{Transient: 1}
	var mu sync.Mutex
	var counted []string
	deps := worker.Deps{Runner: w.Runner, Mail: startSMTP(t, be), MailFrom: testFrom, Delivered: func(kind, outcome string) {
		mu.Lock()
		defer mu.Unlock()
		counted = append(counted, kind+":"+outcome)
	}}
	q, err := jobs.Open(jobs.Config{DB: w.DB.SQL, Dialect: w.DB.Dialect, Workers: worker.Workers(deps), PollInterval: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	events, cancel := q.Client().Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed)
	defer cancel()
	ctx := context.Background()
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = q.Stop(ctx) }()

	m := queueMessage(w, com, "application_approved", "Approved", "Welcome.", ada)
	deadline := time.After(30 * time.Second)
	for done := false; !done; {
		select {
		case ev := <-events:
			if ev.Job.Kind == jobs.KindDeliverMessage && ev.Kind == river.EventKindJobCompleted {
				done = true
			}
		case <-deadline:
			t.Fatal("the delivery job did not complete")
		}
	}
	if got := be.Mails(); len(got) != 1 {
		t.Errorf("%d emails, want 1", len(got))
	}
	m = w.Client.Message.GetX(w.System(), m.ID)
	if m.Status != message.StatusSENT || m.Attempts != 2 || !strings.Contains(m.LastError, "451") {
		t.Errorf("message %s attempts %d last error %q, want SENT after a recorded 451", m.Status, m.Attempts, m.LastError)
	}
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(counted, ",") != "email:retry,email:sent" {
		t.Errorf("counted %v", counted)
	}
}

// TestOutbox: a community's staff read its outbox, confidential messages
// left out and withheld; anyone else is FORBIDDEN.
func TestOutbox(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	com := w.Community(policy.OpenStack())
	mgr := w.Person(role.KindCOMMUNITY_MANAGER, com)
	ada := w.User()
	open := queueMessage(w, com, "application_approved", "Approved", "Welcome.", ada)
	queueMessage(w, com, "contact_message", "Message: hello", "Private words.", ada)

	conn, err := workflow.Outbox(w.As(mgr.ID), w.Client, com.ID, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if conn.TotalCount != 1 || conn.Edges[0].Node.ID != open.ID {
		t.Errorf("staff read %d messages, want the one not confidential", conn.TotalCount)
	}
	sent := message.StatusSENT
	if conn, err := workflow.Outbox(w.As(mgr.ID), w.Client, com.ID, &sent, nil, nil); err != nil || conn.TotalCount != 0 {
		t.Errorf("SENT filter: %v %v", conn, err)
	}
	_, err = workflow.Outbox(w.As(ada.ID), w.Client, com.ID, nil, nil, nil)
	wantCode(t, err, apierror.Forbidden)
	_, err = workflow.Outbox(w.AsToken(mgr.ID, "read"), w.Client, com.ID, nil, nil, nil)
	wantCode(t, err, apierror.Forbidden)
	if s, b := workflow.MessageText(&ent.Message{Template: "contact_message", Subject: "s", Body: "b"}); s != nil || b != nil {
		t.Error("a confidential message's text is shown")
	}
}
