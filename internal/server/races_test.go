package server_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/application"
	"github.com/usergroups/usergroups/ent/review"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/viewer"
	"github.com/usergroups/usergroups/internal/workflow"
)

// together runs each step in its own goroutine, released at once by a
// barrier once all are ready, and waits for them all.
func together(steps ...func()) {
	var ready, done sync.WaitGroup
	start := make(chan struct{})
	for _, step := range steps {
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			ready.Done()
			<-start
			step()
		}()
	}
	ready.Wait()
	close(start)
	done.Wait()
}

// raceRounds is how many times each race is run: each round is a fresh
// pair of contenders, so an unlocked count-then-write shows up in some.
const raceRounds = 12

// TestLastOrganizerRace: a group's two organizers step down (one with
// stepDown, one with leaveGroup) at the same moment, round after round. At
// most one may succeed; the group always keeps an organizer.
func TestLastOrganizerRace(t *testing.T) {
	base := dbtest.OpenConcurrent(t)
	h := sessionHandler(t, &dbClient{DB: base, Client: base.Client})
	sys := viewer.SystemContext(context.Background())
	tx, err := base.Client.Tx(sys)
	if err != nil {
		t.Fatal(err)
	}
	com := tx.Community.Create().SetName("OpenStack").SetSlug("openstack").SetPolicy(policy.OpenStack()).SaveX(sys)
	type round struct {
		group *ent.Group
		a, b  *ent.User
		roleA *ent.Role
	}
	rounds := make([]round, raceRounds)
	for i := range rounds {
		g := tx.Group.Create().SetCommunityID(com.ID).SetName(fmt.Sprintf("City %s", letters(i))).SetSlug(fmt.Sprintf("city-%d", i)).
			SetCity("Lyon").SetCountry("FR").SetStatus("ACTIVE").SaveX(sys)
		a := tx.User.Create().SetHandle(fmt.Sprintf("a%d", i)).SetName("A").SaveX(sys)
		b := tx.User.Create().SetHandle(fmt.Sprintf("b%d", i)).SetName("B").SaveX(sys)
		ra := tx.Role.Create().SetUserID(a.ID).SetCommunityID(com.ID).SetGroupID(g.ID).SetKind(role.KindORGANIZER).SaveX(sys)
		tx.Role.Create().SetUserID(b.ID).SetCommunityID(com.ID).SetGroupID(g.ID).SetKind(role.KindORGANIZER).ExecX(sys)
		tx.Role.Create().SetUserID(b.ID).SetCommunityID(com.ID).SetGroupID(g.ID).SetKind(role.KindMEMBER).ExecX(sys)
		rounds[i] = round{group: g, a: a, b: b, roleA: ra}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	const stepDown = `mutation($r: ID!) { stepDown(input: {role: $r}) { role { status } } }`
	const leave = `mutation($g: ID!) { leaveGroup(input: {group: $g}) { roles { status } } }`
	for i, rd := range rounds {
		var ra, rb gqlResponse
		together(
			func() {
				ra = query(t, h, "Session "+string(rd.a.ID), stepDown, map[string]any{"r": string(rd.roleA.ID)})
			},
			func() { rb = query(t, h, "Session "+string(rd.b.ID), leave, map[string]any{"g": string(rd.group.ID)}) },
		)
		okA, okB := len(ra.Errors) == 0, len(rb.Errors) == 0
		left := base.Client.Role.Query().Where(role.GroupID(rd.group.ID), role.KindEQ(role.KindORGANIZER), role.StatusEQ(role.StatusACTIVE)).CountX(sys)
		if (okA && okB) || left != 1 {
			t.Errorf("round %d: both succeeded=%v, %d organizers left (want 1); a: %+v, b: %+v", i, okA && okB, left, ra.Errors, rb.Errors)
		}
		for _, r := range []gqlResponse{ra, rb} {
			if len(r.Errors) > 0 && code(r) != "CONFLICT" {
				t.Errorf("round %d: the refused one got %+v, want CONFLICT", i, r.Errors)
			}
		}
	}
}

// TestObjectionRacesApproval: an ambassador objects at the moment the
// objection window is closed by the scheduler, or a reviewer approves where
// there is no window, round after round. Either the objection lands first
// and the application stays undecided, or the approval lands first and
// the objection is refused: never an approval with an open objection.
func TestObjectionRacesApproval(t *testing.T) {
	db := dbtest.OpenConcurrent(t)
	p := policy.OpenStack()
	p.RequireMentor = false
	p.ConflictRadiusKm = 0
	w := newQueueWorld(t, db, p)
	sys := viewer.SystemContext(context.Background())
	const object = `mutation($id: ID!) { objectToApplication(input: {id: $id, reason: "This group already meets as a meetup of another project."}) { application { status } } }`
	later := time.Now().Add(100 * time.Hour)

	check := func(what string, i int, appID string, objection gqlResponse, approved bool) {
		t.Helper()
		app := w.c.Application.GetX(sys, pulidID(appID))
		open := w.c.Review.Query().Where(review.ApplicationID(app.ID), review.KindEQ(review.KindOBJECTION), review.ResolvedAtIsNil()).CountX(sys)
		objected := len(objection.Errors) == 0
		switch {
		case app.Status == application.StatusAPPROVED && open > 0:
			t.Errorf("%s, round %d: approved with %d open objection(s) (objection: %+v)", what, i, open, objection.Errors)
		case approved != (app.Status == application.StatusAPPROVED):
			t.Errorf("%s, round %d: reported approved=%v, status %s", what, i, approved, app.Status)
		case !objected && code(objection) != "CONFLICT":
			t.Errorf("%s, round %d: the objection got %+v, want CONFLICT", what, i, objection.Errors)
		case !objected && !approved:
			t.Errorf("%s, round %d: neither the objection nor the approval went through", what, i)
		}
	}

	cities := []string{"Fremont", "Hayward", "Berkeley", "Alameda", "Richmond", "Concord", "Livermore", "Pleasanton",
		"Danville", "Dublin", "Milpitas", "Newark", "Albany", "Emeryville", "Piedmont", "Orinda", "Lafayette", "Moraga",
		"Benicia", "Vallejo", "Martinez", "Pittsburg", "Antioch", "Brentwood"}
	for i := range raceRounds {
		appID, _, _ := w.applyIn(t, cities[i], cities[i])
		w.ok(t, w.manager, approveQ, map[string]any{"id": appID}) // the window opens
		var objection gqlResponse
		var approved int
		together(
			func() {
				n, err := workflow.FinishObjectionWindows(sys, workflow.NewRunner(w.c, at(later)))
				if err != nil {
					t.Errorf("closing windows: %v", err)
				}
				approved = n
			},
			func() { objection = w.do(t, w.amb, object, map[string]any{"id": appID}) },
		)
		check("window", i, appID, objection, approved == 1)
	}

	// No window: the reviewer's approval takes effect at once.
	p.ObjectionWindowHours = 0
	tx, err := w.c.Tx(sys)
	if err != nil {
		t.Fatal(err)
	}
	tx.Community.UpdateOneID(w.com.ID).SetPolicy(p).ExecX(sys)
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	for i := range raceRounds {
		city := cities[raceRounds+i]
		appID, _, _ := w.applyIn(t, city, city)
		var objection, approval gqlResponse
		together(
			func() { approval = w.do(t, w.manager, approveQ, map[string]any{"id": appID}) },
			func() { objection = w.do(t, w.amb, object, map[string]any{"id": appID}) },
		)
		if len(approval.Errors) > 0 && code(approval) != "CONFLICT" {
			t.Errorf("direct, round %d: the approval got %+v", i, approval.Errors)
		}
		check("direct", i, appID, objection, len(approval.Errors) == 0)
	}
}
