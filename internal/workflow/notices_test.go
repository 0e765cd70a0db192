package workflow_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/ent/message"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/letters"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/workflow"
)

// noticeWorld is a community with an organizer, a manager and an event
// four people registered for: ada chose Chinese, bob chose nothing, cy
// turned cancellations off, dee's profile says she speaks zh-Hans.
type noticeWorld struct {
	*world
	com               *ent.Community
	org, mgr          *ent.User
	ada, bob, cy, dee *ent.User
	event             *ent.Event
	g                 *ent.Group
}

func newNoticeWorld(t *testing.T) *noticeWorld {
	w := newWorld(t)
	n := &noticeWorld{world: w, com: w.Community(policy.OpenStack())}
	g := w.Group(n.com, group.StatusACTIVE)
	n.org, n.mgr = w.Person(role.KindORGANIZER, g), w.Person(role.KindCOMMUNITY_MANAGER, n.com)
	n.ada, n.bob, n.cy = w.User(), w.User(), w.User()
	n.dee = w.User(func(c *ent.UserCreate) { c.SetLanguages([]string{"fr", "zh-Hans"}) })
	n.event, n.g = w.Event(g), g
	for _, u := range []*ent.User{n.ada, n.bob, n.cy, n.dee} {
		w.Registration(n.event, u)
	}
	zh := letters.Chinese
	if _, err := w.Runner.UpdateNoticePreferences(w.As(n.ada.ID), workflow.NoticePreferencesUpdate{Language: &zh}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Runner.UpdateNoticePreferences(w.As(n.cy.ID), workflow.NoticePreferencesUpdate{Off: []letters.Kind{letters.KindEventCancelled}}); err != nil {
		t.Fatal(err)
	}
	return n
}

// sent returns the messages of kind queued to u.
func (n *noticeWorld) sent(kind letters.Kind, u *ent.User) []*ent.Message {
	return n.Client.Message.Query().Where(message.Template(string(kind)), message.RecipientID(u.ID)).AllX(n.System())
}

// TestNoticesInTheRecipientsLanguage: a cancellation reaches each
// registrant in their language (chosen, else from their profile), and none
// reaches the one who turned cancellations off.
func TestNoticesInTheRecipientsLanguage(t *testing.T) {
	t.Parallel()
	n := newNoticeWorld(t)
	if _, err := n.Runner.CancelEvent(n.As(n.org.ID), n.event.ID, "The venue flooded."); err != nil {
		t.Fatal(err)
	}
	for _, u := range []*ent.User{n.ada, n.dee} {
		m := n.sent(letters.KindEventCancelled, u)
		if len(m) != 1 || m[0].Subject != "活动取消："+n.event.Title || !strings.Contains(m[0].Body, "组织者的说明：The venue flooded.") {
			t.Errorf("%s: want the Chinese rendering, got %+v", u.Handle, m)
		}
	}
	if m := n.sent(letters.KindEventCancelled, n.bob); len(m) != 1 || m[0].Subject != "Cancelled: "+n.event.Title ||
		!strings.Contains(m[0].Body, "Their note: The venue flooded.") {
		t.Errorf("bob: want the English rendering, got %+v", m)
	}
	if m := n.sent(letters.KindEventCancelled, n.cy); len(m) != 0 {
		t.Errorf("cy turned cancellations off and got %+v", m)
	}
}

// TestStaffWordingPerCommunityAndLanguage: staff's Chinese wording is used
// for their community's Chinese readers only; a template that does not
// render is refused and changes nothing; a reset restores the default.
func TestStaffWordingPerCommunityAndLanguage(t *testing.T) {
	t.Parallel()
	n := newNoticeWorld(t)
	set := func(subject, body string) (workflow.MessageTemplate, error) {
		return n.Runner.SetMessageTemplate(n.As(n.mgr.ID), n.com.ID, workflow.MessageTemplate{Kind: letters.KindEventCancelled,
			Language: letters.Chinese, Subject: subject, Body: body})
	}
	if _, err := set("取消：{{.Event}}", "{{.Event}} 不办了。{{.Note}}"); err != nil {
		t.Fatal(err)
	}
	_, err := set("取消：{{.Event}}", "{{.Nowhere}}")
	refusal(t, err, apierror.BadUserInput, "body")
	_, err = set("{{.Event", "x")
	refusal(t, err, apierror.BadUserInput, "subject")
	if ts := n.Client.Community.GetX(n.System(), n.com.ID).MessageTemplates; len(ts) != 1 || ts[0].Subject != "取消：{{.Event}}" {
		t.Fatalf("stored after refusals: %+v", ts)
	}
	// Another community's Chinese reader gets the default.
	other := n.Community(policy.OpenStack())
	og := n.Group(other, group.StatusACTIVE)
	oorg := n.Person(role.KindORGANIZER, og)
	oe := n.Event(og)
	n.Registration(oe, n.ada)

	if _, err := n.Runner.CancelEvent(n.As(n.org.ID), n.event.ID, "Flooded."); err != nil {
		t.Fatal(err)
	}
	if _, err := n.Runner.CancelEvent(n.As(oorg.ID), oe.ID, "Flooded."); err != nil {
		t.Fatal(err)
	}
	byCommunity := map[pulid.ID]string{}
	for _, m := range n.sent(letters.KindEventCancelled, n.ada) {
		byCommunity[m.CommunityID] = m.Subject + "|" + m.Body
	}
	if got := byCommunity[n.com.ID]; got != "取消："+n.event.Title+"|"+n.event.Title+" 不办了。Flooded." {
		t.Errorf("staff's wording not used: %q", got)
	}
	if got := byCommunity[other.ID]; !strings.HasPrefix(got, "活动取消："+oe.Title+"|") {
		t.Errorf("the other community's letter: %q", got)
	}
	if m := n.sent(letters.KindEventCancelled, n.bob); len(m) != 1 || m[0].Subject != "Cancelled: "+n.event.Title {
		t.Errorf("the English reader: %+v", m)
	}
	tpl, err := set("", "")
	if def, _ := letters.Default(letters.KindEventCancelled, letters.Chinese); err != nil || tpl.Custom || tpl.Body != def.Body {
		t.Errorf("reset: %+v, %v", tpl, err)
	}
	if ts := n.Client.Community.GetX(n.System(), n.com.ID).MessageTemplates; len(ts) != 0 {
		t.Errorf("stored after reset: %+v", ts)
	}
}

// TestNoticePreferencesRules: a mandatory kind cannot be turned off (and a
// refusal changes nothing); preferences are the person's and their staff's.
func TestNoticePreferencesRules(t *testing.T) {
	t.Parallel()
	n := newNoticeWorld(t)
	_, err := n.Runner.UpdateNoticePreferences(n.As(n.cy.ID), workflow.NoticePreferencesUpdate{
		Off: []letters.Kind{letters.KindWaitlistPromoted, letters.KindReportReplied}})
	refusal(t, err, apierror.BadUserInput, "off")
	_, err = n.Runner.UpdateNoticePreferences(n.As(n.cy.ID), workflow.NoticePreferencesUpdate{Off: []letters.Kind{"nope"}})
	refusal(t, err, apierror.BadUserInput, "off")
	bad := letters.Language("fr")
	_, err = n.Runner.UpdateNoticePreferences(n.As(n.cy.ID), workflow.NoticePreferencesUpdate{Language: &bad})
	refusal(t, err, apierror.BadUserInput, "language")
	cy := n.Client.User.GetX(n.System(), n.cy.ID)
	if p := workflow.PreferencesOf(cy); len(p.Off) != 1 || p.Off[0] != letters.KindEventCancelled || p.Language != nil {
		t.Errorf("after refusals: %+v", p)
	}
	// Staff read the preferences of the people of their community (bob is
	// a member); not of others (cy only registered for an event).
	n.Role(n.bob, role.KindMEMBER, n.g, func(c *ent.RoleCreate) { c.SetStatus(role.StatusACTIVE) })
	bob := n.Client.User.GetX(n.System(), n.bob.ID)
	for _, tc := range []struct {
		who  *ent.User
		of   *ent.User
		sees bool
	}{{n.cy, cy, true}, {n.mgr, bob, true}, {n.mgr, cy, false}, {n.bob, cy, false}} {
		p, err := workflow.NoticePreferencesOf(n.As(tc.who.ID), n.Client, tc.of)
		if err != nil || (p != nil) != tc.sees {
			t.Errorf("%s reads %s's preferences: %+v, %v", tc.who.Handle, tc.of.Handle, p, err)
		}
	}
}

// TestLettersToSeveralAndToLists: a letter to several people is one per
// language among them, without those who turned the kind off; a mandatory
// kind reaches everyone; a list address gets the community's language.
func TestLettersToSeveralAndToLists(t *testing.T) {
	t.Parallel()
	n := newNoticeWorld(t)
	to := []pulid.ID{n.ada.ID, n.bob.ID, n.cy.ID, n.dee.ID}
	if _, err := n.Runner.UpdateNoticePreferences(n.As(n.cy.ID), workflow.NoticePreferencesUpdate{
		Off: []letters.Kind{letters.KindFeedbackForwarded}}); err != nil {
		t.Fatal(err)
	}
	queue := func(kind letters.Kind, data any, key string) {
		t.Helper()
		if _, err := workflow.Run(n.System(), n.Runner, "queue", func(ctx context.Context, c *ent.Client, _ time.Time) (int, error) {
			return 0, workflow.QueueLetter(ctx, c, n.com.ID, kind, data, to, key)
		}); err != nil {
			t.Fatal(err)
		}
	}
	queue(letters.KindFeedbackForwarded, letters.FeedbackForwarded{Title: "Slow installer"}, "f1")
	ms := n.Client.Message.Query().Where(message.Template(string(letters.KindFeedbackForwarded))).AllX(n.System())
	got := map[string][]pulid.ID{}
	for _, m := range ms {
		got[m.Subject] = m.RecipientIds
	}
	if len(ms) != 2 || !sameIDs(got["Feedback forwarded to the developers: Slow installer"], []pulid.ID{n.bob.ID}) ||
		!sameIDs(got["反馈已转交开发者：Slow installer"], []pulid.ID{n.ada.ID, n.dee.ID}) {
		t.Errorf("letters: %v", got)
	}
	// A mandatory kind reaches cy, who turned everything off she could.
	if _, err := n.Runner.UpdateNoticePreferences(n.As(n.cy.ID), workflow.NoticePreferencesUpdate{
		Off: []letters.Kind{letters.KindFeedbackForwarded, letters.KindGlobalEffort}}); err != nil {
		t.Fatal(err)
	}
	queue(letters.KindReportReceived, letters.Report{Kind: "SPAM", ReportID: "rep_1"}, "r1")
	var reached []pulid.ID
	for _, m := range n.Client.Message.Query().Where(message.Template(string(letters.KindReportReceived))).AllX(n.System()) {
		reached = append(reached, m.RecipientIds...)
	}
	if !sameIDs(reached, to) {
		t.Errorf("a mandatory letter reached %v, want %v", reached, to)
	}
	// The ambassadors' list reads the community's language.
	zh := letters.Chinese
	if _, err := n.Runner.UpdateCommunityPolicy(n.As(n.mgr.ID), workflow.CommunityPolicyUpdate{ID: n.com.ID,
		Patch: policy.Patch{MessageLanguage: &zh}}); err != nil {
		t.Fatal(err)
	}
	if _, err := workflow.Run(n.System(), n.Runner, "queue", func(ctx context.Context, c *ent.Client, _ time.Time) (int, error) {
		return 0, workflow.QueueToList(ctx, c, n.com.ID, "ambassadors@example.org", letters.KindAmbassadorIntroduction,
			letters.AmbassadorIntroduction{Person: "Ada"}, "a1")
	}); err != nil {
		t.Fatal(err)
	}
	m := n.Client.Message.Query().Where(message.Template(string(letters.KindAmbassadorIntroduction))).OnlyX(n.System())
	if m.ToAddress != "ambassadors@example.org" || m.Subject != "欢迎新大使 Ada" || !strings.Contains(m.Body, n.com.Name+" 大使团队") {
		t.Errorf("list letter: %+v", m)
	}
}
