package server_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	"github.com/99designs/gqlgen/client"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/contribution"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/policy"
)

// TestContributionLedger walks a contribution over GraphQL — recorded,
// verified, counted — and holds the ledger and the contact row to their
// privacy: a ledger is listed to others only with the member's consent and
// then only its verified entries; counts are public; phone and chat handle
// stay with the person.
func TestContributionLedger(t *testing.T) {
	base := dbtest.Open(t)
	h := sessionHandler(t, &dbClient{DB: base, Client: base.Client})
	sys := dbtest.FixtureContext(t)
	tx, err := base.Client.Tx(sys)
	if err != nil {
		t.Fatal(err)
	}
	oe := tx.Community.Create().SetName("openEuler").SetSlug("openeuler").SetPolicy(policy.OpenEuler()).SaveX(sys)
	wuhan := tx.Group.Create().SetCommunityID(oe.ID).SetName("Wuhan").SetSlug("wuhan").SetCity("Wuhan").SetCountry("CN").SetStatus("ACTIVE").SaveX(sys)
	people := map[string]string{}
	var outsider *ent.User
	for _, p := range []struct {
		handle string
		kind   role.Kind
	}{{"mei", role.KindMEMBER}, {"lin", role.KindMEMBER}, {"org", role.KindORGANIZER}, {"outsider", ""}} {
		u := tx.User.Create().SetHandle(p.handle).SetName(strings.ToUpper(p.handle)).SaveX(sys)
		if p.kind != "" {
			tx.Role.Create().SetUserID(u.ID).SetKind(p.kind).SetCommunityID(oe.ID).SetGroupID(wuhan.ID).ExecX(sys)
		} else {
			outsider = u
		}
		people[p.handle] = "Session " + string(u.ID)
	}
	// "token": an API token of a stranger to the group, with every scope.
	secret, _ := dbtest.APIToken(t, sys, tx.Client(), outsider.ID, "read", "write")
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	people["token"], people["anonymous"] = "Bearer "+secret, ""

	do := func(who, q string, vars map[string]any) gqlResponse {
		t.Helper()
		r := query(t, h, people[who], q, vars)
		for _, e := range r.Errors {
			t.Errorf("%s: %s: %+v", who, q, e)
		}
		return r
	}

	// Mei fills in her profile and private contact details.
	r := do("mei", `mutation { updateProfile(input: {bio: "Kernel hacker in Wuhan.", languages: ["zh-CN", "en"],
		links: [{label: "Blog", url: "https://mei.example.org"}], showcaseConsent: true}) {
		user { bio languages links { label url } showcaseConsent photoConsent ledgerPublic } userErrors { field } } }`, nil)
	if u := dig(r.Data, "updateProfile", "user"); dig(u, "bio") != "Kernel hacker in Wuhan." || dig(u, "links", "0", "url") != "https://mei.example.org" ||
		dig(u, "languages", "0") != "zh-CN" || dig(u, "showcaseConsent") != true || dig(u, "ledgerPublic") != false {
		t.Fatalf("updateProfile: %+v", r.Data)
	}
	r = do("mei", `mutation { updateProfile(input: {languages: ["Mandarin!"]}) { user { bio } userErrors { code field } } }`, nil)
	if !refusedOn(r, "updateProfile", "languages") {
		t.Errorf("a bad language: %+v", r.Data)
	}
	r = do("mei", `mutation { setContact(input: {email: "mei@example.org", phone: "+86 27 1234 5678", messaging: "mei_wx"}) {
		contact { email phone messaging } userErrors { field } } }`, nil)
	if dig(r.Data, "setContact", "contact", "messaging") != "mei_wx" {
		t.Fatalf("setContact: %+v", r.Data)
	}
	r = do("lin", `mutation { setContact(input: {email: "mei@example.org"}) { contact { email } userErrors { code } } }`, nil)
	if dig(r.Data, "setContact", "userErrors", "0", "code") != "CONFLICT" {
		t.Errorf("lin takes mei's email: %+v", r.Data)
	}

	// Mei records three contributions: one is verified, one declined, one waits.
	record := func(title string) string {
		t.Helper()
		r := do("mei", `mutation($title: String!, $on: Time!) { recordContribution(input: {group: "`+string(wuhan.ID)+`", kind: ARTICLE,
			title: $title, url: "https://mei.example.org/post", occurredOn: $on}) { contribution { id status } userErrors { field message } } }`,
			map[string]any{"title": title, "on": time.Now().Add(-48 * time.Hour).UTC().Format(time.RFC3339)})
		id, _ := dig(r.Data, "recordContribution", "contribution", "id").(string)
		if id == "" || dig(r.Data, "recordContribution", "contribution", "status") != "PENDING" {
			t.Fatalf("record %s: %+v", title, r.Data)
		}
		return id
	}
	r = do("mei", `mutation { recordContribution(input: {group: "`+string(wuhan.ID)+`", kind: PARTICIPATION, title: "Came",
		occurredOn: "2026-01-01T00:00:00Z"}) { contribution { id } userErrors { code field } } }`, nil)
	if !refusedOn(r, "recordContribution", "kind") {
		t.Errorf("participation by hand: %+v", r.Data)
	}
	verified, declined, _ := record("Verified post"), record("Declined post"), record("Pending post")

	r = do("lin", `mutation($id: ID!) { verifyContribution(input: {id: $id}) { contribution { status } userErrors { code } } }`, map[string]any{"id": verified})
	if dig(r.Data, "verifyContribution", "userErrors", "0", "code") != "NOT_FOUND" {
		t.Errorf("another member verifies a pending contribution they cannot see: %+v", r.Data)
	}
	r = do("org", `mutation($id: ID!) { verifyContribution(input: {id: $id}) { contribution { status points verifiedBy { handle } } userErrors { code } } }`, map[string]any{"id": verified})
	if c := dig(r.Data, "verifyContribution", "contribution"); dig(c, "status") != "VERIFIED" || dig(c, "points") != float64(policy.DefaultPoints["ARTICLE"]) || dig(c, "verifiedBy", "handle") != "org" {
		t.Fatalf("verify: %+v", r.Data)
	}
	r = do("org", `mutation($id: ID!) { verifyContribution(input: {id: $id}) { contribution { status } userErrors { code status } } }`, map[string]any{"id": verified})
	if e := dig(r.Data, "verifyContribution", "userErrors", "0"); dig(e, "code") != "CONFLICT" || dig(e, "status") != "VERIFIED" {
		t.Errorf("verified twice: %+v", r.Data)
	}
	r = do("org", `mutation($id: ID!) { declineContribution(input: {id: $id, reason: ""}) { contribution { status } userErrors { code field } } }`, map[string]any{"id": declined})
	if !refusedOn(r, "declineContribution", "reason") {
		t.Errorf("declined without a reason: %+v", r.Data)
	}
	r = do("org", `mutation($id: ID!) { declineContribution(input: {id: $id, reason: "The link is broken."}) { contribution { status declineReason } userErrors { code } } }`, map[string]any{"id": declined})
	if dig(r.Data, "declineContribution", "contribution", "status") != "DECLINED" {
		t.Fatalf("decline: %+v", r.Data)
	}

	const ledgerQ = `{ user(handle: "mei") { contributionCounts { kind count points } contributions { totalCount edges { node { title status } } } } }`
	const groupCountsQ = `{ group(community: "openeuler", slug: "wuhan") { contributionCounts { kind count points } } }`
	titles := func(r gqlResponse) string {
		var out []string
		for _, e := range dig(r.Data, "user", "contributions", "edges").([]any) {
			out = append(out, dig(e, "node", "title").(string))
		}
		return strings.Join(out, ",")
	}
	for _, consent := range []bool{false, true} {
		do("mei", fmt.Sprintf(`mutation { updateProfile(input: {ledgerPublic: %v}) { user { ledgerPublic } userErrors { field } } }`, consent), nil)
		for _, who := range []string{"anonymous", "lin", "token", "mei", "org"} {
			r := do(who, ledgerQ, nil)
			counts, _ := json.Marshal(dig(r.Data, "user", "contributionCounts"))
			if string(counts) != fmt.Sprintf(`[{"count":1,"kind":"ARTICLE","points":%d}]`, policy.DefaultPoints["ARTICLE"]) {
				t.Errorf("consent %v, %s reads counts %s", consent, who, counts)
			}
			got := titles(r)
			want := map[string]string{"mei": "3", "org": "3"}[who]
			switch {
			case want != "":
				if n := strings.Count(got, ",") + 1; fmt.Sprint(n) != want {
					t.Errorf("consent %v, %s lists %q, want all three", consent, who, got)
				}
			case consent && got != "Verified post":
				t.Errorf("with consent, %s lists %q, want the verified one only", who, got)
			case !consent && got != "":
				t.Errorf("without consent, %s lists %q", who, got)
			}
			gc, _ := json.Marshal(dig(do(who, groupCountsQ, nil).Data, "group", "contributionCounts"))
			if !strings.Contains(string(gc), `"count":1,"kind":"ARTICLE"`) {
				t.Errorf("%s reads the group's counts %s", who, gc)
			}
		}
	}

	// The phone and chat handle are Mei's (and her organizer's, who may
	// reach her); never another member's, a stranger's token's or the public's.
	for who, sees := range map[string]bool{"anonymous": false, "lin": false, "token": false, "mei": true, "org": true} {
		r := do(who, `{ user(handle: "mei") { contact { phone messaging } } }`, nil)
		b, _ := json.Marshal(r.Data)
		if got := strings.Contains(string(b), "mei_wx") || strings.Contains(string(b), "1234 5678"); got != sees {
			t.Errorf("%s sees mei's phone and chat handle: %v, want %v (%s)", who, got, sees, b)
		}
	}
	// The profile's public fields are public; consents are the person's own business but harmless to show.
	r = do("anonymous", `{ user(handle: "mei") { bio languages links { url } } }`, nil)
	if dig(r.Data, "user", "links", "0", "url") != "https://mei.example.org" {
		t.Errorf("anonymous reads the public profile: %+v", r.Data)
	}
}

// TestContributionCountsCostConstantSQL: counts per kind load once per
// list, for every person of a page and every group of a page.
func TestContributionCountsCostConstantSQL(t *testing.T) {
	var counter *dbtest.Counter
	db := dbtest.Open(t, dbtest.WithDriver(func(d dialect.Driver) dialect.Driver {
		counter = dbtest.NewCounter(d)
		return counter
	}))
	f := buildFixture(t, db, 10, 5, 0, 0)
	sys := dbtest.FixtureContext(t)
	users := db.Client.User.Query().AllX(sys)
	for _, u := range users {
		ro := db.Client.Role.Query().Where(role.UserID(u.ID)).FirstX(sys)
		if ro.GroupID == "" {
			continue // the manager contributed nothing
		}
		for _, k := range []contribution.Kind{contribution.KindTALK, contribution.KindTALK, contribution.KindFEEDBACK} {
			db.Client.Contribution.Create().SetCommunityID(f.community.ID).SetUserID(u.ID).SetGroupID(ro.GroupID).SetKind(k).
				SetTitle("A fixture").SetOccurredOn(time.Now()).SetStatus(contribution.StatusVERIFIED).SetPoints(policy.DefaultPoints[string(k)]).ExecX(sys)
		}
		db.Client.Contribution.Create().SetCommunityID(f.community.ID).SetUserID(u.ID).SetGroupID(ro.GroupID).SetKind(contribution.KindCODE).
			SetTitle("Pending").SetOccurredOn(time.Now()).ExecX(sys)
	}
	c := signedIn(t, db, f.manager)
	type cc []struct {
		Kind          string
		Count, Points int
	}
	statements := map[string][]int64{}
	for _, n := range []int{3, 50} {
		var people struct {
			Users struct {
				Edges []struct {
					Node struct{ ContributionCounts cc }
				}
			}
		}
		counter.Reset()
		c.MustPost(`query($n: Int) { users(first: $n) { edges { node { contributionCounts { kind count points } } } } }`, &people, client.Var("n", n))
		statements["users"] = append(statements["users"], counter.Count())
		if len(people.Users.Edges) != min(n, len(users)) {
			t.Fatalf("n=%d: %d people", n, len(people.Users.Edges))
		}
		none := 0
		for _, e := range people.Users.Edges {
			got := e.Node.ContributionCounts
			if len(got) == 0 && none == 0 {
				none++ // the manager
				continue
			}
			if len(got) != 2 || got[0].Kind != "TALK" || got[0].Count != 2 || got[0].Points != 10 || got[1].Kind != "FEEDBACK" || got[1].Count != 1 {
				t.Fatalf("contributionCounts = %+v", got)
			}
		}
		var groups struct {
			Community struct {
				Groups struct {
					Edges []struct {
						Node struct{ ContributionCounts cc }
					}
				}
			}
		}
		counter.Reset()
		c.MustPost(`query($n: Int) { community(slug: "openstack") { groups(first: $n) { edges { node { contributionCounts { kind count } } } } } }`,
			&groups, client.Var("n", min(n, 10)))
		statements["groups"] = append(statements["groups"], counter.Count())
		for _, e := range groups.Community.Groups.Edges {
			if got := e.Node.ContributionCounts; len(got) != 2 || got[0].Count != 10 {
				t.Fatalf("group contributionCounts = %+v", got)
			}
		}
	}
	for name, got := range statements {
		if got[0] != got[1] {
			t.Errorf("%s: SQL statements grow with the data: %v", name, got)
		}
	}
}

// refusedOn reports whether the root field's payload refused the input
// field as BAD_USER_INPUT (the document selects userErrors { code field }).
func refusedOn(r gqlResponse, root, field string) bool {
	e := userError(r, root)
	return e != nil && e["code"] == "BAD_USER_INPUT" && fmt.Sprint(e["field"]) == fmt.Sprint([]any{"input", field})
}

// TestCommunityPolicyYearValues: the points per kind (every kind, defaults
// filled in), award categories and join flags read and change through
// GraphQL; a bad value is refused naming its field.
func TestCommunityPolicyYearValues(t *testing.T) {
	db := dbtest.Open(t)
	w := newQueueWorld(t, db, policy.OpenEuler())
	const q = `mutation($in: UpdateCommunityPolicyInput!) { updateCommunityPolicy(input: $in) {
		community { policy { contributionPoints { kind points } awardCategories joinCertificate joinSouvenir } }
		userErrors { code field } } }`
	set := func(in map[string]any) gqlResponse {
		in["id"] = string(w.com.ID)
		return w.do(t, w.manager, q, map[string]any{"in": in})
	}
	r := set(map[string]any{})
	p := dig(r.Data, "updateCommunityPolicy", "community", "policy")
	points, _ := dig(p, "contributionPoints").([]any)
	if len(points) != len(policy.ContributionKinds) || dig(points[0], "kind") != "PARTICIPATION" || dig(points[0], "points") != float64(1) ||
		fmt.Sprint(dig(p, "awardCategories")) != "[OUTSTANDING_MEMBER BEST_USER_CASE BEST_CONTENT]" || dig(p, "joinCertificate") != true || dig(p, "joinSouvenir") != true {
		t.Fatalf("openEuler's year values: %+v %+v", p, r.Errors)
	}
	r = set(map[string]any{"contributionPoints": []any{map[string]any{"kind": "TALK", "points": 9}},
		"awardCategories": []string{"BEST_TALK"}, "joinSouvenir": false})
	p = dig(r.Data, "updateCommunityPolicy", "community", "policy")
	got := map[string]float64{}
	for _, kp := range dig(p, "contributionPoints").([]any) {
		got[dig(kp, "kind").(string)] = dig(kp, "points").(float64)
	}
	if got["TALK"] != 9 || got["ARTICLE"] != float64(policy.DefaultPoints["ARTICLE"]) || fmt.Sprint(dig(p, "awardCategories")) != "[BEST_TALK]" ||
		dig(p, "joinSouvenir") != false || dig(p, "joinCertificate") != true {
		t.Errorf("after the change: %+v %+v", p, r.Errors)
	}
	for field, v := range map[string]any{
		"contributionPoints": []any{map[string]any{"kind": "TALK", "points": 101}},
		"awardCategories":    []string{"best talk"},
	} {
		if r := set(map[string]any{field: v}); !refusedOn(r, "updateCommunityPolicy", field) {
			t.Errorf("%s %v: %+v %+v", field, v, r.Data, r.Errors)
		}
	}
}
