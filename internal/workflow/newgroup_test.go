package workflow_test

import (
	"context"
	"fmt"
	"github.com/usergroups/usergroups/internal/dbtest"
	"slices"
	"testing"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/application"
	"github.com/usergroups/usergroups/ent/change"
	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/ent/schematype"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/changelog"
	"github.com/usergroups/usergroups/internal/errmap"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/store"
	"github.com/usergroups/usergroups/internal/workflow"
)

// bay is the world of the new-group tests: a community on policy p with a
// North American region, its official group in San Francisco, a manager,
// two of the region's ambassadors, and an applicant and a stranger who
// live in Oakland, 13 km away.
type bay struct {
	*world
	com                                  *ent.Community
	region                               *ent.Region
	sf                                   *ent.Group
	manager, amb, amb2, applicant, other *ent.User
}

func newBay(t *testing.T, p policy.Policy) *bay { return newBayOn(newWorld(t), p) }

func newBayOn(w *world, p policy.Policy) *bay {
	w.t.Helper()
	b := &bay{world: w}
	b.com = w.Community(p, func(c *ent.CommunityCreate) { c.SetName("OpenStack").SetWebsiteURL("https://groups.example.org/about") })
	b.region = w.Region(b.com, func(r *ent.RegionCreate) { r.SetName("North America").SetCountries([]string{"US", "CA"}) })
	b.sf = w.Group(b.com, group.StatusOFFICIAL, func(g *ent.GroupCreate) {
		g.SetRegionID(b.region.ID).SetName("Bay Area {Stackers}").SetCity("San Francisco").SetCountry("US").
			SetLatitude(37.7749).SetLongitude(-122.4194)
	})
	b.manager, b.amb, b.amb2 = b.inOakland(), b.inOakland(), b.inOakland()
	b.applicant, b.other = b.inOakland(), b.inOakland()
	w.Role(b.manager, role.KindCOMMUNITY_MANAGER, b.com)
	w.Role(b.amb, role.KindAMBASSADOR, b.region)
	w.Role(b.amb2, role.KindAMBASSADOR, b.region)
	return b
}

// inOakland adds a person who lives in Oakland (working for orgs[0], if given).
func (b *bay) inOakland(orgs ...*ent.Organization) *ent.User {
	b.t.Helper()
	return b.User(func(u *ent.UserCreate) {
		u.SetCity("Oakland")
		if len(orgs) > 0 {
			u.SetOrganizationID(orgs[0].ID)
		}
	})
}

// request is a valid request for a group called name meeting in city (at
// Oakland's coordinates when the city is Oakland).
func (b *bay) request(name, city string) workflow.GroupRequest {
	req := workflow.GroupRequest{
		CommunityID: b.com.ID, Name: name, City: city, Country: "US", AcceptedCodeOfConduct: true,
		Description: "OpenStack operators in the East Bay.", Links: []schematype.Link{{Label: "Meetup", URL: "https://meetup.example.com/eb"}},
	}
	if city == "Oakland" {
		lat, lon := 37.8044, -122.2712
		req.Latitude, req.Longitude = &lat, &lon
	}
	return req
}

// apply files the applicant's request for name in city, failing the test
// on a refusal.
func (b *bay) apply(name, city string) workflow.NewGroupRequest {
	b.t.Helper()
	return b.applyAs(b.applicant, b.request(name, city))
}

func (b *bay) applyAs(u *ent.User, req workflow.GroupRequest) workflow.NewGroupRequest {
	b.t.Helper()
	res, err := b.Runner.ApplyForGroup(b.As(u.ID), req)
	if err != nil {
		b.t.Fatalf("applying for %q: %v", req.Name, err)
	}
	return res
}

// app reads an application as it is now.
func (b *bay) app(id pulid.ID) *ent.Application {
	b.t.Helper()
	return b.Client.Application.GetX(b.System(), id)
}

// refusal returns err as the API error it is, failing the test unless it
// has the code (and names the field, when field is given).
func refusal(t testing.TB, err error, code apierror.Code, field string) *apierror.Error {
	t.Helper()
	ae := errmap.Classify(err)
	if err == nil || ae == nil || ae.Code != code || (field != "" && ae.Field != field) {
		t.Fatalf("got %v, want %s on %q", err, code, field)
	}
	return ae
}

// conflictOn checks err is a CONFLICT naming the application's status.
func conflictOn(t testing.TB, err error, status application.Status) *apierror.Error {
	t.Helper()
	ae := refusal(t, err, apierror.Conflict, "")
	if ae.Extensions["status"] != string(status) {
		t.Fatalf("conflict %v names status %v, want %s", err, ae.Extensions["status"], status)
	}
	return ae
}

// TestApplyForGroupProposesAndScreens: a request makes a PROPOSED group and
// a SUBMITTED application screened against the groups nearby, its
// applicant the first supporter; a refused request writes nothing.
func TestApplyForGroupProposesAndScreens(t *testing.T) {
	b := newBay(t, policy.OpenStack())
	sys := b.System()
	before := b.Client.Group.Query().CountX(sys)
	req := b.request("Oakland {East Bay}", "Oakland")

	_, err := b.Runner.ApplyForGroup(b.Anonymous(), req)
	wantCode(t, err, apierror.Unauthenticated)
	_, err = b.Runner.ApplyForGroup(b.AsToken(b.applicant.ID, "read"), req)
	wantCode(t, err, apierror.Forbidden)
	bad := req
	bad.Name = "{East Bay} Oakland"
	_, err = b.Runner.ApplyForGroup(b.As(b.applicant.ID), bad)
	if ae := refusal(t, err, apierror.BadUserInput, "name"); ae.Extensions["suggestedName"] != "Oakland {East Bay}" {
		t.Errorf("misplaced nickname: suggestion %v", ae.Extensions["suggestedName"])
	}
	bad = req
	bad.AcceptedCodeOfConduct = false
	_, err = b.Runner.ApplyForGroup(b.As(b.applicant.ID), bad)
	refusal(t, err, apierror.BadUserInput, "acceptCodeOfConduct")
	if n := b.Client.Group.Query().CountX(sys); n != before {
		t.Fatalf("refused requests wrote %d groups", n-before)
	}

	res := b.apply("Oakland {East Bay}", "Oakland")
	app, g := res.Application, res.Group
	if g.Status != group.StatusPROPOSED || g.Slug != "oakland-east-bay" || app.Status != application.StatusSUBMITTED ||
		app.Kind != application.KindNEW_GROUP || app.GroupID != g.ID || app.RegionID != b.region.ID {
		t.Errorf("request = %s %s (group %s %q, region %q)", app.Kind, app.Status, g.Status, g.Slug, app.RegionID)
	}
	cs := app.Screening.Conflicts
	if len(cs) != 1 || cs[0].GroupID != string(b.sf.ID) || cs[0].Name != "Bay Area {Stackers}" || cs[0].DistanceKm < 13 || cs[0].DistanceKm > 14 {
		t.Errorf("conflicts = %+v", cs)
	}
	if app.Screening.Supporters != 1 || app.Screening.Flags != nil || !app.Screening.ScreenedAt.Equal(b.Now()) {
		t.Errorf("screening = %+v, want one supporter, no flags, screened now", app.Screening)
	}
}

// TestGroupNameRuleIsTheSuggestersRule: a name the suggester would rewrite
// (project words before or after the place) is refused with the suggestion,
// when applying and when a reviewer renames the proposal.
func TestGroupNameRuleIsTheSuggestersRule(t *testing.T) {
	b := newBay(t, policy.OpenStack())
	sys := b.System()
	for name, want := range map[string]string{
		"OpenStack User Group Palo Alto": "Palo Alto {OpenStack User Group}",
		"Palo Alto OpenStack Meetup":     "Palo Alto {OpenStack Meetup}",
	} {
		_, err := b.Runner.ApplyForGroup(b.As(b.applicant.ID), workflow.GroupRequest{CommunityID: b.com.ID, Name: name,
			City: "Palo Alto", Country: "US", AcceptedCodeOfConduct: true})
		if ae := refusal(t, err, apierror.BadUserInput, "name"); ae.Extensions["suggestedName"] != want {
			t.Errorf("apply as %q: suggestion %v, want %q", name, ae.Extensions["suggestedName"], want)
		}
	}
	if n := b.Client.Application.Query().CountX(sys); n != 0 {
		t.Fatalf("refused names filed %d applications", n)
	}
	b.applyAs(b.applicant, workflow.GroupRequest{CommunityID: b.com.ID, Name: "Palo Alto {OpenStack User Group}",
		City: "Palo Alto", Country: "US", AcceptedCodeOfConduct: true})

	res := b.apply("Oakland", "Oakland")
	rename := func(name string) (*ent.Application, error) {
		return b.Runner.UpdateProposal(b.As(b.manager.ID), res.Application.ID, workflow.ProposalUpdate{Name: &name})
	}
	_, err := rename("OpenStack User Group Oakland")
	if ae := refusal(t, err, apierror.BadUserInput, "name"); ae.Extensions["suggestedName"] != "Oakland {OpenStack User Group}" {
		t.Errorf("reviewer's rename: suggestion %v", ae.Extensions["suggestedName"])
	}
	if g := b.Client.Group.GetX(sys, res.Group.ID); g.Name != "Oakland" {
		t.Errorf("refused rename stored %q", g.Name)
	}
	app, err := rename("Oakland {OpenStack User Group}")
	if err != nil || app.Answers.ProposedName != "Oakland {OpenStack User Group}" {
		t.Errorf("rename to the suggestion: %v, %v", app, err)
	}
}

// TestSupportCountsPeopleOfTheCityOnce: a supporter counts once, only if
// they live in the city, with their organization; a decided request takes
// no more support.
func TestSupportCountsPeopleOfTheCityOnce(t *testing.T) {
	b := newBay(t, policy.OpenStack())
	orgA, orgB := b.Organization(), b.Organization()
	b.Import(func(ctx context.Context, c *ent.Client) error {
		return c.User.UpdateOne(b.applicant).SetOrganizationID(orgA.ID).Exec(ctx)
	})
	bob := b.inOakland(orgB)
	cat := b.User(func(u *ent.UserCreate) { u.SetCity("Boston").SetOrganizationID(orgB.ID) })
	res := b.apply("Oakland {East Bay}", "Oakland")
	gid := res.Group.ID

	s, err := b.Runner.SupportGroupRequest(b.As(bob.ID), gid)
	if err != nil || s.People != 2 || s.Organizations != 2 || s.Group.ID != gid {
		t.Errorf("bob supports: %+v, %v", s, err)
	}
	if _, err := b.Runner.SupportGroupRequest(b.As(bob.ID), gid); err != nil {
		t.Errorf("bob again: %v", err)
	}
	// The application's id names the request as well as its group's; cat,
	// who may not read the application, gets none back.
	if s, err := b.Runner.SupportGroupRequest(b.As(cat.ID), res.Application.ID); err != nil || s.People != 2 || s.Application != nil || s.Group.ID != gid {
		t.Errorf("after bob again and cat from Boston: %+v, %v", s, err)
	}
	if s, err := b.Runner.SupportGroupRequest(b.As(b.applicant.ID), gid); err != nil || s.Application == nil || s.Application.ID != res.Application.ID {
		t.Errorf("the applicant backs their own request and reads it back: %+v, %v", s, err)
	}
	if got := b.app(res.Application.ID).Screening; got.Supporters != 2 || got.SupporterOrganizations != 2 {
		t.Errorf("stored screening counts %d from %d organizations", got.Supporters, got.SupporterOrganizations)
	}
	_, err = b.Runner.SupportGroupRequest(b.As(cat.ID), b.sf.ID)
	wantCode(t, err, apierror.NotFound)
	if n := b.Client.Group.Query().Where(group.StatusEQ(group.StatusPROPOSED)).CountX(b.System()); n != 1 {
		t.Errorf("%d proposed groups, want the one", n)
	}

	if _, err := b.Runner.Reject(b.As(b.manager.ID), res.Application.ID, "OTHER", "Not now."); err != nil {
		t.Fatal(err)
	}
	_, err = b.Runner.SupportGroupRequest(b.As(cat.ID), gid)
	conflictOn(t, err, application.StatusREJECTED)
	if n := b.Client.Group.Query().Where(group.StatusEQ(group.StatusPROPOSED)).CountX(b.System()); n != 0 {
		t.Errorf("%d proposed groups after the rejection, want none", n)
	}
}

// TestScreeningListsMissingSupporters: where the policy asks for supporters
// (openEuler: 10 from 10 organizations), screening lists them under missing
// until they are there; OpenStack asks for none.
func TestScreeningListsMissingSupporters(t *testing.T) {
	b := newBay(t, policy.OpenEuler())
	res := b.apply("Oakland", "Oakland")
	if m := res.Application.Screening.Missing; !slices.Contains(m, "supporters") {
		t.Errorf("one supporter of ten: missing %v", m)
	}
	for range 10 {
		u := b.inOakland(b.Organization())
		if _, err := b.Runner.SupportGroupRequest(b.As(u.ID), res.Group.ID); err != nil {
			t.Fatal(err)
		}
	}
	if m := b.app(res.Application.ID).Screening.Missing; slices.Contains(m, "supporters") {
		t.Errorf("ten supporters from ten organizations: missing %v", m)
	}

	os := newBay(t, policy.OpenStack())
	if m := os.apply("Oakland", "Oakland").Application.Screening.Missing; slices.Contains(m, "supporters") {
		t.Errorf("OpenStack asks for no supporters: missing %v", m)
	}
}

// TestApplicationEntersTheQueueOnce: a new request is one change in the
// approval queue (CREATED), not CREATED followed by an UPDATED for its
// screening.
func TestApplicationEntersTheQueueOnce(t *testing.T) {
	b := newBay(t, policy.OpenStack())
	res := b.apply("Oakland", "Oakland")
	if len(res.Application.Screening.Conflicts) != 1 {
		t.Errorf("the screening is stored with the request: conflicts %v", res.Application.Screening.Conflicts)
	}
	ops := b.Client.Change.Query().Where(change.Topic(changelog.TopicApplication), change.NodeID(string(res.Application.ID))).
		Order(ent.Asc(change.FieldID)).Select(change.FieldOp).StringsX(b.System())
	if len(ops) != 1 || ops[0] != string(change.OpCREATED) {
		t.Errorf("queue items for one new request: %v, want [CREATED]", ops)
	}
}

// newBayConcurrent is newBay on a database for concurrent writers.
func newBayConcurrent(t *testing.T, db *store.DB, p policy.Policy) *bay {
	return newBayOn(newWorldOn(t, db), p)
}

// cityNames names n distinct places for requests that must not conflict.
func cityNames(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("Town %s", dbtest.Letters(i))
	}
	return out
}
