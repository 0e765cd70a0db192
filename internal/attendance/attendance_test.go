package attendance_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/registration"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/attendance"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/policy"
)

func TestCountsFollowRegistrations(t *testing.T) {
	ctx := dbtest.FixtureContext(t)
	db := dbtest.Open(t)
	tx, err := db.Client.Tx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c := tx.Community.Create().SetName("OpenStack").SetSlug("openstack").SetPolicy(policy.OpenStack()).SaveX(ctx)
	g := tx.Group.Create().SetCommunityID(c.ID).SetName("Berlin").SetSlug("berlin").SetCity("Berlin").SetCountry("DE").SaveX(ctx)
	start := time.Date(2026, 9, 1, 17, 0, 0, 0, time.UTC)
	ev := tx.Event.Create().SetGroupID(g.ID).SetTitle("Meetup").SetTimeZone("Europe/Berlin").SetStartsAt(start).SetEndsAt(start.Add(time.Hour)).SaveX(ctx)
	var regs []*ent.Registration
	for i, status := range []registration.Status{"GOING", "GOING", "GOING", "WAITLISTED"} {
		u := tx.User.Create().SetHandle(string(rune('a'+i)) + "x").SetName("P").SaveX(ctx)
		regs = append(regs, tx.Registration.Create().SetEventID(ev.ID).SetUserID(u.ID).SetStatus(status).SetCheckInCode(string(rune('a'+i))).SaveX(ctx))
	}
	counts := func() (int, int, int) {
		e := tx.Event.GetX(ctx, ev.ID)
		return e.GoingCount, e.WaitlistCount, e.AttendedCount
	}
	if g, w, a := counts(); g != 3 || w != 1 || a != 0 {
		t.Fatalf("after registering: going %d waitlisted %d attended %d", g, w, a)
	}
	tx.Registration.UpdateOne(regs[0]).SetStatus("CANCELLED").ExecX(ctx)
	tx.Registration.UpdateOne(regs[3]).SetStatus("GOING").ExecX(ctx)
	tx.Registration.Update().Where(registration.IDIn(regs[1].ID, regs[2].ID)).SetStatus("ATTENDED").ExecX(ctx)
	if g, w, a := counts(); g != 1 || w != 0 || a != 2 {
		t.Fatalf("after changes: going %d waitlisted %d attended %d", g, w, a)
	}
	tx.Registration.DeleteOne(regs[3]).ExecX(ctx)
	if g, _, _ := counts(); g != 0 {
		t.Fatalf("after delete: going %d", g)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	// Count updates add no change-log rows of their own: 1 group, 1 event,
	// 4 registrations created, 4 registration updates, 1 delete.
	if n := db.Client.Change.Query().CountX(ctx); n != 11 {
		t.Errorf("%d change rows, want 11", n)
	}
}

// TestBatchRecountsOnce: inside Batch the counts are not touched per row;
// when it returns, every event it wrote registrations for is counted once,
// and an event it did not touch keeps its counts.
func TestBatchRecountsOnce(t *testing.T) {
	ctx := dbtest.FixtureContext(t)
	db := dbtest.Open(t)
	tx, err := db.Client.Tx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback() }()
	c := tx.Community.Create().SetName("OpenStack").SetSlug("openstack").SetPolicy(policy.OpenStack()).SaveX(ctx)
	g := tx.Group.Create().SetCommunityID(c.ID).SetName("Berlin").SetSlug("berlin").SetCity("Berlin").SetCountry("DE").SaveX(ctx)
	start := time.Date(2026, 9, 1, 17, 0, 0, 0, time.UTC)
	newEvent := func() *ent.Event {
		return tx.Event.Create().SetGroupID(g.ID).SetTitle("Meetup").SetTimeZone("Europe/Berlin").SetStartsAt(start).SetEndsAt(start.Add(time.Hour)).SaveX(ctx)
	}
	a, b, untouched := newEvent(), newEvent(), newEvent()
	untouched = tx.Event.UpdateOne(untouched).SetGoingCount(7).SaveX(ctx)
	going := func(id pulid.ID) int { return tx.Event.GetX(ctx, id).GoingCount }
	err = attendance.Batch(ctx, tx.Client(), func(ctx context.Context) error {
		var rows []*ent.RegistrationCreate
		for i := range 5 {
			u := tx.User.Create().SetHandle(fmt.Sprintf("u%d", i)).SetName("P").SaveX(ctx)
			ev := a
			if i%2 == 1 {
				ev = b
			}
			rows = append(rows, tx.Registration.Create().SetEventID(ev.ID).SetUserID(u.ID).SetStatus("GOING").SetCheckInCode(fmt.Sprint(i)))
		}
		tx.Registration.CreateBulk(rows...).ExecX(ctx)
		if n := going(a.ID); n != 0 {
			t.Errorf("inside the batch, event a counts %d: recounted per row", n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if ga, gb, gu := going(a.ID), going(b.ID), going(untouched.ID); ga != 3 || gb != 2 || gu != 7 {
		t.Errorf("after the batch: a %d b %d untouched %d, want 3 2 7", ga, gb, gu)
	}
}
