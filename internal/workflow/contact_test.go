package workflow_test

import (
	"strings"
	"testing"
	"time"

	"github.com/usergroups/usergroups/ent/contactmessage"
	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/ent/message"
	"github.com/usergroups/usergroups/ent/report"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/workflow"
)

func TestContactAmbassadorRelayAndReveal(t *testing.T) {
	w := newWorld(t)
	p := policy.OpenStack()
	p.ContactsPerDay = 2
	com := w.Community(p)
	amb := w.Person(role.KindAMBASSADOR, w.Region(com))
	mgr := w.Person(role.KindCOMMUNITY_MANAGER, com)
	ada, bob := w.User(), w.User()

	th, err := w.Runner.ContactAmbassador(w.As(ada.ID), amb.ID, nil, "Starting a group", "Hello, how do I start a group in Lyon?")
	if err != nil || th.RecipientID != amb.ID || th.CommunityID != com.ID || th.RevealedAt != nil {
		t.Fatalf("contact = %+v, %v", th, err)
	}
	// Correspondence is its two sides' only: not staff's, not even an admin's.
	admin := w.Person(role.KindADMIN, nil)
	for _, who := range []pulid.ID{mgr.ID, admin.ID, bob.ID} {
		if n := w.Client.ContactThread.Query().CountX(w.As(who)); n != 0 {
			t.Errorf("%s reads %d contact threads, want 0", who, n)
		}
		if n := w.Client.ContactMessage.Query().CountX(w.As(who)); n != 0 {
			t.Errorf("%s reads %d contact messages, want 0", who, n)
		}
	}
	if n := w.Client.ContactThread.Query().CountX(w.As(amb.ID)); n != 1 {
		t.Errorf("the ambassador reads %d threads, want 1", n)
	}
	// The relayed letter goes to the ambassador, without Ada's address.
	msgs := w.Client.Message.Query().Where(message.Template("contact_message")).AllX(w.System())
	if len(msgs) != 1 || len(msgs[0].RecipientIds) != 1 || msgs[0].RecipientIds[0] != amb.ID ||
		strings.Contains(msgs[0].Body, ada.Handle+"@example.org") || !strings.Contains(msgs[0].Body, "Lyon") {
		t.Fatalf("relayed = %+v", msgs)
	}
	emails := func(who pulid.ID) map[pulid.ID]string {
		m, err := workflow.CounterpartEmails(w.As(who), w.Client, []pulid.ID{th.ID})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	if len(emails(ada.ID)) != 0 || len(emails(amb.ID)) != 0 {
		t.Error("addresses shown before a reply")
	}

	// Refusals: not an ambassador, oneself, a stranger's reply, the cap.
	_, err = w.Runner.ContactAmbassador(w.As(ada.ID), bob.ID, nil, "Hi", "Hello there.")
	wantField(t, err, "ambassador")
	_, err = w.Runner.ContactAmbassador(w.As(ada.ID), com.ID, nil, "Hi", "Hello there.")
	wantField(t, err, "ambassador")
	_, err = w.Runner.ContactAmbassador(w.As(amb.ID), amb.ID, nil, "Hi", "Hello there.")
	wantField(t, err, "ambassador")
	_, err = w.Runner.ReplyToContact(w.As(bob.ID), th.ID, "Butting in.")
	wantCode(t, err, apierror.NotFound)
	_, err = w.Runner.ReplyToContact(w.As(mgr.ID), th.ID, "Staff do not read threads.")
	wantCode(t, err, apierror.NotFound)

	// Ada's follow-up is her second message today; a third is refused.
	if _, err := w.Runner.ReplyToContact(w.As(ada.ID), th.ID, "And who mentors it?"); err != nil {
		t.Fatal(err)
	}
	_, err = w.Runner.ContactAmbassador(w.As(ada.ID), amb.ID, nil, "Again", "A third message.")
	wantCode(t, err, apierror.RateLimited)

	// The ambassador answers (not capped): the addresses are revealed.
	out, err := w.Runner.ReplyToContact(w.As(amb.ID), th.ID, "Happy to help: write to me directly.")
	if err != nil || out.Thread.RevealedAt == nil || out.Message.AuthorID != amb.ID {
		t.Fatalf("answer = %+v, %v", out, err)
	}
	if e := emails(ada.ID)[th.ID]; e != amb.Handle+"@example.org" {
		t.Errorf("Ada sees %q", e)
	}
	if e := emails(amb.ID)[th.ID]; e != ada.Handle+"@example.org" {
		t.Errorf("the ambassador sees %q", e)
	}
	if len(emails(bob.ID)) != 0 || len(emails(mgr.ID)) != 0 {
		t.Error("a stranger or staff see an address")
	}
	if m, _ := workflow.CounterpartEmails(w.AsToken(ada.ID, "read"), w.Client, []pulid.ID{th.ID}); len(m) != 0 {
		t.Error("a token sees an address")
	}

	// A day later Ada may write again.
	w.Clock.Advance(25 * time.Hour)
	if _, err := w.Runner.ReplyToContact(w.As(ada.ID), th.ID, "Thanks!"); err != nil {
		t.Errorf("after a day: %v", err)
	}

	// Contact off: FORBIDDEN.
	p.ContactsPerDay = 0
	off := w.Community(p)
	offAmb := w.Person(role.KindAMBASSADOR, off)
	_, err = w.Runner.ContactAmbassador(w.As(ada.ID), offAmb.ID, nil, "Hi", "Hello there.")
	wantCode(t, err, apierror.Forbidden)
}

func TestContactGroupOrganizersAndReportMessage(t *testing.T) {
	w := newWorld(t)
	com := w.Community(policy.OpenStack())
	g := w.Group(com, group.StatusACTIVE)
	org1, org2 := w.Person(role.KindORGANIZER, g), w.Person(role.KindORGANIZER, g)
	mgr := w.Person(role.KindCOMMUNITY_MANAGER, com)
	sender := w.User()

	th, err := w.Runner.ContactGroupOrganizers(w.As(sender.ID), g.ID, "Venue", "We can host your next meetup.")
	if err != nil || th.GroupID != g.ID {
		t.Fatalf("contact = %+v, %v", th, err)
	}
	msgs := w.Client.Message.Query().Where(message.Template("contact_message")).AllX(w.System())
	if len(msgs) != 1 || len(msgs[0].RecipientIds) != 2 || strings.Contains(msgs[0].Body, "@example.org") {
		t.Fatalf("relayed = %+v", msgs)
	}
	_, err = w.Runner.ContactGroupOrganizers(w.As(org1.ID), g.ID, "Hi", "To myself.")
	wantField(t, err, "group")
	empty := w.Group(com, group.StatusACTIVE)
	_, err = w.Runner.ContactGroupOrganizers(w.As(sender.ID), empty.ID, "Hi", "Anyone?")
	wantCode(t, err, apierror.Conflict)

	// The second organizer answers: revealed; the sender sees who answered.
	out, err := w.Runner.ReplyToContact(w.As(org2.ID), th.ID, "Thanks, tell us more.")
	if err != nil || out.Thread.RevealedAt == nil {
		t.Fatalf("answer = %+v, %v", out, err)
	}
	if m, _ := workflow.CounterpartEmails(w.As(sender.ID), w.Client, []pulid.ID{th.ID}); m[th.ID] != org2.Handle+"@example.org" {
		t.Errorf("sender sees %v", m)
	}
	if m, _ := workflow.CounterpartEmails(w.As(org1.ID), w.Client, []pulid.ID{th.ID}); m[th.ID] != sender.Handle+"@example.org" {
		t.Errorf("organizer sees %v", m)
	}
	page, err := workflow.ContactThreads(w.As(org1.ID), w.Client, nil, nil)
	if err != nil || page.TotalCount != 1 {
		t.Errorf("organizer's threads = %+v, %v", page, err)
	}
	if page, _ := workflow.ContactThreads(w.As(mgr.ID), w.Client, nil, nil); page.TotalCount != 0 {
		t.Errorf("staff list %d threads", page.TotalCount)
	}

	// An organizer reports the sender's message as harassment: staff read
	// the message through the report; the author cannot report their own.
	msg := w.Client.ContactMessage.Query().Where(contactmessage.AuthorID(sender.ID)).OnlyX(w.System())
	_, err = w.Runner.ReportContactMessage(w.As(sender.ID), msg.ID, "I wrote this and regret it.")
	wantField(t, err, "message")
	_, err = w.Runner.ReportContactMessage(w.As(mgr.ID), msg.ID, "Staff are no side of it.")
	wantCode(t, err, apierror.NotFound)
	rep, err := w.Runner.ReportContactMessage(w.As(org1.ID), msg.ID, "This is an unsolicited sales pitch, again.")
	if err != nil || rep.Kind != report.KindHARASSMENT || rep.ContactMessageID != msg.ID || rep.SubjectUserID != sender.ID || rep.ReporterID != org1.ID {
		t.Fatalf("report = %+v, %v", rep, err)
	}
	if n := w.Client.ContactMessage.Query().Where(contactmessage.ID(msg.ID)).CountX(w.As(mgr.ID)); n != 1 {
		t.Error("staff cannot read the reported message")
	}
	other := w.Client.ContactMessage.Query().Where(contactmessage.AuthorID(org2.ID)).OnlyX(w.System())
	if n := w.Client.ContactMessage.Query().Where(contactmessage.ID(other.ID)).CountX(w.As(mgr.ID)); n != 0 {
		t.Error("staff read an unreported message")
	}
	if n := w.Client.ContactMessage.Query().Where(contactmessage.ID(msg.ID)).CountX(w.As(sender.ID)); n != 1 {
		t.Error("the author lost their message")
	}
	// The sender, the report's subject, does not read the report.
	if n := w.Client.Report.Query().Where(report.ID(rep.ID)).CountX(w.As(sender.ID)); n != 0 {
		t.Error("the subject reads the harassment report")
	}
}
