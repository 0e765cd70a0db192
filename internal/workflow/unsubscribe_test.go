package workflow_test

import (
	"bytes"
	"context"
	netmail "net/mail"
	"net/url"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/message"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/letters"
	"github.com/usergroups/usergroups/internal/mail/mailtest"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/workflow"
)

// unsubscribeHeaders delivers m and returns, per recipient address, the
// List-Unsubscribe and List-Unsubscribe-Post headers of the email sent.
func unsubscribeHeaders(t *testing.T, w *world, be *mailtest.Server, m *ent.Message, out workflow.Outbound) map[string][2]string {
	t.Helper()
	before := len(be.Mails())
	if err := workflow.DeliverMessage(w.System(), w.Runner, m.ID, out); err != nil {
		t.Fatal(err)
	}
	got := map[string][2]string{}
	for _, e := range be.Mails()[before:] {
		msg, err := netmail.ReadMessage(bytes.NewReader(e.Data))
		if err != nil {
			t.Fatal(err)
		}
		got[e.To[0]] = [2]string{msg.Header.Get("List-Unsubscribe"), msg.Header.Get("List-Unsubscribe-Post")}
	}
	return got
}

var oneClickHeader = regexp.MustCompile(`^<(https://groups\.example/unsubscribe\?[^>]+)>, <mailto:noreply@groups\.example\?subject=unsubscribe%20event_cancelled>$`)

// TestOneClickUnsubscribe: with a public URL a notice's email carries an
// https one-click link signed for its recipient beside the mailto link,
// and List-Unsubscribe-Post; without one, the mailto link only; a
// mandatory kind neither. The link's token turns that kind off for that
// person only, once; a forged token, another person's, an unknown or a
// mandatory kind change nothing.
func TestOneClickUnsubscribe(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	com := w.Community(policy.OpenStack())
	ada, bob := w.User(), w.User()
	be := &mailtest.Server{}
	var counted []string
	out := outbound(startSMTP(t, be), &counted)
	out.PublicURL = "https://groups.example/"
	kind := letters.KindEventCancelled
	adaAddr, bobAddr := ada.Handle+"@example.org", bob.Handle+"@example.org"

	links := map[string]url.Values{}
	got := unsubscribeHeaders(t, w, be, queueMessage(w, com, string(kind), "Cancelled", "No meetup.", ada, bob), out)
	for addr, h := range got {
		match := oneClickHeader.FindStringSubmatch(h[0])
		if match == nil || h[1] != "List-Unsubscribe=One-Click" {
			t.Fatalf("to %s: List-Unsubscribe %q, List-Unsubscribe-Post %q", addr, h[0], h[1])
		}
		u, err := url.Parse(match[1])
		if err != nil {
			t.Fatal(err)
		}
		links[addr] = u.Query()
	}
	adaLink, bobLink := links[adaAddr], links[bobAddr]
	if adaLink.Get("u") != string(ada.ID) || adaLink.Get("k") != string(kind) || bobLink.Get("u") != string(bob.ID) ||
		adaLink.Get("t") == "" || adaLink.Get("t") == bobLink.Get("t") {
		t.Fatalf("links %v", links)
	}
	if s := w.Client.User.GetX(w.System(), ada.ID).NoticeSecret; len(s) != 32 {
		t.Errorf("ada's secret has %d bytes, want 32", len(s))
	}
	// The secret is made once: the next notice carries the same link.
	got = unsubscribeHeaders(t, w, be, queueMessage(w, com, string(kind), "Cancelled", "Again.", ada), out)
	if m := oneClickHeader.FindStringSubmatch(got[adaAddr][0]); m == nil || !bytes.Contains([]byte(m[1]), []byte(url.QueryEscape(adaLink.Get("t")))) {
		t.Errorf("second notice's List-Unsubscribe %q, want the same token", got[adaAddr][0])
	}
	// Without --public-url: the mailto link only, no one-click.
	plainOut := out
	plainOut.PublicURL = ""
	got = unsubscribeHeaders(t, w, be, queueMessage(w, com, string(kind), "Cancelled", "Plain.", ada), plainOut)
	if h := got[adaAddr]; h[0] != "<mailto:noreply@groups.example?subject=unsubscribe%20event_cancelled>" || h[1] != "" {
		t.Errorf("without a public URL: %q", h)
	}
	// A mandatory kind has no unsubscribe link at all.
	got = unsubscribeHeaders(t, w, be, queueMessage(w, com, string(letters.KindAwardWon), "Award", "Congratulations.", ada), out)
	if h := got[adaAddr]; h[0] != "" || h[1] != "" {
		t.Errorf("a mandatory notice: %q", h)
	}

	adaTok := adaLink.Get("t")
	secret := w.Client.User.GetX(w.System(), ada.ID).NoticeSecret
	for _, c := range []struct {
		name  string
		user  pulid.ID
		kind  letters.Kind
		token string
		code  apierror.Code
	}{
		{"forged token", ada.ID, kind, "AAAA" + adaTok[4:], apierror.NotFound},
		{"bob's token", ada.ID, kind, bobLink.Get("t"), apierror.NotFound},
		{"ada's token on bob", bob.ID, kind, adaTok, apierror.NotFound},
		{"unknown person", pulid.New("usr"), kind, adaTok, apierror.NotFound},
		{"empty token", ada.ID, kind, "", apierror.NotFound},
		{"unknown kind", ada.ID, "nope", workflow.UnsubscribeToken(secret, ada.ID, "nope"), apierror.BadUserInput},
		{"mandatory kind", ada.ID, letters.KindAwardWon, workflow.UnsubscribeToken(secret, ada.ID, letters.KindAwardWon), apierror.BadUserInput},
		{"another kind's token", ada.ID, letters.KindFeedbackForwarded, adaTok, apierror.NotFound},
	} {
		wantCode(t, w.Runner.UnsubscribeByToken(w.Anonymous(), c.user, c.kind, c.token), c.code)
		wantCode(t, w.Runner.CheckUnsubscribe(w.Anonymous(), c.user, c.kind, c.token), c.code)
	}
	// Checking a good link (the GET page) changes nothing either.
	if err := w.Runner.CheckUnsubscribe(w.Anonymous(), ada.ID, kind, adaTok); err != nil {
		t.Fatal(err)
	}
	for _, u := range []*ent.User{ada, bob} {
		if off := w.Client.User.GetX(w.System(), u.ID).NoticesOff; len(off) != 0 {
			t.Fatalf("%s has %v off before any valid unsubscribe", u.Handle, off)
		}
	}

	// The link's token turns the kind off, once (a second POST is fine).
	for range 2 {
		if err := w.Runner.UnsubscribeByToken(w.Anonymous(), ada.ID, kind, adaTok); err != nil {
			t.Fatal(err)
		}
	}
	if off := w.Client.User.GetX(w.System(), ada.ID).NoticesOff; !slices.Equal(off, []letters.Kind{kind}) {
		t.Errorf("ada turned off %v, want [%s]", off, kind)
	}
	if off := w.Client.User.GetX(w.System(), bob.ID).NoticesOff; len(off) != 0 {
		t.Errorf("bob turned off %v by ada's link", off)
	}
	queueLetters(t, w, com, ada, bob)
	wantRecipients(t, w, kind, bob.ID)
	wantRecipients(t, w, letters.KindFeedbackForwarded, ada.ID, bob.ID)
}

// queueLetters queues a cancellation and a forwarded feedback to people,
// through the notifier that applies their preferences.
func queueLetters(t *testing.T, w *world, com *ent.Community, to ...*ent.User) {
	t.Helper()
	ids := make([]pulid.ID, len(to))
	for i, u := range to {
		ids[i] = u.ID
	}
	if _, err := workflow.Run(w.System(), w.Runner, "queue", func(ctx context.Context, c *ent.Client, _ time.Time) (int, error) {
		if err := workflow.QueueLetter(ctx, c, com.ID, letters.KindEventCancelled,
			letters.EventCancelled{Event: "Meetup", StartsAt: time.Now()}, ids, "after"); err != nil {
			return 0, err
		}
		return 0, workflow.QueueLetter(ctx, c, com.ID, letters.KindFeedbackForwarded, letters.FeedbackForwarded{Title: "Slow"}, ids, "after")
	}); err != nil {
		t.Fatal(err)
	}
}

// wantRecipients checks who the letters of kind queued with the key "after" go to.
func wantRecipients(t *testing.T, w *world, kind letters.Kind, want ...pulid.ID) {
	t.Helper()
	var got []pulid.ID
	for _, m := range w.Client.Message.Query().Where(message.Template(string(kind)), message.DedupeKeyHasPrefix(string(kind)+":after")).AllX(w.System()) {
		got = append(got, m.RecipientIds...)
	}
	if !sameIDs(got, want) {
		t.Errorf("%s queued to %v, want %v", kind, got, want)
	}
}
