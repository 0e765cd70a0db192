package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/application"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/internal/auth"
	"github.com/usergroups/usergroups/internal/changelog"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/server"
	"github.com/usergroups/usergroups/internal/viewer"
	"github.com/usergroups/usergroups/internal/workflow"
)

// world is the privacy fixture: community A (region R, groups G1 in R and
// G2), community B, a target person T in G1 with private details, a
// registration, a report and an application of T's, and one person per
// viewer kind of the permission matrix.
type world struct {
	ids     map[string]string // named node ids
	headers map[string]string // viewer name → Authorization header ("" anonymous)
}

func buildWorld(t *testing.T, h http.Handler, db *ent.Client) world {
	t.Helper()
	ctx := dbtest.FixtureContext(t)
	tx, err := db.Tx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	a := tx.Community.Create().SetName("Alpha").SetSlug("alpha").SetPolicy(policy.OpenStack()).SaveX(ctx)
	b := tx.Community.Create().SetName("Beta").SetSlug("beta").SetPolicy(policy.OpenEuler()).SaveX(ctx)
	r := tx.Region.Create().SetCommunityID(a.ID).SetName("Europe").SetSlug("europe").SetCountries([]string{"FR"}).SaveX(ctx)
	g1 := tx.Group.Create().SetCommunityID(a.ID).SetRegionID(r.ID).SetName("Paris").SetSlug("paris").SetCity("Paris").SetCountry("FR").SetStatus("ACTIVE").SaveX(ctx)
	g2 := tx.Group.Create().SetCommunityID(a.ID).SetName("Lyon").SetSlug("lyon").SetCity("Lyon").SetCountry("FR").SetStatus("ACTIVE").SaveX(ctx)
	hb := tx.Group.Create().SetCommunityID(b.ID).SetName("Wuhan").SetSlug("wuhan").SetCity("Wuhan").SetCountry("CN").SetStatus("ACTIVE").SaveX(ctx)

	person := func(handle string) *ent.User {
		return tx.User.Create().SetHandle(handle).SetName(strings.ToUpper(handle[:1]) + handle[1:]).SaveX(ctx)
	}
	grant := func(u *ent.User, kind role.Kind, com *ent.Community, reg *ent.Region, grp *ent.Group) {
		c := tx.Role.Create().SetUserID(u.ID).SetKind(kind)
		if com != nil {
			c.SetCommunityID(com.ID)
		}
		if reg != nil {
			c.SetRegionID(reg.ID)
		}
		if grp != nil {
			c.SetGroupID(grp.ID)
		}
		c.SaveX(ctx)
	}
	target := person("target")
	tx.Contact.Create().SetUserID(target.ID).SetEmail("target@example.org").SaveX(ctx)
	tx.ShippingAddress.Create().SetUserID(target.ID).SetRecipientName("Target").SetAddress("1 Rue de Rivoli, Paris").SetPhone("+33 1 23 45 67 89").SaveX(ctx)
	grant(target, role.KindMEMBER, a, nil, g1)

	viewers := map[string]*ent.User{}
	for _, name := range []string{"member", "organizerElsewhere", "organizer", "ambassador", "managerElsewhere", "manager", "admin"} {
		viewers[name] = person(strings.ToLower(name))
	}
	grant(viewers["member"], role.KindMEMBER, a, nil, g1)
	grant(viewers["organizerElsewhere"], role.KindORGANIZER, a, nil, g2)
	grant(viewers["organizer"], role.KindORGANIZER, a, nil, g1)
	grant(viewers["ambassador"], role.KindAMBASSADOR, a, r, nil)
	grant(viewers["managerElsewhere"], role.KindCOMMUNITY_MANAGER, b, nil, nil)
	grant(viewers["manager"], role.KindCOMMUNITY_MANAGER, a, nil, nil)
	grant(viewers["admin"], role.KindADMIN, nil, nil, nil)
	_ = hb

	start := time.Now().Add(72 * time.Hour)
	ev := tx.Event.Create().SetGroupID(g1.ID).SetTitle("Paris meetup").SetTimeZone("Europe/Paris").
		SetStartsAt(start).SetEndsAt(start.Add(2 * time.Hour)).SetStatus("PUBLISHED").SaveX(ctx)
	reg := tx.Registration.Create().SetEventID(ev.ID).SetUserID(target.ID).SetCheckInCode("secret-code").SaveX(ctx)
	rep := tx.Report.Create().SetCommunityID(a.ID).SetReporterID(target.ID).SetGroupID(g1.ID).SetKind("CODE_OF_CONDUCT").
		SetDescription("Something happened at the meetup that should be looked at.").SaveX(ctx)
	app := tx.Application.Create().SetCommunityID(a.ID).SetApplicantID(target.ID).SetGroupID(g1.ID).SetRegionID(r.ID).
		SetKind(application.KindMEMBERSHIP).SaveX(ctx)

	tokSecret, _ := dbtest.APIToken(t, ctx, tx.Client(), viewers["manager"].ID, "read")
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}

	w := world{
		ids: map[string]string{
			"target": string(target.ID), "event": string(ev.ID), "registration": string(reg.ID),
			"report": string(rep.ID), "application": string(app.ID), "group": string(g1.ID),
			"contact":  string(db.Contact.Query().OnlyX(ctx).ID),
			"shipping": string(db.ShippingAddress.Query().OnlyX(ctx).ID),
		},
		headers: map[string]string{"anonymous": "", "token": "Bearer " + tokSecret},
	}
	// People sign in with tokens that carry every scope... except that a
	// token is a token. Use real signed-in viewers instead: the handler
	// below maps "Session <id>" to the person, as an OIDC sign-in would.
	w.headers["self"] = "Session " + string(target.ID)
	for name, u := range viewers {
		w.headers[name] = "Session " + string(u.ID)
	}
	return w
}

// sessionHandler serves GraphQL with the viewer named by a "Session <user
// id>" header (a signed-in person), or through the real auth middleware for
// API tokens and anonymous requests.
func sessionHandler(t *testing.T, db *dbClient) http.Handler {
	authn := auth.New(workflow.NewRunner(db.Client, db.now), nil, quietLogger())
	gql := server.GraphQL(db.DB, server.Config{Logger: quietLogger(), Now: db.now})
	withAuth := authn.Middleware(gql)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if id, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Session "); ok {
			v, err := authn.ViewerFor(r.Context(), pulidID(id))
			if err != nil {
				t.Errorf("viewer: %v", err)
				return
			}
			gql.ServeHTTP(w, r.WithContext(changelog.WithActor(viewer.NewContext(r.Context(), v), v.UserID)))
			return
		}
		withAuth.ServeHTTP(w, r)
	})
}

type gqlResponse struct {
	Data       map[string]any
	Errors     []gqlError
	Extensions map[string]any
}

func query(t testing.TB, h http.Handler, header, q string, vars map[string]any) gqlResponse {
	t.Helper()
	_, r := post(t, h, header, q, vars)
	return r
}

// dig follows a path of keys (and "0" for the first list element) into data.
func dig(v any, path ...string) any {
	for _, p := range path {
		switch x := v.(type) {
		case map[string]any:
			v = x[p]
		case []any:
			if len(x) == 0 {
				return nil
			}
			v = x[0]
		default:
			return nil
		}
	}
	return v
}

// check is one way to reach a private value; it reports whether the viewer saw it.
type check struct {
	path string
	seen func(t *testing.T, h http.Handler, header string, w world) bool
}

// nodeCheck looks the object up by global id; hidden must mean NOT_FOUND.
func nodeCheck(key string) check {
	return check{"node(id:)", func(t *testing.T, h http.Handler, header string, w world) bool {
		r := query(t, h, header, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": w.ids[key]})
		if dig(r.Data, "node", "id") == w.ids[key] {
			return true
		}
		if len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "NOT_FOUND" {
			t.Errorf("hidden %s: errors %+v, want exactly NOT_FOUND", key, r.Errors)
		}
		return false
	}}
}

func nodesCheck(key string) check {
	return check{"nodes(ids:)", func(t *testing.T, h http.Handler, header string, w world) bool {
		r := query(t, h, header, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": []string{w.ids[key], w.ids["group"]}})
		return dig(r.Data, "nodes", "0", "id") == w.ids[key]
	}}
}

// gqlCheck runs q and reports whether want appears in the data.
func gqlCheck(path, q, want string) check {
	return check{path, func(t *testing.T, h http.Handler, header string, w world) bool {
		r := query(t, h, header, q, map[string]any{"target": "target", "event": w.ids["event"]})
		for _, e := range r.Errors {
			if e.Extensions["code"] == "INTERNAL_SERVER_ERROR" {
				t.Errorf("%s: %+v", path, e)
			}
		}
		b, _ := json.Marshal(r.Data)
		return strings.Contains(string(b), want)
	}}
}

// TestPermissionMatrix asserts every cell of viewer × private value × path.
func TestPermissionMatrix(t *testing.T) {
	base := dbtest.Open(t)
	db := &dbClient{DB: base, Client: base.Client}
	h := sessionHandler(t, db)
	w := buildWorld(t, h, base.Client)

	resources := []struct {
		name    string
		visible map[string]bool // viewer → may see
		checks  []check
	}{
		{
			name:    "email",
			visible: map[string]bool{"self": true, "organizer": true, "manager": true, "admin": true, "token": true},
			checks: []check{
				nodeCheck("contact"),
				nodesCheck("contact"),
				gqlCheck("user.contact", `query($target: String!) { user(handle: $target) { contact { email } } }`, "target@example.org"),
				gqlCheck("group.roles.user.contact", `{ group(community: "alpha", slug: "paris") { roles(first: 50) { edges { node { user { contact { email } } } } } } }`, "target@example.org"),
				gqlCheck("users list", `{ users(first: 50) { edges { node { contact { email } } } } }`, "target@example.org"),
			},
		},
		{
			name:    "address",
			visible: map[string]bool{"self": true, "manager": true, "admin": true, "token": true},
			checks: []check{
				nodeCheck("shipping"),
				gqlCheck("user.shippingAddress", `query($target: String!) { user(handle: $target) { shippingAddress { address phone } } }`, "Rivoli"),
				gqlCheck("users list", `{ users(first: 50) { edges { node { shippingAddress { phone } } } } }`, "+33"),
			},
		},
		{
			name:    "registrations",
			visible: map[string]bool{"self": true, "organizer": true, "manager": true, "admin": true},
			checks: []check{
				nodeCheck("registration"),
				gqlCheck("event.registrations", `query($event: ID!) { node(id: $event) { ... on Event { registrations { edges { node { user { handle } } } } } } }`, `"handle":"target"`),
				gqlCheck("event.registrations totalCount", `query($event: ID!) { node(id: $event) { ... on Event { registrations { totalCount } } } }`, `"totalCount":1`),
				gqlCheck("user.registrations", `query($target: String!) { user(handle: $target) { registrations { totalCount } } }`, `"totalCount":1`),
				gqlCheck("where filter", `query($event: ID!) { node(id: $event) { ... on Event { registrations(where: {status: GOING}) { totalCount } } } }`, `"totalCount":1`),
			},
		},
		{
			// The code admits its holder at the door: nobody else reads it, staff included.
			name:    "check-in code",
			visible: map[string]bool{"self": true},
			checks: []check{
				gqlCheck("event.viewerRegistration", `query($event: ID!) { node(id: $event) { ... on Event { viewerRegistration { checkInCode } } } }`, "secret-code"),
				gqlCheck("event.registrations", `query($event: ID!) { node(id: $event) { ... on Event { registrations { edges { node { checkInCode } } } } } }`, "secret-code"),
				gqlCheck("user.registrations", `query($target: String!) { user(handle: $target) { registrations { edges { node { checkInCode } } } } }`, "secret-code"),
			},
		},
		{
			// Contact details of attendees: the group's organizers, signed in, and every export audited.
			name:    "attendee export",
			visible: map[string]bool{"organizer": true},
			checks: []check{
				gqlCheck("exportEventAttendees", `mutation($event: ID!) { exportEventAttendees(input: {id: $event}) { attendees { email } } }`, "target@example.org"),
			},
		},
		{
			name:    "reports",
			visible: map[string]bool{"self": true, "manager": true, "admin": true},
			checks: []check{
				nodeCheck("report"),
				gqlCheck("reports list", `{ reports { edges { node { description reporter { handle } } } } }`, "looked at"),
				gqlCheck("reports totalCount", `{ reports { totalCount } }`, `"totalCount":1`),
				gqlCheck("where filter", `{ reports(where: {kind: CODE_OF_CONDUCT}) { totalCount } }`, `"totalCount":1`),
			},
		},
		{
			name:    "applications",
			visible: map[string]bool{"self": true, "organizer": true, "ambassador": true, "manager": true, "admin": true, "token": true},
			checks: []check{
				nodeCheck("application"),
				nodesCheck("application"),
				gqlCheck("applications list", `{ applications { edges { node { kind applicant { handle } } } } }`, `"handle":"target"`),
				gqlCheck("applications totalCount", `{ applications { totalCount } }`, `"totalCount":1`),
				gqlCheck("group.applications", `{ group(community: "alpha", slug: "paris") { applications { totalCount } } }`, `"totalCount":1`),
				gqlCheck("user.applications", `query($target: String!) { user(handle: $target) { applications { totalCount } } }`, `"totalCount":1`),
				gqlCheck("where filter", `{ applications(where: {hasApplicantWith: {handle: "target"}}) { totalCount } }`, `"totalCount":1`),
			},
		},
	}
	// How many registered is public, whoever asks.
	for _, v := range []string{"anonymous", "member", "token"} {
		r := query(t, h, w.headers[v], `query($id: ID!) { node(id: $id) { ... on Event { goingCount waitlistCount } } }`, map[string]any{"id": w.ids["event"]})
		if dig(r.Data, "node", "goingCount") != float64(1) {
			t.Errorf("%s reads goingCount = %v (%+v)", v, dig(r.Data, "node", "goingCount"), r.Errors)
		}
	}

	viewers := []string{"anonymous", "member", "organizerElsewhere", "organizer", "ambassador", "managerElsewhere", "manager", "admin", "token", "self"}
	for _, res := range resources {
		for _, v := range viewers {
			for _, c := range res.checks {
				t.Run(fmt.Sprintf("%s/%s/%s", res.name, v, c.path), func(t *testing.T) {
					if got, want := c.seen(t, h, w.headers[v], w), res.visible[v]; got != want {
						t.Errorf("%s sees %s through %s: %v, want %v", v, res.name, c.path, got, want)
					}
				})
			}
		}
	}
}
