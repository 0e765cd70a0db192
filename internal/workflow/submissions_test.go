package workflow_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/ent/message"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/ent/schematype"
	"github.com/usergroups/usergroups/ent/submission"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/workflow"
)

// sendings is an OpenStack-like community with a region of three groups
// (active, official, dormant) and a group elsewhere, and the people who
// send, triage and read submissions.
type sendings struct {
	*world
	com                                     *ent.Community
	region, elsewhere                       *ent.Region
	g1, g2, dormant, far                    *ent.Group
	staff, amb, farAmb, org1, org2, member1 *ent.User
	outsider                                *ent.User
	ev1, ev2                                *ent.Event
}

func newSendings(t *testing.T) *sendings {
	w := newWorld(t)
	w.Clock.Set(time.Date(2026, 10, 1, 10, 0, 0, 0, time.UTC))
	com := w.Community(policy.OpenStack())
	s := &sendings{world: w, com: com, region: w.Region(com), elsewhere: w.Region(com)}
	in := func(r *ent.Region) func(*ent.GroupCreate) { return func(b *ent.GroupCreate) { b.SetRegionID(r.ID) } }
	s.g1, s.g2 = w.Group(com, group.StatusACTIVE, in(s.region)), w.Group(com, group.StatusOFFICIAL, in(s.region))
	s.dormant, s.far = w.Group(com, group.StatusDORMANT, in(s.region)), w.Group(com, group.StatusACTIVE, in(s.elsewhere))
	s.staff, s.amb, s.farAmb = w.Person(role.KindCOMMUNITY_MANAGER, com), w.Person(role.KindAMBASSADOR, s.region), w.Person(role.KindAMBASSADOR, s.elsewhere)
	s.org1, s.org2, s.member1 = w.Person(role.KindORGANIZER, s.g1), w.Person(role.KindORGANIZER, s.g2), w.Person(role.KindMEMBER, s.g1)
	s.outsider = w.User()
	s.ev1, s.ev2 = w.Event(s.g1), w.Event(s.g2)
	return s
}

// reads reports whether who (a context) reads submission id.
func (s *sendings) reads(ctx context.Context, id pulid.ID) bool {
	s.t.Helper()
	n, err := s.Client.Submission.Query().Where(submission.ID(id)).Count(ctx)
	if err != nil {
		s.t.Fatal(err)
	}
	return n == 1
}

// messages lists the outbox messages of template.
func (s *sendings) messages(template string) []*ent.Message {
	s.t.Helper()
	ms, err := s.Client.Message.Query().Where(message.Template(template)).All(s.System())
	if err != nil {
		s.t.Fatal(err)
	}
	return ms
}

func (s *sendings) feedback(by *ent.User, edit func(*workflow.FeedbackInput)) (*ent.Submission, error) {
	ev := s.ev1.ID
	in := workflow.FeedbackInput{Group: s.g1.ID, Event: &ev, Title: "Upgrades across two releases", Body: "Operators skip releases.",
		ProjectArea: "upgrades", Links: []schematype.Link{{Label: "Notes", URL: "https://notes.example.org/1"}}}
	if edit != nil {
		edit(&in)
	}
	return s.Runner.SendFeedback(s.As(by.ID), in)
}

func TestFeedbackForTheDevelopers(t *testing.T) {
	t.Parallel()
	s := newSendings(t)
	fb, err := s.feedback(s.member1, nil)
	if err != nil || fb.Kind != submission.KindATTENDEE_FEEDBACK || fb.Status != submission.StatusSUBMITTED ||
		fb.RegionID != s.region.ID || fb.EventID != s.ev1.ID || fb.ProjectArea != "upgrades" || len(fb.Links) != 1 {
		t.Fatalf("a member sends feedback: %+v %v", fb, err)
	}
	_, err = s.feedback(s.outsider, nil)
	wantCode(t, err, apierror.Forbidden)
	_, err = s.feedback(s.org2, nil) // another group's organizer
	wantCode(t, err, apierror.Forbidden)
	_, err = s.feedback(s.member1, func(in *workflow.FeedbackInput) { in.Event = &s.ev2.ID })
	refused(t, err, apierror.BadUserInput, "event")
	_, err = s.feedback(s.member1, func(in *workflow.FeedbackInput) { in.Event = &s.g1.ID }) // an id of another type
	refused(t, err, apierror.BadUserInput, "event")
	_, err = s.feedback(s.member1, func(in *workflow.FeedbackInput) { in.Links[0].URL = "http://insecure.example.org" })
	refused(t, err, apierror.BadUserInput, "links")
	_, err = s.Runner.SendFeedback(s.Anonymous(), workflow.FeedbackInput{Group: s.g1.ID, Title: "abc", Body: "x"})
	wantCode(t, err, apierror.Unauthenticated)
	if amb, err := s.feedback(s.amb, func(in *workflow.FeedbackInput) { in.Event = nil }); err != nil || amb.EventID != "" {
		t.Errorf("the region's ambassador sends feedback: %+v %v", amb, err)
	}

	// Who reads it: author, the group's organizers, the region's
	// ambassadors, staff; not another group's organizer, another region's
	// ambassador, an outsider, the public.
	for who, want := range map[*ent.User]bool{s.member1: true, s.org1: true, s.amb: true, s.staff: true,
		s.org2: false, s.farAmb: false, s.outsider: false} {
		if got := s.reads(s.As(who.ID), fb.ID); got != want {
			t.Errorf("%s reads the feedback: %v, want %v", who.Handle, got, want)
		}
	}
	if s.reads(s.Anonymous(), fb.ID) {
		t.Error("the public reads feedback")
	}

	// Triage: never its author, nor the group's organizer; the region's
	// ambassador and staff; moves only as the rules allow.
	_, err = s.Runner.AcknowledgeSubmission(s.As(s.member1.ID), fb.ID)
	wantCode(t, err, apierror.Forbidden)
	_, err = s.Runner.AcknowledgeSubmission(s.As(s.org1.ID), fb.ID)
	wantCode(t, err, apierror.Forbidden)
	_, err = s.Runner.AcknowledgeSubmission(s.As(s.farAmb.ID), fb.ID)
	wantCode(t, err, apierror.NotFound)
	_, err = s.Runner.MarkFeedbackDelivered(s.As(s.amb.ID), fb.ID)
	wantCode(t, err, apierror.Conflict)
	got, err := s.Runner.AcknowledgeSubmission(s.As(s.amb.ID), fb.ID)
	if err != nil || got.Status != submission.StatusACKNOWLEDGED || got.DecidedByID != s.amb.ID || !got.DecidedAt.Equal(s.Now()) {
		t.Fatalf("acknowledge: %+v %v", got, err)
	}
	_, err = s.Runner.AcknowledgeSubmission(s.As(s.staff.ID), fb.ID)
	wantCode(t, err, apierror.Conflict)
	_, err = s.Runner.AcceptNewsletterItem(s.As(s.staff.ID), fb.ID, "2026-12", nil)
	refused(t, err, apierror.BadUserInput, "id")

	at := s.Clock.Advance(time.Hour)
	got, err = s.Runner.ForwardFeedback(s.As(s.staff.ID), fb.ID)
	if err != nil || got.Status != submission.StatusFORWARDED || got.ForwardedAt == nil || !got.ForwardedAt.Equal(at) {
		t.Fatalf("forward: %+v %v", got, err)
	}
	if ms := s.messages("feedback_forwarded"); len(ms) != 1 || len(ms[0].RecipientIds) != 1 || ms[0].RecipientIds[0] != s.staff.ID {
		t.Errorf("forwarding tells the staff once: %+v", ms)
	}
	_, err = s.Runner.DeclineSubmission(s.As(s.staff.ID), fb.ID, "Too late.")
	wantCode(t, err, apierror.Conflict)
	got, err = s.Runner.MarkFeedbackDelivered(s.As(s.amb.ID), fb.ID)
	if err != nil || got.Status != submission.StatusDELIVERED || got.DeliveredAt == nil {
		t.Fatalf("delivered: %+v %v", got, err)
	}

	// Declining tells the author.
	other, err := s.feedback(s.org1, nil)
	noErr(t, "more feedback", err)
	_, err = s.Runner.DeclineSubmission(s.As(s.staff.ID), other.ID, " ")
	refused(t, err, apierror.BadUserInput, "reason")
	got, err = s.Runner.DeclineSubmission(s.As(s.staff.ID), other.ID, "Already reported upstream.")
	if err != nil || got.Status != submission.StatusDECLINED || got.DeclineReason != "Already reported upstream." {
		t.Fatalf("decline: %+v %v", got, err)
	}
	if ms := s.messages("submission_declined"); len(ms) != 1 || ms[0].RecipientID != s.org1.ID {
		t.Errorf("declining tells the author: %+v", ms)
	}

	// The export: staff only; no personal data; by status.
	_, err = workflow.ExportFeedback(s.As(s.amb.ID), s.Client, s.com.ID, nil, s.Now())
	wantCode(t, err, apierror.Forbidden)
	_, err = workflow.ExportFeedback(s.Anonymous(), s.Client, s.com.ID, nil, s.Now())
	wantCode(t, err, apierror.Unauthenticated)
	ex, err := workflow.ExportFeedback(s.As(s.staff.ID), s.Client, pulid.ID(s.com.Slug), nil, s.Now())
	noErr(t, "export", err)
	if ex.Count != 2 || strings.Contains(ex.Document, "@example.org") || strings.Contains(ex.Document, "Already reported upstream") {
		t.Errorf("export of all but declined: %d items %s", ex.Count, ex.Document)
	}
	delivered := submission.StatusDELIVERED
	ex, err = workflow.ExportFeedback(s.AsToken(s.staff.ID, "read"), s.Client, s.com.ID, &delivered, s.Now())
	noErr(t, "export delivered", err)
	var doc struct {
		Items []struct {
			ID, Title, ProjectArea, Author string
			Group                          struct{ Slug string }
			Event                          struct{ Title string }
			Links                          []struct{ URL string }
		}
	}
	if err := json.Unmarshal([]byte(ex.Document), &doc); err != nil || ex.Count != 1 || len(doc.Items) != 1 {
		t.Fatalf("export document: %s %v", ex.Document, err)
	}
	if it := doc.Items[0]; it.ID != string(fb.ID) || it.Author != s.member1.Handle || it.Group.Slug != s.g1.Slug ||
		it.Event.Title != s.ev1.Title || it.ProjectArea != "upgrades" || len(it.Links) != 1 {
		t.Errorf("exported item: %+v", it)
	}
}

func TestNewsletterIssuePositions(t *testing.T) {
	t.Parallel()
	s := newSendings(t)
	propose := func(title string) *ent.Submission {
		t.Helper()
		it, err := s.Runner.ProposeNewsletterItem(s.As(s.outsider.ID), workflow.NewsletterItemInput{Community: pulid.ID(s.com.Slug), Title: title, Body: "Text of " + title})
		noErr(t, "propose "+title, err)
		if it.Kind != submission.KindNEWSLETTER_ITEM || it.Status != submission.StatusSUBMITTED {
			t.Fatalf("proposed: %+v", it)
		}
		return it
	}
	a, b, c, d, e := propose("Item A"), propose("Item B"), propose("Item C"), propose("Item D"), propose("Item E")
	far := s.far.ID
	_, err := s.Runner.ProposeNewsletterItem(s.As(s.outsider.ID), workflow.NewsletterItemInput{Community: s.com.ID, Group: &s.ev1.ID, Title: "abc", Body: "x"})
	refused(t, err, apierror.BadUserInput, "group")
	if it, err := s.Runner.ProposeNewsletterItem(s.As(s.org1.ID), workflow.NewsletterItemInput{Community: s.com.ID, Group: &far, Title: "About far", Body: "x"}); err != nil || it.GroupID != far {
		t.Errorf("an item about a group: %+v %v", it, err)
	}
	if s.reads(s.Anonymous(), a.ID) || s.reads(s.As(s.amb.ID), a.ID) {
		t.Error("a proposed item is read by the public or an ambassador")
	}

	accept := func(it *ent.Submission, pos *int) (*ent.Submission, error) {
		return s.Runner.AcceptNewsletterItem(s.As(s.staff.ID), it.ID, "2026-12", pos)
	}
	p := func(n int) *int { return &n }
	_, err = s.Runner.AcceptNewsletterItem(s.As(s.amb.ID), a.ID, "2026-12", nil)
	wantCode(t, err, apierror.NotFound) // an ambassador does not even see it
	_, err = s.Runner.AcceptNewsletterItem(s.As(s.staff.ID), a.ID, "2026-13", nil)
	refused(t, err, apierror.BadUserInput, "issue")
	_, err = accept(a, p(2)) // the issue is empty: only 1
	refused(t, err, apierror.BadUserInput, "position")
	for _, step := range []struct {
		it  *ent.Submission
		pos *int
	}{{a, nil}, {b, nil}, {c, p(1)}, {d, p(3)}, {e, p(5)}} {
		_, err := accept(step.it, step.pos)
		noErr(t, "accept "+step.it.Title, err)
	}
	_, err = accept(a, nil)
	wantCode(t, err, apierror.Conflict)
	_, err = s.Runner.DeclineSubmission(s.As(s.staff.ID), a.ID, "Changed my mind.")
	wantCode(t, err, apierror.Conflict)

	// C A D B E, positions 1–5, read by anyone, a token too.
	for _, ctx := range []context.Context{s.Anonymous(), s.AsToken(s.outsider.ID, "read"), s.As(s.amb.ID)} {
		items, err := workflow.Newsletter(ctx, s.Client, pulid.ID(s.com.Slug), "2026-12")
		noErr(t, "newsletter", err)
		var got []string
		for i, it := range items {
			got = append(got, it.Title)
			if *it.NewsletterPosition != i+1 {
				t.Errorf("position of %s: %d, want %d", it.Title, *it.NewsletterPosition, i+1)
			}
		}
		if strings.Join(got, ",") != "Item C,Item A,Item D,Item B,Item E" {
			t.Errorf("the issue reads %v", got)
		}
	}
	if items, err := workflow.Newsletter(s.Anonymous(), s.Client, s.com.ID, "2027-01"); err != nil || len(items) != 0 {
		t.Errorf("another issue: %v %v", items, err)
	}
	_, err = workflow.Newsletter(s.Anonymous(), s.Client, s.com.ID, "December")
	refused(t, err, apierror.BadUserInput, "issue")
	if n := len(s.messages("newsletter_item_accepted")); n != 5 {
		t.Errorf("%d authors told of acceptance, want 5", n)
	}

	// Published items are public, and nothing else is.
	if !s.reads(s.Anonymous(), a.ID) {
		t.Error("the public cannot read an accepted item")
	}
	declined := propose("Item F")
	_, err = s.Runner.DeclineSubmission(s.As(s.staff.ID), declined.ID, "Off topic.")
	noErr(t, "decline", err)
	fb, err := s.feedback(s.member1, nil)
	noErr(t, "feedback", err)
	for _, id := range []pulid.ID{declined.ID, fb.ID} {
		if s.reads(s.Anonymous(), id) || s.reads(s.AsToken(s.outsider.ID, "read"), id) != (id == declined.ID) {
			t.Errorf("%s: public, or wrongly shown to its author's token", id)
		}
	}
	if s.reads(s.AsToken(s.amb.ID, "read"), declined.ID) {
		t.Error("an ambassador's token reads a declined newsletter item")
	}
}
