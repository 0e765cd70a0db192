package server_test

import (
	"entgo.io/ent/dialect"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/application"
	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/ent/review"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/ent/schematype"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/store"
)

// canQ reads every viewerCan… field of an application and its blockers.
const canQ = `query($id: ID!) { node(id: $id) { ... on Application { status
	viewerCanComment viewerCanRequestInfo viewerCanUpdateProposal viewerCanAssignReviewer viewerCanAssignMentor
	viewerCanResolveConflict viewerCanObject viewerCanEndorse viewerCanResolveObjection viewerCanApprove
	viewerCanReject viewerCanWithdraw approvalBlockers { code message } } } }`

// step is one mutation a viewerCan… field answers for, with valid input.
type step struct {
	field string
	doc   string
	input func(f canFixture) map[string]any
}

// canFixture is one application laid out in a given state, with the ids
// the steps' inputs name.
type canFixture struct {
	app       pulid.ID
	objection pulid.ID // an open objection, or else a comment (not an objection)
}

// canWorld is queueWorld with a group organizer and member, and build,
// which lays out a fresh application in a named state.
type canWorld struct {
	queueWorld
	organizer, member pulid.ID
	staffID           pulid.ID
	build             func(state string) canFixture
}

func newCanWorld(t *testing.T, db *store.DB) *canWorld {
	w := newQueueWorld(t, db, policy.OpenStack())
	cw := &canWorld{}
	sys := dbtest.FixtureContext(t)
	c := db.Client
	tx, err := c.Tx(sys)
	if err != nil {
		t.Fatal(err)
	}
	mk := func(h string) *ent.User {
		return tx.User.Create().SetHandle(h).SetName(h).SetCity("Oakland").SaveX(sys)
	}
	organizer, member := mk("organizer"), mk("member")
	tx.Role.Create().SetUserID(organizer.ID).SetCommunityID(w.com.ID).SetGroupID(w.bayArea.ID).SetKind(role.KindORGANIZER).ExecX(sys)
	tx.Role.Create().SetUserID(member.ID).SetCommunityID(w.com.ID).SetGroupID(w.bayArea.ID).SetKind(role.KindMEMBER).ExecX(sys)
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	applicantID := pulid.ID(w.applicant[len("Session "):])
	staffID := pulid.ID(w.manager[len("Session "):])
	region := w.bayArea.RegionID

	n := 0
	cw.build = func(state string) canFixture {
		t.Helper()
		n++
		tx, err := c.Tx(sys)
		if err != nil {
			t.Fatal(err)
		}
		lat, lon := 37.8044, -122.2712
		ac := tx.Application.Create().SetCommunityID(w.com.ID).SetApplicantID(applicantID).SetRegionID(region)
		switch state {
		case "membership":
			// A membership approved in an earlier round is left, so approving this one can take effect.
			tx.Role.Update().Where(role.UserID(applicantID), role.GroupID(w.bayArea.ID), role.StatusEQ(role.StatusACTIVE)).
				SetStatus(role.StatusLEFT).ExecX(sys)
			ac.SetKind(application.KindMEMBERSHIP).SetGroupID(w.bayArea.ID).SetStatus(application.StatusIN_REVIEW).
				SetAnswers(schematype.ApplicationAnswers{Why: "I run OpenStack at work."})
		case "funding":
			ac.SetKind(application.KindFUNDING).SetGroupID(w.bayArea.ID).
				SetAnswers(schematype.ApplicationAnswers{Currency: "USD", AmountCents: 200_00, Purpose: "Pizza"})
		default:
			name := fmt.Sprintf("Oakland {Stackers %d}", n)
			gs := group.StatusPROPOSED
			if state == "approved" {
				gs = group.StatusACTIVE
			}
			g := tx.Group.Create().SetCommunityID(w.com.ID).SetRegionID(region).SetName(name).SetSlug(fmt.Sprintf("oakland-%d", n)).
				SetCity("Oakland").SetCountry("US").SetLatitude(lat).SetLongitude(lon).SetStatus(gs).SaveX(sys)
			ac.SetKind(application.KindNEW_GROUP).SetGroupID(g.ID).SetAnswers(schematype.ApplicationAnswers{
				ProposedName: name, City: "Oakland", Country: "US", Latitude: &lat, Longitude: &lon,
				Links:       []schematype.Link{{Label: "Meetup", URL: "https://meetup.example.com/oakland"}},
				Description: "OpenStack operators in the East Bay.", AcceptedCodeOfConduct: true,
			})
			if state != "submitted-conflict" {
				ac.SetMentorID(w.ambID)
			}
			switch state {
			case "submitted-conflict":
				ac.SetScreening(schematype.Screening{Conflicts: []schematype.Conflict{{
					GroupID: string(w.bayArea.ID), Name: w.bayArea.Name, City: "San Francisco", Status: "OFFICIAL", DistanceKm: 13,
				}}})
			case "in-review", "in-review-objection":
				ac.SetStatus(application.StatusIN_REVIEW)
			case "needs-info":
				ac.SetStatus(application.StatusNEEDS_INFO)
			case "objection-window":
				ac.SetStatus(application.StatusOBJECTION_WINDOW).SetObjectionDeadline(time.Now().Add(48 * time.Hour))
			case "approved":
				ac.SetStatus(application.StatusAPPROVED).SetDecidedAt(time.Now()).SetDecidedByID(staffID)
			}
		}
		app := ac.SaveX(sys)
		f := canFixture{app: app.ID}
		f.objection = tx.Review.Create().SetApplicationID(app.ID).SetAuthorID(staffID).SetKind(review.KindCOMMENT).SetBody("Looking.").SaveX(sys).ID
		if state == "objection-window" || state == "in-review-objection" {
			f.objection = tx.Review.Create().SetApplicationID(app.ID).SetAuthorID(pulid.ID(w.amb2[len("Session "):])).
				SetKind(review.KindOBJECTION).SetBody("Too close to the Bay Area group.").SaveX(sys).ID
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		return f
	}

	cw.queueWorld, cw.organizer, cw.member, cw.staffID = w, organizer.ID, member.ID, staffID
	return cw
}

// TestViewerCanMatchesTheSteps: for every kind of viewer and a range of
// application states, each viewerCan… field is true exactly when the
// mutation it stands for succeeds (with valid input, on a fresh copy of the
// application), and approveApplication succeeds exactly when
// viewerCanApprove is true and approvalBlockers is empty — its refusal
// then lists the same blockers.
func TestViewerCanMatchesTheSteps(t *testing.T) {
	db := dbtest.Open(t)
	cw := newCanWorld(t, db)
	w, build, staffID := cw.queueWorld, cw.build, cw.staffID
	organizer, member := cw.organizer, cw.member
	id := func(f canFixture) map[string]any { return map[string]any{"id": string(f.app)} }
	with := func(extra map[string]any) func(canFixture) map[string]any {
		return func(f canFixture) map[string]any {
			in := id(f)
			for k, v := range extra {
				in[k] = v
			}
			return in
		}
	}
	steps := []step{
		{"viewerCanComment", "commentOnApplication(input: $in) { userErrors { code message } }", with(map[string]any{"body": "Looks good."})},
		{"viewerCanRequestInfo", "requestApplicationInfo(input: $in) { userErrors { code message } }", with(map[string]any{"message": "Please add a link."})},
		{"viewerCanUpdateProposal", "updateApplicationProposal(input: $in) { userErrors { code message } }", with(map[string]any{"description": "OpenStack people of Oakland."})},
		{"viewerCanAssignReviewer", "assignApplicationReviewer(input: $in) { userErrors { code message } }", with(map[string]any{"reviewer": string(staffID)})},
		{"viewerCanAssignMentor", "assignGroupMentor(input: $in) { userErrors { code message } }", with(map[string]any{"mentor": string(w.ambID)})},
		{"viewerCanResolveConflict", "resolveConflict(input: $in) { userErrors { code message } }", with(map[string]any{"group": string(w.bayArea.ID), "resolution": "They meet in the city, we in the East Bay."})},
		{"viewerCanObject", "objectToApplication(input: $in) { userErrors { code message } }", with(map[string]any{"reason": "Too close."})},
		{"viewerCanEndorse", "endorseApplication(input: $in) { userErrors { code message } }", with(map[string]any{"reason": "Good people."})},
		{"viewerCanResolveObjection", "resolveObjection(input: $in) { userErrors { code message } }", func(f canFixture) map[string]any {
			return map[string]any{"id": string(f.objection), "note": "Talked it through."}
		}},
		{"viewerCanApprove", "approveApplication(input: $in) { userErrors { code message blockers } }", id},
		{"viewerCanReject", "rejectApplication(input: $in) { userErrors { code message } }", with(map[string]any{"reason": "OTHER", "message": "Not now."})},
		{"viewerCanWithdraw", "withdrawApplication(input: $in) { userErrors { code message } }", id},
	}
	inputs := map[string]string{
		"commentOnApplication": "CommentOnApplicationInput", "requestApplicationInfo": "RequestApplicationInfoInput",
		"updateApplicationProposal": "UpdateApplicationProposalInput", "assignApplicationReviewer": "AssignApplicationReviewerInput",
		"assignGroupMentor": "AssignGroupMentorInput", "resolveConflict": "ResolveConflictInput", "objectToApplication": "ObjectToApplicationInput",
		"endorseApplication": "EndorseApplicationInput", "resolveObjection": "ResolveObjectionInput", "approveApplication": "ApproveApplicationInput",
		"rejectApplication": "RejectApplicationInput", "withdrawApplication": "WithdrawApplicationInput",
	}
	viewers := []struct{ name, header string }{
		{"staff", w.manager}, {"ambassador", w.amb}, {"organizer (reviews memberships)", "Session " + string(organizer)},
		{"applicant", w.applicant}, {"unrelated member", "Session " + string(member)}, {"anonymous", ""},
	}
	states := []string{"submitted-conflict", "in-review", "needs-info", "in-review-objection", "objection-window", "approved", "membership", "funding"}
	// Spot checks that the matrix is not trivially all false.
	want := map[string]bool{
		"staff/in-review/viewerCanApprove": true, "ambassador/objection-window/viewerCanResolveObjection": true,
		"applicant/submitted-conflict/viewerCanWithdraw": true, "applicant/needs-info/viewerCanUpdateProposal": true,
		"organizer (reviews memberships)/membership/viewerCanApprove": true, "staff/funding/viewerCanReject": true,
		"ambassador/funding/viewerCanReject": false, "applicant/in-review/viewerCanApprove": false,
		"organizer (reviews memberships)/membership/viewerCanObject": false, "staff/approved/viewerCanComment": false,
	}
	seen := map[string]bool{}
	for _, st := range states {
		for _, v := range viewers {
			f := build(st)
			r := query(t, w.h, v.header, canQ, map[string]any{"id": string(f.app)})
			node, _ := r.Data["node"].(map[string]any)
			var blockers []string
			if node != nil {
				for _, b := range node["approvalBlockers"].([]any) {
					blockers = append(blockers, b.(map[string]any)["code"].(string))
				}
			}
			for _, s := range steps {
				can := node != nil && node[s.field] == true
				key := v.name + "/" + st + "/" + s.field
				seen[key] = can
				root, _, _ := strings.Cut(s.doc, "(")
				doc := fmt.Sprintf("mutation($in: %s!) { %s }", inputs[root], s.doc)
				res := query(t, w.h, v.header, doc, map[string]any{"in": s.input(f)})
				ok := len(res.Errors) == 0 && userError(res, root) == nil
				expect := can
				if s.field == "viewerCanApprove" {
					expect = can && len(blockers) == 0
					if can && len(blockers) > 0 {
						ue := userError(res, root)
						got := []string{}
						if ue != nil {
							for _, b := range ue["blockers"].([]any) {
								got = append(got, b.(string))
							}
						}
						if !slices.Equal(got, blockers) {
							t.Errorf("%s: approval refused with blockers %v, approvalBlockers said %v", key, got, blockers)
						}
					}
				}
				if ok != expect {
					t.Errorf("%s = %v (blockers %v), but %s succeeded: %v (errors %+v, data %v)", key, can, blockers, root, ok, res.Errors, res.Data)
				}
				if ok {
					f = build(st) // the step changed it: the next one starts afresh
				}
			}
			wantBlockers := map[string][]string{
				"submitted-conflict": {policy.BlockerOpenConflicts, policy.BlockerNoMentor}, "in-review-objection": {policy.BlockerOpenObjections},
				"objection-window": {policy.BlockerOpenObjections}, "funding": {"ENDORSEMENT"},
			}[st]
			if v.name != "staff" && v.name != "ambassador" && !(v.name == "organizer (reviews memberships)" && st == "membership") {
				wantBlockers = nil
			}
			if !slices.Equal(blockers, wantBlockers) {
				t.Errorf("%s/%s: approvalBlockers %v, want %v", v.name, st, blockers, wantBlockers)
			}
		}
	}
	for k, v := range want {
		if seen[k] != v {
			t.Errorf("%s = %v, want %v", k, seen[k], v)
		}
	}
}

// TestApprovalBlockersCostConstantSQL: a page of the approval queue with
// every application's blockers and actions costs the same statements
// however many applications it holds.
func TestApprovalBlockersCostConstantSQL(t *testing.T) {
	var counter *dbtest.Counter
	db := dbtest.Open(t, dbtest.WithDriver(func(d dialect.Driver) dialect.Driver {
		counter = dbtest.NewCounter(d)
		return counter
	}))
	cw := newCanWorld(t, db)
	for range 4 {
		for _, st := range []string{"submitted-conflict", "in-review-objection", "funding", "membership"} {
			cw.build(st)
		}
	}
	const q = `query($c: ID!, $k: [ApplicationKind!], $n: Int) { approvalQueue(community: $c, filter: {kinds: $k}) { applications(first: $n) {
		edges { node { id viewerCanApprove viewerCanResolveObjection viewerCanObject approvalBlockers { code } } } } } }`
	for _, kind := range []string{"NEW_GROUP", "FUNDING", "MEMBERSHIP"} {
		var counts []int64
		for _, n := range []int{1, 4} {
			counter.Reset()
			r := cw.do(t, cw.manager, q, map[string]any{"c": string(cw.com.ID), "k": []string{kind}, "n": n})
			if len(r.Errors) > 0 {
				t.Fatal(r.Errors)
			}
			if got := len(dig(r.Data, "approvalQueue", "applications", "edges").([]any)); got != n {
				t.Fatalf("%s: %d applications, want %d", kind, got, n)
			}
			counts = append(counts, counter.Count())
		}
		if counts[0] != counts[1] {
			t.Errorf("%s: SQL statements grow with the page: %v", kind, counts)
		}
	}
}
