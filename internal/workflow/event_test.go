package workflow_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/agendaitem"
	"github.com/usergroups/usergroups/ent/auditentry"
	"github.com/usergroups/usergroups/ent/change"
	"github.com/usergroups/usergroups/ent/event"
	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/ent/message"
	"github.com/usergroups/usergroups/ent/registration"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/ent/sponsor"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/changelog"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/errmap"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/store"
	"github.com/usergroups/usergroups/internal/viewer"
	"github.com/usergroups/usergroups/internal/workflow"
)

// meetups is an OpenStack group with an organizer, a member, staff and
// three people from outside, on a clock a week before its meetup of
// 2026-12-03, 19:00–21:30 in Shanghai.
type meetups struct {
	*world
	group                          *ent.Group
	org, member, staff, s1, s2, s3 *ent.User
}

func newMeetups(t *testing.T, db *store.DB) *meetups {
	w := newWorldOn(t, db)
	w.Clock.Set(time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC))
	com := w.Community(policy.OpenStack())
	m := &meetups{world: w, group: w.Group(com, group.StatusACTIVE)}
	m.org, m.member, m.staff = w.Person(role.KindORGANIZER, m.group), w.Person(role.KindMEMBER, m.group), w.Person(role.KindCOMMUNITY_MANAGER, com)
	m.s1, m.s2, m.s3 = w.User(), w.User(), w.User()
	return m
}

func addr[T any](v T) *T { return &v }

// input is the meetup's details, changed by edit.
func (m *meetups) input(edit func(in *workflow.EventInput)) workflow.EventInput {
	in := workflow.EventInput{Title: addr("Meetup: OpenStack on ARM"), StartsAt: addr("2026-12-03T19:00"), EndsAt: addr("2026-12-03T21:30"),
		TimeZone: addr("Asia/Shanghai"), VenueName: addr("Caohejing Hub"), Capacity: addr(2), Latitude: addr(31.17), Longitude: addr(121.40)}
	if edit != nil {
		edit(&in)
	}
	return in
}

// published creates and publishes the meetup as its organizer.
func (m *meetups) published(edit func(in *workflow.EventInput)) *ent.Event {
	m.t.Helper()
	e, err := m.Runner.CreateEvent(m.As(m.org.ID), m.group.ID, m.input(edit))
	noErr(m.t, "create", err)
	e, err = m.Runner.PublishEvent(m.As(m.org.ID), e.ID)
	noErr(m.t, "publish", err)
	return e
}

func (m *meetups) event(id pulid.ID) *ent.Event {
	m.t.Helper()
	e, err := m.Client.Event.Get(m.System(), id)
	noErr(m.t, "reading the event", err)
	return e
}

func (m *meetups) registration(e *ent.Event, u *ent.User) registration.Status {
	m.t.Helper()
	r, err := m.Client.Registration.Query().Where(registration.EventID(e.ID), registration.UserID(u.ID)).Only(m.System())
	noErr(m.t, "reading a registration", err)
	return r.Status
}

func TestCreateEventChecksEveryInput(t *testing.T) {
	t.Parallel()
	m := newMeetups(t, dbtest.Open(t))
	for _, tc := range []struct {
		name  string
		who   *ent.User
		edit  func(in *workflow.EventInput)
		want  apierror.Code
		field string
	}{
		{"a member", m.member, nil, apierror.Forbidden, ""},
		{"anonymous", nil, nil, apierror.Unauthenticated, ""},
		{"an unknown zone", m.org, func(in *workflow.EventInput) { in.TimeZone = addr("Mars/Olympus") }, apierror.BadUserInput, "timeZone"},
		{"ending before the start", m.org, func(in *workflow.EventInput) { in.EndsAt = addr("2026-12-03T18:00") }, apierror.BadUserInput, "endsAt"},
		{"no seats", m.org, func(in *workflow.EventInput) { in.Capacity = addr(0) }, apierror.BadUserInput, "capacity"},
		{"nowhere", m.org, func(in *workflow.EventInput) { in.VenueName = nil }, apierror.BadUserInput, "venueName"},
		{"an unreadable start", m.org, func(in *workflow.EventInput) { in.StartsAt = addr("soon") }, apierror.BadUserInput, "startsAt"},
		{"no title", m.org, func(in *workflow.EventInput) { in.Title = nil }, apierror.BadUserInput, "title"},
	} {
		ctx := m.Anonymous()
		if tc.who != nil {
			ctx = m.As(tc.who.ID)
		}
		_, err := m.Runner.CreateEvent(ctx, m.group.ID, m.input(tc.edit))
		if ae := errmap.Classify(err); ae == nil || ae.Code != tc.want || (tc.field != "" && ae.Field != tc.field) {
			t.Errorf("%s: want %s %s, got %v", tc.name, tc.want, tc.field, err)
		}
	}
	if n := m.Client.Event.Query().CountX(m.System()); n != 0 {
		t.Fatalf("refused creations left %d events", n)
	}
	e, err := m.Runner.CreateEvent(m.As(m.org.ID), m.group.ID, m.input(nil))
	noErr(t, "create", err)
	// 19:00 in Shanghai is 11:00Z.
	if !e.StartsAt.Equal(time.Date(2026, 12, 3, 11, 0, 0, 0, time.UTC)) || e.Status != event.StatusDRAFT || e.TimeZone != "Asia/Shanghai" {
		t.Fatalf("created: %+v", e)
	}
	// A draft is the organizers' business.
	_, err = m.Runner.RegisterForEvent(m.As(m.s1.ID), e.ID)
	wantCode(t, err, apierror.NotFound)
	_, err = m.Runner.PublishEvent(m.As(m.member.ID), e.ID)
	wantCode(t, err, apierror.NotFound)
}

func TestPublishEventOnceBeforeItStarts(t *testing.T) {
	t.Parallel()
	m := newMeetups(t, dbtest.Open(t))
	e := m.published(nil)
	if e.Status != event.StatusPUBLISHED {
		t.Fatalf("published: %s", e.Status)
	}
	_, err := m.Runner.PublishEvent(m.As(m.org.ID), e.ID)
	wantCode(t, err, apierror.Conflict)
	late, err := m.Runner.CreateEvent(m.As(m.org.ID), m.group.ID, m.input(nil))
	noErr(t, "create", err)
	m.Clock.Set(late.StartsAt)
	_, err = m.Runner.PublishEvent(m.As(m.org.ID), late.ID)
	refused(t, err, apierror.BadUserInput, "startsAt")
}

func TestAddAgendaItemFitsTheEventAndItsTrack(t *testing.T) {
	t.Parallel()
	m := newMeetups(t, dbtest.Open(t))
	e, err := m.Runner.CreateEvent(m.As(m.org.ID), m.group.ID, m.input(nil))
	noErr(t, "create", err)
	item := func(who *ent.User, kind agendaitem.Kind, start string, minutes int, track string) (*ent.AgendaItem, error) {
		return m.Runner.AddAgendaItem(m.As(who.ID), e.ID, workflow.AgendaInput{Kind: kind, Title: string(kind) + " at " + start,
			SpeakerName: "Guest Speaker", StartsAt: start, DurationMinutes: minutes, Track: track})
	}
	it, err := item(m.org, agendaitem.KindTALK, "2026-12-03T19:00", 45, "main")
	if err != nil || !it.StartsAt.Equal(time.Date(2026, 12, 3, 11, 0, 0, 0, time.UTC)) || it.SpeakerName != "Guest Speaker" {
		t.Fatalf("first talk: %+v %v", it, err)
	}
	for _, tc := range []struct {
		kind        agendaitem.Kind
		start       string
		minutes     int
		track       string
		field       string // refused on it; "" accepted
		explanation string
	}{
		{agendaitem.KindTALK, "2026-12-03T19:30", 30, "main", "startsAt", "overlaps the first talk"},
		{agendaitem.KindTALK, "2026-12-03T19:30", 30, "lab", "", "another track"},
		{agendaitem.KindTALK, "2026-12-03T18:30", 30, "main", "startsAt", "before the event"},
		{agendaitem.KindTALK, "2026-12-03T21:15", 30, "main", "startsAt", "after the event"},
		{agendaitem.KindSPONSOR_PITCH, "2026-12-03T19:45", 15, "main", "durationMinutes", "a long pitch"},
		{agendaitem.KindSPONSOR_PITCH, "2026-12-03T19:45", 10, "main", "", "a short pitch"},
	} {
		_, err := item(m.org, tc.kind, tc.start, tc.minutes, tc.track)
		if tc.field == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.explanation, err)
			}
			continue
		}
		refused(t, err, apierror.BadUserInput, tc.field)
	}
	_, err = item(m.member, agendaitem.KindTALK, "2026-12-03T20:00", 10, "main")
	wantCode(t, err, apierror.NotFound) // a member adds to a draft's agenda
}

func TestUpdateEventKeepsTheAgendaInside(t *testing.T) {
	t.Parallel()
	m := newMeetups(t, dbtest.Open(t))
	e, err := m.Runner.CreateEvent(m.As(m.org.ID), m.group.ID, m.input(nil))
	noErr(t, "create", err)
	pitch, err := m.Runner.AddAgendaItem(m.As(m.org.ID), e.ID, workflow.AgendaInput{Kind: agendaitem.KindSPONSOR_PITCH, Title: "Example Cloud",
		StartsAt: "2026-12-03T19:45", DurationMinutes: 10})
	noErr(t, "pitch", err)
	_, err = m.Runner.UpdateEvent(m.As(m.org.ID), e.ID, workflow.EventInput{EndsAt: addr("2026-12-03T19:50")})
	refused(t, err, apierror.BadUserInput, "startsAt") // the pitch would end after the event
	got, err := m.Runner.UpdateEvent(m.As(m.org.ID), e.ID, workflow.EventInput{EndsAt: addr("2026-12-03T21:00")})
	if err != nil || !got.EndsAt.Equal(time.Date(2026, 12, 3, 13, 0, 0, 0, time.UTC)) || got.Title != "Meetup: OpenStack on ARM" {
		t.Fatalf("moving the end: %+v %v", got, err)
	}
	_, err = m.Runner.UpdateEvent(m.As(m.member.ID), e.ID, workflow.EventInput{Title: addr("Hijacked")})
	wantCode(t, err, apierror.NotFound) // a member cannot see the draft
	_, err = m.Runner.RemoveAgendaItem(m.As(m.member.ID), pitch.ID)
	wantCode(t, err, apierror.NotFound)
	_, err = m.Runner.RemoveAgendaItem(m.As(m.org.ID), pitch.ID)
	noErr(t, "removing the pitch", err)
	if n := m.Client.AgendaItem.Query().Where(agendaitem.EventID(e.ID)).CountX(m.System()); n != 0 {
		t.Errorf("%d agenda items after removing the only one", n)
	}
}

func TestSponsorsAreListedAndRemovedByTheEventsEditors(t *testing.T) {
	t.Parallel()
	m := newMeetups(t, dbtest.Open(t))
	e, err := m.Runner.CreateEvent(m.As(m.org.ID), m.group.ID, m.input(nil))
	noErr(t, "create", err)
	in := workflow.SponsorInput{Name: "Example Cloud", WebsiteURL: "https://cloud.example.com", Covers: "pizza"}
	_, err = m.Runner.AddSponsor(m.As(m.member.ID), e.ID, in)
	wantCode(t, err, apierror.NotFound)
	sp, err := m.Runner.AddSponsor(m.As(m.org.ID), e.ID, in)
	if err != nil || sp.Covers != "pizza" || sp.Name != "Example Cloud" {
		t.Fatalf("sponsor: %+v %v", sp, err)
	}
	_, err = m.Runner.RemoveSponsor(m.As(m.member.ID), sp.ID)
	wantCode(t, err, apierror.NotFound) // a member removes a draft's sponsor
	_, err = m.Runner.RemoveSponsor(m.As(m.org.ID), sp.ID)
	noErr(t, "removing the sponsor", err)
	if n := m.Client.Sponsor.Query().Where(sponsor.EventID(e.ID)).CountX(m.System()); n != 0 {
		t.Errorf("%d sponsors after removing the only one", n)
	}
	_, err = m.Runner.RemoveSponsor(m.As(m.org.ID), sp.ID)
	wantCode(t, err, apierror.NotFound)
}

func TestRegisterForEventSeatsThenWaitlistsInOrder(t *testing.T) {
	t.Parallel()
	m := newMeetups(t, dbtest.Open(t))
	e := m.published(nil) // two seats
	register := func(u *ent.User) (*ent.Registration, error) {
		m.Clock.Advance(time.Minute) // people register one after another
		return m.Runner.RegisterForEvent(m.As(u.ID), e.ID)
	}
	for i, tc := range []struct {
		who  *ent.User
		want registration.Status
	}{{m.member, registration.StatusGOING}, {m.s1, registration.StatusGOING}, {m.s2, registration.StatusWAITLISTED}, {m.s3, registration.StatusWAITLISTED}} {
		if r, err := register(tc.who); err != nil || r.Status != tc.want {
			t.Fatalf("registration %d: %+v %v", i, r, err)
		}
	}
	_, err := register(m.member)
	wantCode(t, err, apierror.Conflict) // registering twice
	if got := m.event(e.ID); got.GoingCount != 2 || got.WaitlistCount != 2 {
		t.Errorf("counts: %d going, %d waiting", got.GoingCount, got.WaitlistCount)
	}
	// A cancellation seats the first person waiting, who is told.
	r, err := m.Runner.CancelRegistration(m.As(m.member.ID), e.ID)
	if err != nil || r.Status != registration.StatusCANCELLED {
		t.Fatalf("cancel: %+v %v", r, err)
	}
	if s2, s3 := m.registration(e, m.s2), m.registration(e, m.s3); s2 != registration.StatusGOING || s3 != registration.StatusWAITLISTED {
		t.Errorf("after a cancellation: s2 %s, s3 %s", s2, s3)
	}
	if n := m.Client.Message.Query().Where(message.Template("waitlist_promoted"), message.RecipientID(m.s2.ID)).CountX(m.System()); n != 1 {
		t.Errorf("%d promotion messages", n)
	}
	_, err = m.Runner.CancelRegistration(m.As(m.member.ID), e.ID)
	wantCode(t, err, apierror.Conflict) // cancelling twice
	_, err = m.Runner.CancelRegistration(m.As(m.org.ID), e.ID)
	wantCode(t, err, apierror.NotFound) // never registered
	// Registering again puts you at the back of the queue.
	if r, err := register(m.member); err != nil || r.Status != registration.StatusWAITLISTED {
		t.Errorf("registering again: %+v %v", r, err)
	}
	m.Clock.Set(e.StartsAt)
	_, err = register(m.staff)
	wantCode(t, err, apierror.Conflict) // the event has started
}

func TestUpdateEventWithMoreSeatsSeatsTheWaitlist(t *testing.T) {
	t.Parallel()
	m := newMeetups(t, dbtest.Open(t))
	e := m.published(func(in *workflow.EventInput) { in.Capacity = addr(1) })
	for _, u := range []*ent.User{m.s1, m.s2, m.s3} {
		_, err := m.Runner.RegisterForEvent(m.As(u.ID), e.ID)
		noErr(t, "register", err)
	}
	got, err := m.Runner.UpdateEvent(m.As(m.org.ID), e.ID, workflow.EventInput{Capacity: addr(2)})
	if err != nil || got.GoingCount != 2 || got.Title != "Meetup: OpenStack on ARM" {
		t.Errorf("more seats: %+v %v", got, err)
	}
	_, err = m.Runner.UpdateEvent(m.As(m.member.ID), e.ID, workflow.EventInput{Title: addr("Hijacked")})
	wantCode(t, err, apierror.Forbidden) // a member edits a published event
}

func TestCancelEventTellsEveryRegistrant(t *testing.T) {
	t.Parallel()
	m := newMeetups(t, dbtest.Open(t))
	e := m.published(func(in *workflow.EventInput) { in.Capacity = addr(1) })
	for _, u := range []*ent.User{m.s1, m.s2, m.s3} {
		_, err := m.Runner.RegisterForEvent(m.As(u.ID), e.ID)
		noErr(t, "register", err)
	}
	_, err := m.Runner.CancelEvent(m.As(m.org.ID), e.ID, " ")
	refused(t, err, apierror.BadUserInput, "reason")
	got, err := m.Runner.CancelEvent(m.As(m.org.ID), e.ID, "The venue flooded.")
	if err != nil || got.Status != event.StatusCANCELLED || got.GoingCount != 0 || got.CancelReason != "The venue flooded." {
		t.Fatalf("cancel: %+v %v", got, err)
	}
	if n := m.Client.Message.Query().Where(message.Template("event_cancelled")).CountX(m.System()); n != 3 {
		t.Errorf("%d cancellation messages, want 3", n)
	}
	if n := m.Client.Registration.Query().Where(registration.StatusEQ(registration.StatusCANCELLED)).CountX(m.System()); n != 3 {
		t.Errorf("%d registrations ended, want 3", n)
	}
	_, err = m.Runner.CancelEvent(m.As(m.org.ID), e.ID, "Again.")
	wantCode(t, err, apierror.Conflict)
}

func TestMembersOnlyEventTakesTheGroupsMembers(t *testing.T) {
	t.Parallel()
	m := newMeetups(t, dbtest.Open(t))
	e := m.published(func(in *workflow.EventInput) {
		in.Visibility, in.Kind = addr(event.VisibilityMEMBERS_ONLY), addr(event.KindCLOSED_DOOR)
	})
	_, err := m.Runner.RegisterForEvent(m.As(m.s1.ID), e.ID)
	wantCode(t, err, apierror.NotFound) // outsiders do not even see it
	if r, err := m.Runner.RegisterForEvent(m.As(m.member.ID), e.ID); err != nil || r.Status != registration.StatusGOING {
		t.Errorf("a member registers: %+v %v", r, err)
	}
}

// checkInDay is a published meetup with s1 and s2 going, s3 waiting, on the
// clock of its day, ready for the door.
func checkInDay(t *testing.T) (*meetups, *ent.Event, map[*ent.User]*ent.Registration) {
	m := newMeetups(t, dbtest.Open(t))
	e := m.published(nil)
	regs := map[*ent.User]*ent.Registration{}
	for _, u := range []*ent.User{m.s1, m.s2, m.s3} {
		m.Clock.Advance(time.Minute)
		r, err := m.Runner.RegisterForEvent(m.As(u.ID), e.ID)
		noErr(t, "register", err)
		regs[u] = r
	}
	return m, e, regs
}

func TestCheckInOpensThreeHoursBeforeAndTakesACodeOnce(t *testing.T) {
	t.Parallel()
	m, e, regs := checkInDay(t)
	code := regs[m.s1].CheckInCode
	if len(code) != 10 {
		t.Fatalf("check-in code %q", code)
	}
	_, err := m.Runner.CheckIn(m.As(m.org.ID), e.ID, "", code)
	wantCode(t, err, apierror.Conflict) // a week early
	m.Clock.Set(e.StartsAt.Add(-30 * time.Minute))
	_, err = m.Runner.CheckIn(m.As(m.s2.ID), e.ID, "", code)
	wantCode(t, err, apierror.Forbidden) // an attendee checks someone in
	_, err = m.Runner.CheckIn(m.As(m.org.ID), e.ID, "", "NOSUCHCODE")
	refused(t, err, apierror.NotFound, "code") // named, so the door tells a mistyped code from an unknown event
	_, err = m.Runner.CheckIn(m.As(m.org.ID), e.ID, "reg_nothere", "")
	refused(t, err, apierror.NotFound, "registration")
	_, err = m.Runner.CheckIn(m.As(m.org.ID), e.ID, "", "")
	refused(t, err, apierror.BadUserInput, "registration")
	r, err := m.Runner.CheckIn(m.As(m.org.ID), e.ID, "", " "+code+" ")
	if err != nil || r.Status != registration.StatusATTENDED || r.CheckedInAt == nil || !r.CheckedInAt.Equal(m.Now()) {
		t.Fatalf("check in s1: %+v %v", r, err)
	}
	_, err = m.Runner.CheckIn(m.As(m.org.ID), e.ID, "", code)
	if ae := refused(t, err, apierror.Conflict, ""); ae.Extensions["status"] != "ATTENDED" {
		t.Errorf("a code used twice: %v", ae.Extensions)
	}
	_, err = m.Runner.CheckIn(m.As(m.org.ID), e.ID, regs[m.s3].ID, "")
	wantCode(t, err, apierror.Conflict) // waiting, not going
	if r, err := m.Runner.CheckIn(m.As(m.staff.ID), e.ID, regs[m.s2].ID, ""); err != nil || r.Status != registration.StatusATTENDED {
		t.Errorf("staff check s2 in by registration: %+v %v", r, err)
	}
}

func TestCheckInCodeIsTheRegistrantsAlone(t *testing.T) {
	t.Parallel()
	m, _, regs := checkInDay(t)
	reg := regs[m.s1]
	if got := workflow.CheckInCode(viewer.FromContext(m.As(m.s1.ID)), reg); got == nil || *got != reg.CheckInCode {
		t.Errorf("the registrant's own code: %v", got)
	}
	for name, v := range map[string]*viewer.Viewer{
		"the organizer":          viewer.FromContext(m.As(m.org.ID)),
		"staff":                  viewer.FromContext(m.As(m.staff.ID)),
		"someone else":           viewer.FromContext(m.As(m.s2.ID)),
		"anonymous":              viewer.FromContext(m.Anonymous()),
		"the registrant's token": viewer.FromContext(m.AsToken(m.s1.ID, viewer.ScopeRead, viewer.ScopeWrite)),
	} {
		if got := workflow.CheckInCode(v, reg); got != nil {
			t.Errorf("%s reads the check-in code", name)
		}
	}
}

func TestExportAttendeesIsForTheGroupsOrganizersAndAudited(t *testing.T) {
	t.Parallel()
	m, e, _ := checkInDay(t)
	for _, who := range []*ent.User{m.staff, m.s1} { // staff who do not organize it, an attendee
		_, err := m.Runner.ExportAttendees(m.As(who.ID), e.ID)
		wantCode(t, err, apierror.Forbidden)
	}
	_, err := m.Runner.ExportAttendees(m.AsToken(m.org.ID, viewer.ScopeRead, viewer.ScopeWrite), e.ID)
	if ae := refused(t, err, apierror.Forbidden, ""); ae.Extensions["reason"] != apierror.ReasonTokenScope {
		t.Errorf("exporting with a token: %v", err)
	}
	// A cancelled registration is not listed.
	_, err = m.Runner.RegisterForEvent(m.As(m.member.ID), e.ID)
	noErr(t, "register", err)
	_, err = m.Runner.CancelRegistration(m.As(m.member.ID), e.ID)
	noErr(t, "cancel", err)
	accessed := func() []*ent.AuditEntry {
		return m.Client.AuditEntry.Query().Where(auditentry.ActionEQ(auditentry.ActionACCESSED)).AllX(m.System())
	}
	before := len(accessed())
	rows, err := m.Runner.ExportAttendees(m.As(m.org.ID), e.ID)
	if err != nil || len(rows) != 3 || rows[0].Email != m.s1.Handle+"@example.org" || rows[0].Name != m.s1.Name || rows[2].Status != registration.StatusWAITLISTED {
		t.Errorf("export: %+v %v", rows, err)
	}
	audit := accessed()
	if last := audit[len(audit)-1]; len(audit) != before+1 || last.NodeID != string(e.ID) || last.ActorID != string(m.org.ID) ||
		last.NodeType != "Event" || last.GroupID != string(e.GroupID) || !last.CreatedAt.Equal(m.Runner.Now()) {
		t.Errorf("audit entries: %+v", audit)
	}
	// Kept apart from the change log, which is pruned.
	if n := m.Client.Change.Query().Where(change.OpEQ(change.OpACCESSED)).CountX(m.System()); n != 0 {
		t.Errorf("%d audit rows in the change log", n)
	}
}

func TestCompleteEventAfterItStartsMarksNoShows(t *testing.T) {
	t.Parallel()
	m, e, regs := checkInDay(t)
	_, err := m.Runner.CompleteEvent(m.As(m.org.ID), e.ID)
	wantCode(t, err, apierror.Conflict) // before the start
	m.Clock.Set(e.StartsAt.Add(-time.Hour))
	_, err = m.Runner.CheckIn(m.As(m.org.ID), e.ID, regs[m.s1].ID, "")
	noErr(t, "check in s1", err)
	m.Clock.Set(e.StartsAt.Add(2*time.Hour + 40*time.Minute))
	got, err := m.Runner.CompleteEvent(m.As(m.org.ID), e.ID)
	if err != nil || got.Status != event.StatusCOMPLETED || got.AttendedCount != 1 || got.GoingCount != 0 {
		t.Fatalf("complete: %+v %v", got, err)
	}
	if s1, s2, s3 := m.registration(e, m.s1), m.registration(e, m.s2), m.registration(e, m.s3); s1 != registration.StatusATTENDED ||
		s2 != registration.StatusNO_SHOW || s3 != registration.StatusWAITLISTED {
		t.Errorf("after completion: s1 %s, s2 %s, s3 %s", s1, s2, s3)
	}
	_, err = m.Runner.CancelEvent(m.As(m.org.ID), e.ID, "Too late.")
	wantCode(t, err, apierror.Conflict)
	_, err = m.Runner.UpdateEvent(m.As(m.org.ID), e.ID, workflow.EventInput{Title: addr("Renamed afterwards")})
	wantCode(t, err, apierror.Conflict)
	_, err = m.Runner.AddAgendaItem(m.As(m.org.ID), e.ID, workflow.AgendaInput{Title: "Late talk", StartsAt: "2026-12-03T19:00", DurationMinutes: 10})
	wantCode(t, err, apierror.Conflict)
	// Check-in still corrects a NO_SHOW.
	if r, err := m.Runner.CheckIn(m.As(m.org.ID), e.ID, regs[m.s2].ID, ""); err != nil || r.Status != registration.StatusATTENDED {
		t.Errorf("correcting a no-show: %+v %v", r, err)
	}
}

// TestRegistrationCapacityRace: 50 people racing for 10 seats get exactly 10
// seats and 40 waitlist places, on SQLite and PostgreSQL.
func TestRegistrationCapacityRace(t *testing.T) {
	t.Parallel()
	m := newMeetups(t, dbtest.OpenConcurrent(t))
	e := m.published(func(in *workflow.EventInput) { in.Capacity = addr(10) })
	people := make([]*ent.User, 50)
	m.Import(func(ctx context.Context, c *ent.Client) error {
		for i := range people {
			var err error
			if people[i], err = c.User.Create().SetHandle(fmt.Sprintf("racer%d", i)).SetName("Racer").Save(ctx); err != nil {
				return err
			}
		}
		return nil
	})
	var wg sync.WaitGroup
	errs := make([]error, len(people))
	for i, u := range people {
		ctx := m.As(u.ID)
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = m.Runner.RegisterForEvent(ctx, e.ID)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Errorf("registration failed: %v", err)
		}
	}
	going := m.Client.Registration.Query().Where(registration.StatusEQ(registration.StatusGOING)).CountX(m.System())
	waiting := m.Client.Registration.Query().Where(registration.StatusEQ(registration.StatusWAITLISTED)).CountX(m.System())
	ev := m.event(e.ID)
	if going != 10 || waiting != 40 || ev.GoingCount != 10 || ev.WaitlistCount != 40 {
		t.Errorf("going %d, waitlisted %d, counts %d/%d; want 10/40", going, waiting, ev.GoingCount, ev.WaitlistCount)
	}
}

// A write made with an API token is in the change log like any other,
// even where the token may not read back the rows it touched.
func TestCancelledByTokenIsInTheChangeLog(t *testing.T) {
	t.Parallel()
	m := newMeetups(t, dbtest.Open(t))
	e := m.published(nil) // two seats
	regs := map[*ent.User]*ent.Registration{}
	for _, u := range []*ent.User{m.member, m.s1, m.s2} {
		r, err := m.Runner.RegisterForEvent(m.AsToken(u.ID, viewer.ScopeRead, viewer.ScopeWrite), e.ID)
		noErr(t, "register by token", err)
		regs[u] = r
	}
	changes := func(r *ent.Registration) int {
		return m.Client.Change.Query().Where(change.Topic(changelog.TopicRegistration), change.NodeID(string(r.ID))).CountX(m.System())
	}
	cancelled, promoted := changes(regs[m.member]), changes(regs[m.s2])
	r, err := m.Runner.CancelRegistration(m.AsToken(m.member.ID, viewer.ScopeRead, viewer.ScopeWrite), e.ID)
	if err != nil || r.Status != registration.StatusCANCELLED {
		t.Fatalf("cancel by token: %+v %v", r, err)
	}
	if n := changes(regs[m.member]) - cancelled; n != 1 {
		t.Errorf("the cancellation wrote %d change rows, want 1", n)
	}
	if n := changes(regs[m.s2]) - promoted; n != 1 {
		t.Errorf("the promotion from the waitlist wrote %d change rows, want 1", n)
	}
}
