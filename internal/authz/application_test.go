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
