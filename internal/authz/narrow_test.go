package authz_test

import (
	"context"
	"testing"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/viewer"
	"github.com/usergroups/usergroups/internal/workflow"
)

// TestPrivateRowsPerViewer: the read rules of private rows, each through
// the shared narrowing, give every kind of viewer exactly its rows.
// Registrations are never read with an API token, whoever owns it; the
// outbox is read by the community's staff, admins and Unfiltered reads,
// never through a token.
func TestPrivateRowsPerViewer(t *testing.T) {
	db := dbtest.Open(t)
	sys := dbtest.FixtureContext(t)
	var com *ent.Community
	var g *ent.Group
	var ada, org, mgr *ent.User
	err := workflow.NewRunner(db.Client, nil).Import(sys, "privacy fixture", func(ctx context.Context, c *ent.Client) error {
		com = c.Community.Create().SetName("Alpha").SetSlug("alpha").SaveX(ctx)
		g = c.Group.Create().SetCommunityID(com.ID).SetName("Paris").SetSlug("paris").SetCity("Paris").SetCountry("FR").SaveX(ctx)
		user := func(h string) *ent.User { return c.User.Create().SetHandle(h).SetName(h).SaveX(ctx) }
		ada, org, mgr = user("ada"), user("org"), user("mgr")
		user("stranger")
		c.Role.Create().SetUserID(ada.ID).SetCommunityID(com.ID).SetGroupID(g.ID).SetKind(role.KindMEMBER).ExecX(ctx)
		c.Role.Create().SetUserID(org.ID).SetCommunityID(com.ID).SetGroupID(g.ID).SetKind(role.KindORGANIZER).ExecX(ctx)
		c.Role.Create().SetUserID(mgr.ID).SetCommunityID(com.ID).SetKind(role.KindCOMMUNITY_MANAGER).ExecX(ctx)
		start := time.Now().AddDate(0, 0, 7)
		ev := c.Event.Create().SetGroupID(g.ID).SetKind("MEETUP").SetTitle("Meetup").SetTimeZone("UTC").
			SetStartsAt(start).SetEndsAt(start.Add(time.Hour)).SetStatus("PUBLISHED").SaveX(ctx)
		c.Registration.Create().SetEventID(ev.ID).SetUserID(ada.ID).SetCheckInCode("ADA123").ExecX(ctx)
		c.Contact.Create().SetUserID(ada.ID).SetEmail("ada@example.org").ExecX(ctx)
		c.ShippingAddress.Create().SetUserID(ada.ID).SetRecipientName("Ada").SetAddress("1 rue de Paris").ExecX(ctx)
		c.Message.Create().SetCommunityID(com.ID).SetRecipientID(ada.ID).SetTemplate("welcome").SetSubject("Hi").SetBody("Welcome").ExecX(ctx)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	person := func(id pulid.ID, roles ...viewer.Role) *viewer.Viewer {
		return &viewer.Viewer{UserID: id, Roles: roles}
	}
	token := func(v *viewer.Viewer) *viewer.Viewer {
		v.Token = &viewer.Token{ID: "tok_1", Scopes: []string{viewer.ScopeRead}}
		return v
	}
	admin := func() *viewer.Viewer { return person("usr_admin", viewer.Role{Kind: viewer.Admin}) }
	viewers := map[string]*viewer.Viewer{
		"anonymous":     {},
		"registrant":    person(ada.ID, viewer.Role{Kind: viewer.Member, CommunityID: com.ID, GroupID: g.ID}),
		"organizer":     person(org.ID, viewer.Role{Kind: viewer.Organizer, CommunityID: com.ID, GroupID: g.ID}),
		"manager":       person(mgr.ID, viewer.Role{Kind: viewer.CommunityManager, CommunityID: com.ID}),
		"stranger":      person("usr_stranger"),
		"admin":         admin(),
		"admin's token": token(admin()),
		"own token":     token(person(ada.ID, viewer.Role{Kind: viewer.Member, CommunityID: com.ID, GroupID: g.ID})),
	}
	count := map[string]func(context.Context) int{
		"registrations": func(ctx context.Context) int { return db.Client.Registration.Query().CountX(ctx) },
		"contacts":      func(ctx context.Context) int { return db.Client.Contact.Query().CountX(ctx) },
		"addresses":     func(ctx context.Context) int { return db.Client.ShippingAddress.Query().CountX(ctx) },
		"messages":      func(ctx context.Context) int { return db.Client.Message.Query().CountX(ctx) },
	}
	sees := map[string][]string{ // the rows each viewer reads; the others read none
		"registrations": {"registrant", "organizer", "manager", "admin"},
		"contacts":      {"registrant", "organizer", "manager", "admin", "admin's token", "own token"},
		"addresses":     {"registrant", "manager", "admin", "admin's token", "own token"},
		"messages":      {"manager", "admin"},
	}
	for rows, n := range count {
		for name, v := range viewers {
			want := 0
			for _, s := range sees[rows] {
				if s == name {
					want = 1
				}
			}
			if got := n(viewer.NewContext(context.Background(), v)); got != want {
				t.Errorf("%s reads %d %s, want %d", name, got, rows, want)
			}
		}
		if got := n(authz.Unfiltered(context.Background())); got != 1 {
			t.Errorf("an Unfiltered read finds %d %s, want 1", got, rows)
		}
	}
}

// TestCanListLeaderlessGroups: the list of a community's groups without
// an organizer is its staff's (and admins').
func TestCanListLeaderlessGroups(t *testing.T) {
	for _, tt := range []struct {
		name string
		v    *viewer.Viewer
		want bool
	}{
		{"manager", &viewer.Viewer{UserID: "usr_c", Roles: []viewer.Role{{Kind: viewer.CommunityManager, CommunityID: "com_a"}}}, true},
		{"admin", &viewer.Viewer{UserID: "usr_x", Roles: []viewer.Role{{Kind: viewer.Admin}}}, true},
		{"other community's manager", &viewer.Viewer{UserID: "usr_d", Roles: []viewer.Role{{Kind: viewer.CommunityManager, CommunityID: "com_b"}}}, false},
		{"organizer", &viewer.Viewer{UserID: "usr_o", Roles: []viewer.Role{{Kind: viewer.Organizer, CommunityID: "com_a", GroupID: "grp_1"}}}, false},
		{"anonymous", &viewer.Viewer{}, false},
	} {
		if got := authz.CanListLeaderlessGroups(tt.v, "com_a"); got != tt.want {
			t.Errorf("%s lists leaderless groups: %v, want %v", tt.name, got, tt.want)
		}
	}
}
