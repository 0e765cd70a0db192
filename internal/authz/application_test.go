package authz_test

import (
	"context"
	"testing"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/application"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/viewer"
)

// TestCanSeeApplicationMatchesPolicy: live delivery checks applications
// in memory instead of through the privacy rule, so for every kind of
// viewer and every shape of application the two must agree, or a reviewer
// would be sent an application a query would hide from them.
func TestCanSeeApplicationMatchesPolicy(t *testing.T) {
	db := dbtest.Open(t)
	sys := dbtest.FixtureContext(t)
	c := db.Client
	tx, err := c.Tx(sys)
	if err != nil {
		t.Fatal(err)
	}
	w := tx.Client() // tracked entities are written in transactions
	comA := w.Community.Create().SetName("Alpha").SetSlug("alpha").SaveX(sys)
	comB := w.Community.Create().SetName("Beta").SetSlug("beta").SaveX(sys)
	region := w.Region.Create().SetCommunityID(comA.ID).SetName("Europe").SetSlug("europe").SetCountries([]string{"FR"}).SaveX(sys)
	g1 := w.Group.Create().SetCommunityID(comA.ID).SetRegionID(region.ID).SetName("Paris").SetSlug("paris").SetCity("Paris").SetCountry("FR").SaveX(sys)
	g2 := w.Group.Create().SetCommunityID(comA.ID).SetName("Lyon").SetSlug("lyon").SetCity("Lyon").SetCountry("FR").SaveX(sys)
	user := func(h string) *ent.User { return w.User.Create().SetHandle(h).SetName(h).SaveX(sys) }
	applicant, mentor, other := user("applicant"), user("mentor"), user("other")

	var apps []*ent.Application
	for _, kind := range []application.Kind{application.KindNEW_GROUP, application.KindMEMBERSHIP, application.KindORGANIZER, application.KindAMBASSADOR, application.KindFUNDING} {
		for _, shape := range []func(*ent.ApplicationCreate){
			func(*ent.ApplicationCreate) {},
			func(a *ent.ApplicationCreate) { a.SetGroupID(g1.ID).SetRegionID(region.ID) },
			func(a *ent.ApplicationCreate) { a.SetGroupID(g2.ID).SetMentorID(mentor.ID) },
			func(a *ent.ApplicationCreate) { a.SetRegionID(region.ID) },
		} {
			for _, com := range []*ent.Community{comA, comB} {
				create := w.Application.Create().SetCommunityID(com.ID).SetApplicantID(applicant.ID).SetKind(kind)
				shape(create)
				apps = append(apps, create.SaveX(sys))
			}
		}
	}

	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	role := func(kind string, com, reg, grp pulid.ID) viewer.Role {
		return viewer.Role{Kind: kind, CommunityID: com, RegionID: reg, GroupID: grp}
	}
	viewers := map[string]*viewer.Viewer{
		"anonymous":             {},
		"system":                viewer.System(),
		"admin":                 {UserID: other.ID, Roles: []viewer.Role{role(viewer.Admin, "", "", "")}},
		"applicant":             {UserID: applicant.ID},
		"applicant via token":   {UserID: applicant.ID, Token: &viewer.Token{ID: "tok", Scopes: []string{viewer.ScopeRead}}},
		"mentor":                {UserID: mentor.ID},
		"stranger":              {UserID: other.ID},
		"staff of A":            {UserID: other.ID, Roles: []viewer.Role{role(viewer.CommunityManager, comA.ID, "", "")}},
		"staff of B":            {UserID: other.ID, Roles: []viewer.Role{role(viewer.CommunityManager, comB.ID, "", "")}},
		"ambassador of A":       {UserID: other.ID, Roles: []viewer.Role{role(viewer.Ambassador, comA.ID, "", "")}},
		"ambassador of region":  {UserID: other.ID, Roles: []viewer.Role{role(viewer.Ambassador, comA.ID, region.ID, "")}},
		"ambassador of group":   {UserID: other.ID, Roles: []viewer.Role{role(viewer.Ambassador, comA.ID, region.ID, g1.ID)}},
		"organizer of g1":       {UserID: other.ID, Roles: []viewer.Role{role(viewer.Organizer, comA.ID, region.ID, g1.ID)}},
		"organizer of g2":       {UserID: other.ID, Roles: []viewer.Role{role(viewer.Organizer, comA.ID, "", g2.ID)}},
		"member of g1":          {UserID: other.ID, Roles: []viewer.Role{role(viewer.Member, comA.ID, region.ID, g1.ID)}},
		"manager of A's region": {UserID: other.ID, Roles: []viewer.Role{role(viewer.CommunityManager, comA.ID, region.ID, "")}},
	}
	for name, v := range viewers {
		ctx := viewer.NewContext(context.Background(), v)
		for i, a := range apps {
			want := c.Application.Query().Where(application.ID(a.ID)).ExistX(ctx)
			if got := authz.CanSeeApplication(v, a); got != want {
				t.Errorf("%s, application %d (%s, group %q, region %q, mentor %q): in memory %v, policy %v",
					name, i, a.Kind, a.GroupID, a.RegionID, a.MentorID, got, want)
			}
		}
	}
}

// TestStaffClassAgreesOnItsCommunity: a staff class leaves the person out,
// so every viewer in it (whoever they are, the applicant or mentor of a
// row included) must get the same answer, in memory and from the SQL
// rule, on every application of the class's community: the only rows a
// shared approvalQueue delivers. Outside it the person may matter, which
// is why the class names its community.
func TestStaffClassAgreesOnItsCommunity(t *testing.T) {
	db := dbtest.Open(t)
	sys := dbtest.FixtureContext(t)
	c := db.Client
	tx, err := c.Tx(sys)
	if err != nil {
		t.Fatal(err)
	}
	w := tx.Client()
	comA := w.Community.Create().SetName("Alpha").SetSlug("alpha").SaveX(sys)
	comB := w.Community.Create().SetName("Beta").SetSlug("beta").SaveX(sys)
	region := w.Region.Create().SetCommunityID(comA.ID).SetName("Europe").SetSlug("europe").SetCountries([]string{"FR"}).SaveX(sys)
	g1 := w.Group.Create().SetCommunityID(comA.ID).SetRegionID(region.ID).SetName("Paris").SetSlug("paris").SetCity("Paris").SetCountry("FR").SaveX(sys)
	user := func(h string) *ent.User { return w.User.Create().SetHandle(h).SetName(h).SaveX(sys) }
	applicant, mentor, other := user("applicant"), user("mentor"), user("other")
	var apps []*ent.Application
	for _, kind := range []application.Kind{application.KindNEW_GROUP, application.KindMEMBERSHIP, application.KindORGANIZER} {
		for _, com := range []*ent.Community{comA, comB} {
			create := w.Application.Create().SetCommunityID(com.ID).SetApplicantID(applicant.ID).SetKind(kind).SetMentorID(mentor.ID)
			if com == comA {
				create.SetGroupID(g1.ID).SetRegionID(region.ID)
			}
			apps = append(apps, create.SaveX(sys))
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	read := &viewer.Token{ID: "t", Scopes: []string{viewer.ScopeRead}}
	classes := map[string][]*viewer.Viewer{}
	for _, roles := range [][]viewer.Role{
		{{Kind: viewer.CommunityManager, CommunityID: comA.ID}},
		{{Kind: viewer.Admin}},
		{{Kind: viewer.CommunityManager, CommunityID: comA.ID}, {Kind: viewer.Organizer, CommunityID: comA.ID, GroupID: g1.ID}},
	} {
		for _, person := range []pulid.ID{applicant.ID, mentor.ID, other.ID} {
			for _, tok := range []*viewer.Token{nil, read} {
				v := &viewer.Viewer{UserID: person, Token: tok, Roles: roles}
				class, ok := authz.StaffClass(v, comA.ID)
				if !ok {
					t.Fatalf("%+v is staff of A", v)
				}
				classes[class] = append(classes[class], v)
			}
		}
	}
	if len(classes) != 6 {
		t.Errorf("classes: %d, want one per role set and credential kind (6)", len(classes))
	}
	if _, ok := authz.StaffClass(&viewer.Viewer{UserID: other.ID, Roles: []viewer.Role{{Kind: viewer.CommunityManager, CommunityID: comB.ID}}}, comA.ID); ok {
		t.Error("staff of B is in a staff class of A")
	}
	sees := func(v *viewer.Viewer, a *ent.Application) bool {
		return c.Application.Query().Where(application.ID(a.ID)).ExistX(viewer.NewContext(context.Background(), v))
	}
	for class, vs := range classes {
		for i, a := range apps {
			if a.CommunityID != comA.ID {
				continue
			}
			first := sees(vs[0], a)
			for _, v := range vs {
				if mem, sql := authz.CanSeeApplication(v, a), sees(v, a); mem != sql || sql != first {
					t.Errorf("class %s, application %d, viewer %s: in memory %v, policy %v, the class's first viewer %v", class, i, v.UserID, mem, sql, first)
				}
			}
		}
	}
}
