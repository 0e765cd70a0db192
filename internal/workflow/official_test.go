package workflow_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/application"
	"github.com/usergroups/usergroups/ent/event"
	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/ent/message"
	"github.com/usergroups/usergroups/ent/registration"
	"github.com/usergroups/usergroups/ent/review"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/workflow"
)

// handover is the world of the official-status tests: a bay whose active
// group in Oakland is mentored by amb and led by the applicant and a
// co-leader.
type handover struct {
	*bay
	group    *ent.Group
	coLeader *ent.User
	logoURL  string
	// appID is the group's open official-status request, once asked for.
	appID pulid.ID
}

func newHandover(t *testing.T) *handover {
	b := newBay(t, policy.OpenStack())
	h := &handover{bay: b, logoURL: "https://logos.example.org/oakland-pack.zip"}
	h.group = b.Group(b.com, group.StatusACTIVE, func(g *ent.GroupCreate) {
		g.SetRegionID(b.region.ID).SetName("Oakland {East Bay}").SetCity("Oakland").SetCountry("US").SetMentorID(b.amb.ID)
	})
	h.coLeader = b.User(func(u *ent.UserCreate) { u.SetHandle("coleader").SetName("Co Leader") })
	b.Role(b.applicant, role.KindORGANIZER, h.group)
	b.Role(h.coLeader, role.KindORGANIZER, h.group)
	return h
}

// grow gives the group what OpenStack's official status asks for: 20
// members from 3 organizations, 3 meetings in the last year someone attended.
func (h *handover) grow() {
	h.t.Helper()
	orgs := []*ent.Organization{h.Organization(), h.Organization(), h.Organization()}
	for i := range 20 {
		u := h.User(func(u *ent.UserCreate) { u.SetOrganizationID(orgs[i%3].ID) })
		h.Role(u, role.KindMEMBER, h.group)
	}
	attendee := h.User()
	for i := 1; i <= 3; i++ {
		start := h.Now().AddDate(0, -i*2, 0)
		ev := h.Event(h.group, func(e *ent.EventCreate) {
			e.SetStartsAt(start).SetEndsAt(start.Add(2 * time.Hour)).SetStatus(event.StatusCOMPLETED)
		})
		// A meeting counts towards official status once someone attended it.
		h.Registration(ev, attendee, func(r *ent.RegistrationCreate) { r.SetStatus(registration.StatusATTENDED) })
	}
}

// ask files the group's official-status request as its organizer.
func (h *handover) ask() *ent.Application {
	h.t.Helper()
	app, err := h.Runner.ApplyForOfficialStatus(h.As(h.applicant.ID), h.group.ID)
	if err != nil {
		h.t.Fatalf("applying for official status: %v", err)
	}
	h.appID = app.ID
	return app
}

// step completes a handover step as who (with a logo URL for logo_received).
func (h *handover) step(who *ent.User, key, logo string) (*ent.Application, error) {
	return h.Runner.CompleteHandoverStep(h.As(who.ID), h.appID, key, logo)
}

// through does the handover steps from one up to (not including) another,
// as the mentor and staff would.
func (h *handover) through(from, before string) {
	h.t.Helper()
	started := false
	for _, s := range []struct {
		who       *ent.User
		key, logo string
	}{
		{h.amb, policy.StepMentoring, ""}, {h.manager, policy.StepRequirements, ""}, {h.amb, policy.StepLogoRequested, ""},
		{h.amb, policy.StepLogoReceived, h.logoURL}, {h.amb, policy.StepPortalUpdated, ""}, {h.amb, policy.StepLogoPackSent, ""},
	} {
		if s.key == before {
			return
		}
		if started = started || s.key == from; !started {
			continue
		}
		if _, err := h.step(s.who, s.key, s.logo); err != nil {
			h.t.Fatalf("%s: %v", s.key, err)
		}
	}
}

// TestApplyForOfficialStatusIsTheOrganizers: only an organizer of an active
// group asks, once at a time, and the request carries the checklist.
func TestApplyForOfficialStatusIsTheOrganizers(t *testing.T) {
	h := newHandover(t)
	_, err := h.Runner.ApplyForOfficialStatus(h.As(h.other.ID), h.group.ID)
	wantCode(t, err, apierror.Forbidden)
	_, err = h.Runner.ApplyForOfficialStatus(h.As(h.applicant.ID), pulid.New("grp"))
	wantCode(t, err, apierror.NotFound)
	app := h.ask()
	if app.Kind != application.KindOFFICIAL_STATUS || app.Status != application.StatusSUBMITTED || len(app.Checklist.Items) != 7 ||
		app.MentorID != h.amb.ID || app.RegionID != h.region.ID {
		t.Fatalf("request = %+v", app)
	}
	_, err = h.Runner.ApplyForOfficialStatus(h.As(h.coLeader.ID), h.group.ID)
	wantCode(t, err, apierror.Conflict)

	proposed := h.Group(h.com, group.StatusPROPOSED)
	h.Role(h.other, role.KindORGANIZER, proposed)
	_, err = h.Runner.ApplyForOfficialStatus(h.As(h.other.ID), proposed.ID)
	if ae := refusal(t, err, apierror.Conflict, ""); ae.Extensions["status"] != string(group.StatusPROPOSED) {
		t.Errorf("a proposed group asks: %v", err)
	}
}

// TestHandoverStepsGoInOrder: steps go in order; the mentor signs off the
// mentoring but may not confirm the requirements, which staff confirm only
// when they are met, as officialRequirements shows them live.
func TestHandoverStepsGoInOrder(t *testing.T) {
	h := newHandover(t)
	h.ask()
	_, err := h.step(h.manager, policy.StepRequirements, "")
	if ae := refusal(t, err, apierror.Conflict, ""); ae.Extensions["nextStep"] != policy.StepMentoring {
		t.Errorf("out of order: %v", ae.Extensions)
	}
	_, err = h.step(h.other, policy.StepMentoring, "") // a stranger does not see the request
	wantCode(t, err, apierror.NotFound)
	_, err = h.step(h.applicant, policy.StepMentoring, "")
	wantCode(t, err, apierror.Forbidden)
	_, err = h.step(h.amb, "party", "")
	refusal(t, err, apierror.BadUserInput, "step")
	app, err := h.step(h.amb, policy.StepMentoring, "")
	if err != nil || app.Status != application.StatusIN_REVIEW || app.Checklist.Items[0].DoneAt == nil || !app.Checklist.Items[0].DoneAt.Equal(h.Now()) {
		t.Fatalf("the mentor signs off: %+v, %v", app, err)
	}
	_, err = h.step(h.amb, policy.StepMentoring, "")
	wantCode(t, err, apierror.Conflict)
	_, err = h.step(h.amb, policy.StepRequirements, "")
	wantCode(t, err, apierror.Forbidden)
	_, err = h.step(h.manager, policy.StepRequirements, "")
	ae := refusal(t, err, apierror.Conflict, "")
	if unmet, _ := ae.Extensions["unmet"].([]string); len(unmet) != 3 {
		t.Errorf("unmet = %v, want members, organizations, events", ae.Extensions["unmet"])
	}
	reqs, err := h.Runner.OfficialRequirements(h.Anonymous(), h.group.ID)
	if err != nil || policy.AllMet(reqs) {
		t.Errorf("requirements of a group of two: %+v, %v", reqs, err)
	}

	h.grow()
	reqs, err = h.Runner.OfficialRequirements(h.Anonymous(), h.group.ID)
	if err != nil || len(reqs) == 0 {
		t.Fatal(reqs, err)
	}
	for _, r := range reqs {
		if !r.Met {
			t.Errorf("requirement not met: %+v", r)
		}
	}
	if _, err := h.step(h.manager, policy.StepRequirements, ""); err != nil {
		t.Errorf("requirements met: %v", err)
	}
}

// TestLogoStepRecordsTheGroupsLogo: the logo_received step takes the logo's
// https URL and records it as the group's logo; no other step takes one.
func TestLogoStepRecordsTheGroupsLogo(t *testing.T) {
	h := newHandover(t)
	h.grow()
	h.ask()
	h.through(policy.StepMentoring, policy.StepLogoReceived)
	for _, logo := range []string{"", "http://logos.example.org/pack.zip", "not a url"} {
		_, err := h.step(h.amb, policy.StepLogoReceived, logo)
		refusal(t, err, apierror.BadUserInput, "logoURL")
	}
	_, err := h.step(h.amb, policy.StepPortalUpdated, h.logoURL)
	refusal(t, err, apierror.BadUserInput, "logoURL")
	if _, err := h.step(h.amb, policy.StepLogoReceived, h.logoURL); err != nil {
		t.Fatal(err)
	}
	if g := h.Client.Group.GetX(h.Anonymous(), h.group.ID); g.LogoURL != h.logoURL {
		t.Errorf("group logo = %q", g.LogoURL)
	}
}

// TestHandoverMakesTheGroupOfficial: the logo-pack step sends the
// recognition letter once, to all the group's leaders; the swag kit needs
// an organizer's address and its note says whose; the last step approves
// the request and makes the group OFFICIAL.
func TestHandoverMakesTheGroupOfficial(t *testing.T) {
	h := newHandover(t)
	sys := h.System()
	h.grow()
	h.ask()
	h.through(policy.StepMentoring, policy.StepLogoPackSent)
	if n := h.Client.Message.Query().Where(message.Template(letterKind)).CountX(sys); n != 0 {
		t.Errorf("%d letters before the logo pack is sent", n)
	}
	h.through(policy.StepLogoPackSent, policy.StepSwagShipped)
	sent := h.Client.Message.Query().Where(message.Template(letterKind)).AllX(sys)
	if len(sent) != 1 {
		t.Fatalf("%d recognition letters, want one to all leaders", len(sent))
	}
	l := sent[0]
	if l.Subject != "Official Recognition of your User Group" || !sameIDs(l.RecipientIds, []pulid.ID{h.applicant.ID, h.coLeader.ID}) || l.RecipientID != "" {
		t.Errorf("letter subject %q to %v / %q", l.Subject, l.RecipientIds, l.RecipientID)
	}
	for _, want := range []string{h.group.Name, h.logoURL, "phone number"} {
		if !strings.Contains(l.Body, want) {
			t.Errorf("letter lacks %q:\n%s", want, l.Body)
		}
	}

	_, err := h.step(h.manager, policy.StepSwagShipped, "")
	if ae := refusal(t, err, apierror.Conflict, ""); !strings.Contains(ae.Message, "setShippingAddress") {
		t.Errorf("swag kit without an address: %v", err)
	}
	_, err = h.step(h.amb, policy.StepSwagShipped, "")
	wantCode(t, err, apierror.Forbidden)
	h.address(h.coLeader)
	h.Clock.Advance(time.Hour)
	app, err := h.step(h.manager, policy.StepSwagShipped, "")
	if err != nil || app.Status != application.StatusAPPROVED || app.DecidedAt == nil || !app.DecidedAt.Equal(h.Now()) || app.DecidedByID != h.manager.ID {
		t.Fatalf("swag kit shipped: %+v, %v", app, err)
	}
	notes := h.Client.Review.Query().Where(review.KindEQ(review.KindCOMMENT), review.BodyContains("Swag kit")).AllX(sys)
	if len(notes) != 1 || !strings.Contains(notes[0].Body, "@coleader") {
		t.Errorf("the swag-kit note does not say whose address: %v", notes)
	}
	final := h.Client.Group.GetX(sys, h.group.ID)
	if final.Status != group.StatusOFFICIAL || final.OfficialSince == nil || !final.OfficialSince.Equal(h.Now()) {
		t.Errorf("group after handover: %s since %v", final.Status, final.OfficialSince)
	}
	if n := h.Client.Message.Query().Where(message.Template(letterKind)).CountX(sys); n != 1 {
		t.Errorf("%d recognition letters after the handover, want the one", n)
	}
	_, err = h.step(h.manager, policy.StepSwagShipped, "")
	conflictOn(t, err, application.StatusAPPROVED)
}

const letterKind = "official_recognition"

// address gives u's shipping address.
func (h *handover) address(u *ent.User) *ent.ShippingAddress {
	h.t.Helper()
	a, err := h.Runner.SetShippingAddress(h.As(u.ID), addressInput())
	if err != nil {
		h.t.Fatal(err)
	}
	return a
}

func addressInput() workflow.ShippingInput {
	return workflow.ShippingInput{RecipientName: "Ada Organizer", StreetLines: []string{"1 Broadway", "Suite 200"}, City: "Oakland",
		Region: "CA", PostalCode: "94607", Country: "us", Phone: "+1 510 555 0100"}
}

func sameIDs(got, want []pulid.ID) bool {
	g, w := slices.Clone(got), slices.Clone(want)
	slices.Sort(g)
	slices.Sort(w)
	return slices.Equal(g, w)
}
