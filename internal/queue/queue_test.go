package queue_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/application"
	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/queue"
	"github.com/usergroups/usergroups/internal/viewer"
	"github.com/usergroups/usergroups/internal/workflow"
)

func code(err error) apierror.Code {
	var ae *apierror.Error
	if errors.As(err, &ae) {
		return ae.Code
	}
	return ""
}

func as(v *viewer.Viewer) context.Context { return viewer.NewContext(context.Background(), v) }

// TestOpenChecksTheAsk: "assigned to me" needs someone signed in and
// becomes their id; an age is hours and cannot be negative.
func TestOpenChecksTheAsk(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	mine := queue.Ask{AssignedToMe: true, OlderThanHours: 48}
	if _, err := queue.OpenResolved(as(&viewer.Viewer{}), "com_a", mine, now); code(err) != apierror.Unauthenticated {
		t.Errorf("anonymous, assigned to me: %v", err)
	}
	q, err := queue.OpenResolved(as(&viewer.Viewer{UserID: "usr_r"}), "com_a", mine, now)
	if err != nil || q.Filter.AssignedTo != "usr_r" || q.Filter.OlderThan != 48*time.Hour || q.Community != "com_a" || !q.Now.Equal(now) {
		t.Errorf("Open = %+v, %v", q, err)
	}
	if _, err := queue.OpenResolved(as(&viewer.Viewer{UserID: "usr_r"}), "com_a", queue.Ask{OlderThanHours: -1}, now); code(err) != apierror.BadUserInput {
		t.Errorf("negative age: %v", err)
	}
}

// TestStaffReads: which groups lack an organizer is for the community's
// staff; a track record is for the application's reviewers, decided on
// the application as stored (not the applicant, not a stranger); a
// directory search around a place that does not exist is bad input.
func TestStaffReads(t *testing.T) {
	db := dbtest.Open(t)
	sys := dbtest.FixtureContext(t)
	var com *ent.Community
	var led, leaderless *ent.Group
	var app *ent.Application
	var ada *ent.User
	err := workflow.NewRunner(db.Client, nil).Import(sys, "queue fixture", func(ctx context.Context, c *ent.Client) error {
		com = c.Community.Create().SetName("Alpha").SetSlug("alpha").SaveX(ctx)
		newGroup := func(city string) *ent.Group {
			return c.Group.Create().SetCommunityID(com.ID).SetName(city).SetSlug(strings.ToLower(city)).SetCity(city).SetCountry("FR").
				SetStatus(group.StatusACTIVE).SaveX(ctx)
		}
		led, leaderless = newGroup("Paris"), newGroup("Lyon")
		org := c.User.Create().SetHandle("org").SetName("Org").SaveX(ctx)
		ada = c.User.Create().SetHandle("ada").SetName("Ada").SaveX(ctx)
		c.Role.Create().SetUserID(org.ID).SetCommunityID(com.ID).SetGroupID(led.ID).SetKind(role.KindORGANIZER).ExecX(ctx)
		app = c.Application.Create().SetCommunityID(com.ID).SetGroupID(led.ID).SetApplicantID(ada.ID).
			SetKind(application.KindMEMBERSHIP).SaveX(ctx)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	manager := &viewer.Viewer{UserID: "usr_mgr", Roles: []viewer.Role{{Kind: viewer.CommunityManager, CommunityID: com.ID}}}
	organizer := &viewer.Viewer{UserID: "usr_org", Roles: []viewer.Role{{Kind: viewer.Organizer, CommunityID: com.ID, GroupID: led.ID}}}
	applicant := &viewer.Viewer{UserID: ada.ID}

	gs, err := queue.Leaderless(as(manager), db.Client, com.ID)
	if err != nil || len(gs) != 1 || gs[0].ID != leaderless.ID {
		t.Errorf("the manager's leaderless groups: %v, %v", gs, err)
	}
	if _, err := queue.Leaderless(as(organizer), db.Client, com.ID); code(err) != apierror.Forbidden {
		t.Errorf("an organizer asked for leaderless groups: %v", err)
	}

	for name, v := range map[string]*viewer.Viewer{"manager": manager, "organizer": organizer, "applicant": applicant, "stranger": {UserID: "usr_s"}} {
		records, err := queue.TrackRecords(as(v), db.Client, []pulid.ID{app.ID})
		reviews := name == "manager" || name == "organizer"
		if err != nil || (records[app.ID] != nil) != reviews {
			t.Errorf("%s got a track record: %v (%v), want %v", name, records[app.ID] != nil, err, reviews)
		}
	}

	if _, err := queue.Ambassadors(as(manager), db.Client, db.Client.Role.Query(), com.ID, "", &queue.Point{Lat: 91}, 5); code(err) != apierror.BadUserInput {
		t.Errorf("ambassadors near latitude 91: %v", err)
	}
}

// TestAdmits: a stream's filter checks one application in memory as a
// queue's predicates would, with no statuses meaning all of them.
func TestAdmits(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	yes := true
	a := &ent.Application{Kind: application.KindNEW_GROUP, Status: application.StatusAPPROVED, RegionID: "reg_a",
		ReviewerID: "usr_r", UnresolvedConflicts: 1, CreatedAt: now.Add(-72 * time.Hour)}
	for _, c := range []struct {
		f    queue.Filter
		want bool
	}{
		{queue.Filter{}, true},
		{queue.Filter{Kinds: []application.Kind{application.KindAMBASSADOR}}, false},
		{queue.Filter{Statuses: []application.Status{application.StatusSUBMITTED}}, false},
		{queue.Filter{Region: "reg_b"}, false},
		{queue.Filter{AssignedTo: "usr_r", HasConflicts: &yes, OlderThan: 48 * time.Hour, Region: "reg_a"}, true},
		{queue.Filter{OlderThan: 96 * time.Hour}, false},
	} {
		if got := c.f.Admits(a, now); got != c.want {
			t.Errorf("%+v admits: %v, want %v", c.f, got, c.want)
		}
	}
}
