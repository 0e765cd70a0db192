package changelog_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/change"
	"github.com/usergroups/usergroups/internal/changelog"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/policy"
)

func newCommunity(ctx context.Context, t *testing.T, tx *ent.Tx) *ent.Community {
	t.Helper()
	c, err := tx.Community.Create().SetName("OpenStack").SetSlug("openstack").SetPolicy(policy.OpenStack()).Save(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCommittedMutationsAppendChanges(t *testing.T) {
	ctx := dbtest.FixtureContext(t)
	db := dbtest.Open(t)
	tx, err := db.Client.Tx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c := newCommunity(ctx, t, tx)
	g, err := tx.Group.Create().SetCommunityID(c.ID).SetName("Paris, France").SetSlug("paris").
		SetCity("Paris").SetCountry("FR").Save(ctx)
	if err != nil {
		t.Fatal(err)
	}
	actx := changelog.WithActor(ctx, "usr_01J0000000000000000000000A")
	if _, err := tx.Group.UpdateOne(g).SetStatus("ACTIVE").Save(actx); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	changes, err := db.Client.Change.Query().Order(ent.Asc(change.FieldID)).All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 2 {
		t.Fatalf("got %d changes, want 2", len(changes))
	}
	if changes[0].Op != change.OpCREATED || changes[1].Op != change.OpUPDATED {
		t.Errorf("ops = %s, %s", changes[0].Op, changes[1].Op)
	}
	for _, ch := range changes {
		if ch.NodeID != string(g.ID) || ch.NodeType != "Group" || ch.CommunityID != string(c.ID) || ch.GroupID != string(g.ID) {
			t.Errorf("change %+v does not describe the group", ch)
		}
	}
	if changes[1].ActorID != "usr_01J0000000000000000000000A" || changes[0].ActorID != "" {
		t.Errorf("actors = %q, %q", changes[0].ActorID, changes[1].ActorID)
	}
	if changes[1].ID <= changes[0].ID {
		t.Errorf("sequence not increasing: %d then %d", changes[0].ID, changes[1].ID)
	}
}

func TestRolledBackMutationLeavesNoChange(t *testing.T) {
	ctx := dbtest.FixtureContext(t)
	db := dbtest.Open(t)
	tx, err := db.Client.Tx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c := newCommunity(ctx, t, tx)
	if _, err := tx.Group.Create().SetCommunityID(c.ID).SetName("Berlin").SetSlug("berlin").
		SetCity("Berlin").SetCountry("DE").Save(ctx); err != nil {
		t.Fatal(err)
	}
	if n := tx.Change.Query().CountX(ctx); n != 1 {
		t.Fatalf("inside the transaction: %d changes, want 1", n)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if n := db.Client.Change.Query().CountX(ctx); n != 0 {
		t.Errorf("after rollback: %d changes, want 0", n)
	}
	if n := db.Client.Group.Query().CountX(ctx); n != 0 {
		t.Errorf("after rollback: %d groups, want 0", n)
	}
}

func TestTrackedWritesNeedATransaction(t *testing.T) {
	ctx := dbtest.FixtureContext(t)
	db := dbtest.Open(t)
	c, err := db.Client.Community.Create().SetName("openEuler").SetSlug("openeuler").SetPolicy(policy.OpenEuler()).Save(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.Client.Group.Create().SetCommunityID(c.ID).SetName("Shenzhen").SetSlug("shenzhen").
		SetCity("Shenzhen").SetCountry("CN").Save(ctx)
	if !errors.Is(err, changelog.ErrNoTransaction) {
		t.Fatalf("err = %v, want ErrNoTransaction", err)
	}
	if n := db.Client.Group.Query().CountX(ctx); n != 0 {
		t.Errorf("%d groups written outside a transaction", n)
	}
}

func TestDeletesAndNestedScopes(t *testing.T) {
	ctx := dbtest.FixtureContext(t)
	db := dbtest.Open(t)
	tx, err := db.Client.Tx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c := newCommunity(ctx, t, tx)
	g := tx.Group.Create().SetCommunityID(c.ID).SetName("Lyon").SetSlug("lyon").SetCity("Lyon").SetCountry("FR").SaveX(ctx)
	u := tx.User.Create().SetHandle("ada").SetName("Ada").SaveX(ctx)
	ev := tx.Event.Create().SetGroupID(g.ID).SetTitle("Meetup #1").SetTimeZone("Europe/Paris").
		SetStartsAt(testTime(18)).SetEndsAt(testTime(20)).SaveX(ctx)
	r := tx.Registration.Create().SetEventID(ev.ID).SetUserID(u.ID).SetCheckInCode("code-1").SaveX(ctx)
	tx.Registration.DeleteOne(r).ExecX(ctx)
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	got := db.Client.Change.Query().Where(change.NodeID(string(r.ID))).Order(ent.Asc(change.FieldID)).AllX(ctx)
	if len(got) != 2 || got[1].Op != change.OpDELETED {
		t.Fatalf("registration changes = %+v", got)
	}
	for _, ch := range got {
		if ch.CommunityID != string(c.ID) || ch.GroupID != string(g.ID) || ch.Topic != changelog.TopicRegistration {
			t.Errorf("change %+v lacks its scope", ch)
		}
	}
}

// TestBulkWritesTheSameRowsOnce: inside Bulk no change row is written per
// write; when it returns, the rows are those the writes would have logged
// one by one (topic, node, op, scope), in the order of the writes.
func TestBulkWritesTheSameRowsOnce(t *testing.T) {
	ctx := dbtest.FixtureContext(t)
	db := dbtest.Open(t)
	tx, err := db.Client.Tx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback() }()
	c := newCommunity(ctx, t, tx)
	before := tx.Change.Query().CountX(ctx)
	var groups []*ent.Group
	err = changelog.Bulk(ctx, tx.Client(), func(ctx context.Context) error {
		for _, city := range []string{"Paris", "Lyon", "Nice"} {
			groups = append(groups, tx.Group.Create().SetCommunityID(c.ID).SetName(city).SetSlug(strings.ToLower(city)).
				SetCity(city).SetCountry("FR").SaveX(ctx))
		}
		tx.Group.UpdateOne(groups[1]).SetStatus("ACTIVE").ExecX(ctx)
		if n := tx.Change.Query().CountX(ctx); n != before {
			t.Errorf("%d change rows written inside Bulk, want none yet", n-before)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	changes := tx.Change.Query().Order(ent.Asc(change.FieldID)).AllX(ctx)[before:]
	want := []struct {
		g  *ent.Group
		op change.Op
	}{{groups[0], change.OpCREATED}, {groups[1], change.OpCREATED}, {groups[2], change.OpCREATED}, {groups[1], change.OpUPDATED}}
	if len(changes) != len(want) {
		t.Fatalf("%d change rows, want %d", len(changes), len(want))
	}
	for i, w := range want {
		ch := changes[i]
		if ch.NodeID != string(w.g.ID) || ch.Op != w.op || ch.Topic != changelog.TopicGroup || ch.CommunityID != string(c.ID) || ch.GroupID != string(w.g.ID) {
			t.Errorf("row %d = %+v, want %s of %s", i, ch, w.op, w.g.Name)
		}
	}
}
