package authz_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/application"
	"github.com/usergroups/usergroups/ent/event"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/viewer"
)

// TestTombstoneWithinRowRules: whoever CanSeeTombstone shows a change's
// tombstone to could have seen the row itself through its privacy rule —
// whatever state it was in, the most private ones here — except that API
// tokens see registrations' tombstones (they name nobody). Without this, a
// tombstone could tell a viewer of a row they were never shown.
func TestTombstoneWithinRowRules(t *testing.T) {
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
	g1 := w.Group.Create().SetCommunityID(comA.ID).SetName("Paris").SetSlug("paris").SetCity("Paris").SetCountry("FR").SaveX(sys)
	g2 := w.Group.Create().SetCommunityID(comA.ID).SetName("Lyon").SetSlug("lyon").SetCity("Lyon").SetCountry("FR").SaveX(sys)
	user := func(h string) *ent.User { return w.User.Create().SetHandle(h).SetName(h).SaveX(sys) }
	ada, other := user("ada"), user("other")
	start := time.Date(2026, 12, 20, 18, 0, 0, 0, time.UTC)
	for i, g := range []*ent.Group{g1, g2} {
		w.Role.Create().SetUserID(ada.ID).SetCommunityID(comA.ID).SetGroupID(g.ID).SetKind(role.KindMEMBER).
			SetStatus(role.StatusPENDING).ExecX(sys)
		ev := w.Event.Create().SetGroupID(g.ID).SetKind("MEETUP").SetTitle(g.Slug).SetTimeZone("UTC").
			SetStatus(event.StatusDRAFT).SetVisibility(event.VisibilityMEMBERS_ONLY).SetStartsAt(start).SetEndsAt(start.Add(time.Hour)).SaveX(sys)
		w.Registration.Create().SetEventID(ev.ID).SetUserID(ada.ID).SetCheckInCode(fmt.Sprintf("C%05d", i)).ExecX(sys)
		for _, kind := range []application.Kind{application.KindNEW_GROUP, application.KindMEMBERSHIP, application.KindORGANIZER, application.KindAMBASSADOR, application.KindOFFICIAL_STATUS, application.KindFUNDING} {
			a := w.Application.Create().SetCommunityID(comA.ID).SetGroupID(g.ID).SetApplicantID(ada.ID).SetKind(kind).SaveX(sys)
			w.Review.Create().SetApplicationID(a.ID).SetKind("COMMENT").SetBody("Fine.").ExecX(sys)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	changes := c.Change.Query().AllX(sys)
	role := func(kind string, com, grp pulid.ID) viewer.Role {
		return viewer.Role{Kind: kind, CommunityID: com, GroupID: grp}
	}
	read := &viewer.Token{ID: "tok", Scopes: []string{viewer.ScopeRead}}
	viewers := map[string]*viewer.Viewer{
		"anonymous":            {},
		"admin":                {UserID: other.ID, Roles: []viewer.Role{role(viewer.Admin, "", "")}},
		"stranger":             {UserID: other.ID},
		"member of g1":         {UserID: other.ID, Roles: []viewer.Role{role(viewer.Member, comA.ID, g1.ID)}},
		"organizer of g1":      {UserID: other.ID, Roles: []viewer.Role{role(viewer.Organizer, comA.ID, g1.ID)}},
		"organizer of g1 tk":   {UserID: other.ID, Token: read, Roles: []viewer.Role{role(viewer.Organizer, comA.ID, g1.ID)}},
		"staff of A":           {UserID: other.ID, Roles: []viewer.Role{role(viewer.CommunityManager, comA.ID, "")}},
		"staff of A via token": {UserID: other.ID, Token: read, Roles: []viewer.Role{role(viewer.CommunityManager, comA.ID, "")}},
		"staff of B":           {UserID: other.ID, Roles: []viewer.Role{role(viewer.CommunityManager, comB.ID, "")}},
		"ambassador of A":      {UserID: other.ID, Roles: []viewer.Role{role(viewer.Ambassador, comA.ID, "")}},
		"ambassador of g1":     {UserID: other.ID, Roles: []viewer.Role{role(viewer.Ambassador, comA.ID, g1.ID)}},
	}
	seen := map[string]map[string]bool{} // viewer → topics whose tombstones it was shown
	for name, v := range viewers {
		seen[name] = map[string]bool{}
		ctx := viewer.NewContext(context.Background(), v)
		for _, ch := range changes {
			if !authz.CanSeeTombstone(v, ch) {
				continue
			}
			seen[name][ch.Topic] = true
			if ch.Topic == "registration" && v.ViaToken() {
				continue // the one deliberate exception
			}
			if _, err := c.Noder(ctx, pulid.ID(ch.NodeID), ent.WithNodeType(ent.IDToType)); err != nil {
				t.Errorf("%s is shown the tombstone of the %s %s, which its rule hides from them: %v", name, ch.Topic, ch.NodeID, err)
			}
		}
	}
	// And the rule is not vacuous: who must see which tombstones.
	for name, topics := range map[string][]string{
		"organizer of g1":      {"group", "role", "event", "registration"},
		"organizer of g1 tk":   {"registration"},
		"staff of A via token": {"role", "event", "registration", "application", "review"},
		"ambassador of g1":     {"application", "review"},
		"anonymous":            {"group"},
	} {
		for _, topic := range topics {
			if !seen[name][topic] {
				t.Errorf("%s is shown no %s tombstone", name, topic)
			}
		}
	}
	for _, topic := range []string{"role", "event", "registration", "application", "review"} {
		for _, name := range []string{"stranger", "member of g1", "staff of B", "anonymous"} {
			if seen[name][topic] {
				t.Errorf("%s is shown a %s tombstone", name, topic)
			}
		}
	}
}
