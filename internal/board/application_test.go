package board_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The detail view's tests read the server's state through their own API
// calls (b.post), never through another view's page.

// detailApp is an application as the tests' own queries see it.
type detailApp struct {
	ID, Kind, Status, Applicant, Group string
	CanApprove, CanWithdraw            bool
	Blockers                           []string
}

const detailQueueQ = `query($c: ID!) { approvalQueue(community: $c) { applications(first: 100) { edges { node {
	id kind status applicant { handle } group { id } viewerCanApprove viewerCanWithdraw approvalBlockers { code } } } } } }`

// detailApps lists the community's open applications as the token's owner sees them.
func detailApps(b *board, tok string) []detailApp {
	b.t.Helper()
	d := b.post(tok, detailQueueQ, map[string]any{"c": openEuler})
	var out []detailApp
	for _, e := range d["approvalQueue"].(map[string]any)["applications"].(map[string]any)["edges"].([]any) {
		n := e.(map[string]any)["node"].(map[string]any)
		a := detailApp{ID: n["id"].(string), Kind: n["kind"].(string), Status: n["status"].(string),
			Applicant: n["applicant"].(map[string]any)["handle"].(string), CanApprove: n["viewerCanApprove"] == true, CanWithdraw: n["viewerCanWithdraw"] == true}
		if g, ok := n["group"].(map[string]any); ok {
			a.Group = g["id"].(string)
		}
		for _, bl := range n["approvalBlockers"].([]any) {
			a.Blockers = append(a.Blockers, bl.(map[string]any)["code"].(string))
		}
		out = append(out, a)
	}
	return out
}

// detailPick is the first open application matching ok, or fails the test.
func detailPick(b *board, tok, what string, ok func(detailApp) bool) detailApp {
	b.t.Helper()
	for _, a := range detailApps(b, tok) {
		if ok(a) {
			return a
		}
	}
	b.t.Fatalf("the demo data has no open application that is %s", what)
	return detailApp{}
}

// detailCounts is the community queue's count per status.
func detailCounts(b *board, tok string) map[string]int {
	b.t.Helper()
	d := b.post(tok, `query($c: ID!) { approvalQueue(community: $c) { counts { status count } } }`, map[string]any{"c": openEuler})
	out := map[string]int{}
	for _, c := range d["approvalQueue"].(map[string]any)["counts"].([]any) {
		m := c.(map[string]any)
		out[m["status"].(string)] = int(m["count"].(float64))
	}
	return out
}

// detailStatus is the application's status as the API says.
func detailStatus(b *board, tok, id string) string {
	b.t.Helper()
	d := b.post(tok, `query($id: ID!) { node(id: $id) { ... on Application { status } } }`, map[string]any{"id": id})
	return d["node"].(map[string]any)["status"].(string)
}

// detailOpen shows the application's detail view and waits until it is
// drawn and following the queue live.
func detailOpen(t *testing.T, ctx context.Context, id string) {
	t.Helper()
	run(t, ctx, "opening the application "+id,
		chromedp.Evaluate[chromedp.Void](`location.hash = '#/application/`+id+`'`),
		chromedp.WaitVisible(chromedp.CSS(`.appv[data-id="`+id+`"] .appv-status`)),
		chromedp.WaitVisible(chromedp.CSS(`.live[data-status="live"]`)),
	)
}

// detailShownStatus waits until the view shows one of statuses and returns it.
func detailShownStatus(t *testing.T, ctx context.Context, statuses ...string) string {
	t.Helper()
	sel := make([]string, len(statuses))
	for i, s := range statuses {
		sel[i] = `.appv-status[data-status="` + s + `"]`
	}
	return value(t, ctx, "waiting for the status "+strings.Join(statuses, " or "), chromedp.Poll[string](
		`(() => { const el = document.querySelector('`+strings.Join(sel, ", ")+`'); return el ? el.dataset.status : ''; })()`,
		chromedp.WithPollingTimeout(10*time.Second)))
}

// TestReviewerApprovesAndTheCountsChange: staff open an approvable request
// for a new group from the board, approve it, and see its new status; the
// queue's counts (read through the API) move by one.
func TestReviewerApprovesAndTheCountsChange(t *testing.T) {
	b := startBoard(t)
	tok := b.token(staff)
	app := detailPick(b, tok, "an approvable new group", func(a detailApp) bool {
		return a.Kind == "NEW_GROUP" && a.CanApprove && len(a.Blockers) == 0
	})
	before := detailCounts(b, tok)

	ctx := b.browser()
	b.signIn(ctx, staff)
	run(t, ctx, "opening the board", chromedp.Evaluate[chromedp.Void](`location.hash = '#/queue/openeuler'`),
		chromedp.WaitVisible(chromedp.CSS(`main#main`)))
	detailOpen(t, ctx, app.ID)
	if n := value(t, ctx, "counting blockers", chromedp.Evaluate[int](`document.querySelectorAll('.appv-blockers li').length`)); n != 0 {
		t.Fatalf("%d blockers shown for an application without any", n)
	}
	run(t, ctx, "approving", press(`button[name="approve"]`))
	shown := detailShownStatus(t, ctx, "APPROVED", "OBJECTION_WINDOW")
	if shown == "OBJECTION_WINDOW" {
		left := value(t, ctx, "reading the countdown", chromedp.Evaluate[string](`document.querySelector('.appv-countdown')?.textContent || ''`))
		if left == "" {
			t.Error("no countdown for the objection window")
		}
	}
	if got := detailStatus(b, tok, app.ID); got != shown {
		t.Errorf("the page shows %s, the API says %s", shown, got)
	}
	// The timeline records the move, and approving is no longer offered.
	run(t, ctx, "reading the timeline", chromedp.WaitVisible(chromedp.CSS(`.appv-entry[data-kind="STATUS_CHANGE"] .appv-move`)),
		chromedp.WaitNotPresent(chromedp.CSS(`button[name="approve"]`)))
	b.screenshot(ctx, "board-application")

	after := detailCounts(b, tok)
	if after[app.Status] != before[app.Status]-1 || after[shown] != before[shown]+1 {
		t.Errorf("counts: %s %d → %d, %s %d → %d; want one moved from the first to the second",
			app.Status, before[app.Status], after[app.Status], shown, before[shown], after[shown])
	}
}

// TestBlockedApprovalShowsBlockers: an application with blockers lists
// them beside the approve button; trying anyway shows the server's refusal
// with its blockers, and nothing is approved.
func TestBlockedApprovalShowsBlockers(t *testing.T) {
	b := startBoard(t)
	tok := b.token(staff)
	app := detailPick(b, tok, "a blocked new group", func(a detailApp) bool {
		return a.Kind == "NEW_GROUP" && a.CanApprove && len(a.Blockers) > 0
	})
	before := detailCounts(b, tok)
	ctx := b.browser()
	b.signIn(ctx, staff)
	detailOpen(t, ctx, app.ID)

	shown := value(t, ctx, "reading the blockers", chromedp.Evaluate[[]string](
		`[...document.querySelectorAll('.appv-blockers li')].map((li) => li.dataset.code)`))
	if !slices.Equal(shown, app.Blockers) {
		t.Fatalf("blockers shown %v, the API's approvalBlockers %v", shown, app.Blockers)
	}
	described := value(t, ctx, "reading the approve button", chromedp.Evaluate[string](
		`document.querySelector('button[name="approve"]').getAttribute('aria-describedby')`))
	if !strings.Contains(described, "appv-blockers") {
		t.Errorf("the approve button is not described by the blockers: %q", described)
	}
	run(t, ctx, "trying to approve", press(`button[name="approve"]`),
		chromedp.WaitVisible(chromedp.CSS(`.appv-approve .appv-error`)))
	refused := value(t, ctx, "reading the refusal", chromedp.Evaluate[[]string](
		`[...document.querySelectorAll('.appv-refused-blockers li')].map((li) => li.dataset.code)`))
	if !slices.Equal(refused, app.Blockers) {
		t.Errorf("the refusal lists %v, want %v", refused, app.Blockers)
	}
	if got := detailStatus(b, tok, app.ID); got != app.Status {
		t.Errorf("status %s after a refused approval, want %s", got, app.Status)
	}
	if after := detailCounts(b, tok); !equalCounts(before, after) {
		t.Errorf("counts changed: %v → %v", before, after)
	}
	if s := value(t, ctx, "reading the status", chromedp.Evaluate[string](`document.querySelector('.appv-status').dataset.status`)); s != app.Status {
		t.Errorf("the page shows %s, want %s", s, app.Status)
	}
}

func equalCounts(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestCommentAppearsLive: while a reviewer has an application open (and
// is typing), another reviewer comments through the API: the comment
// appears in the timeline within 2 s, highlighted, and what the first was
// typing stays. Their own comment then goes through the form.
func TestCommentAppearsLive(t *testing.T) {
	b := startBoard(t)
	tok := b.token(staff)
	app := detailPick(b, tok, "a membership request of openEuler Beijing", func(a detailApp) bool {
		return a.Kind == "MEMBERSHIP" && a.Group == beijing
	})
	ctx := b.browser()
	b.signIn(ctx, staff)
	detailOpen(t, ctx, app.ID)
	const draft = "Half-written thoughts"
	// Typed in one step in the page: a live redraw between keystrokes
	// would replace the box under chromedp's typing.
	run(t, ctx, "typing a comment", chromedp.Evaluate[chromedp.Void](`(() => {
		const el = document.querySelector('textarea[data-key="comment.body"]');
		el.focus(); el.value = `+jsString(draft)+`; el.dispatchEvent(new Event('input', {bubbles: true}));
	})()`))

	other := fmt.Sprintf("Checked the article, it is fine (%d).", time.Now().UnixNano())
	b.post(b.token(organizer), `mutation($in: CommentOnApplicationInput!) { commentOnApplication(input: $in) { userErrors { message } } }`,
		map[string]any{"in": map[string]any{"id": app.ID, "body": other}})
	start := time.Now()
	value(t, ctx, "waiting for the other reviewer's comment", chromedp.Poll[bool](
		`[...document.querySelectorAll('.appv-entry.fresh[data-kind="COMMENT"] .appv-body')].some((p) => p.textContent === `+jsString(other)+`)`,
		chromedp.WithPollingTimeout(2*time.Second)))
	t.Logf("the comment appeared %v after it was made", time.Since(start).Round(time.Millisecond))
	kept := value(t, ctx, "reading the comment box", chromedp.Evaluate[[]any](
		`(() => { const el = document.querySelector('textarea[data-key="comment.body"]'); return [el.value, document.activeElement === el]; })()`))
	if kept[0] != draft || kept[1] != true {
		t.Errorf("after the live update the comment box holds %q (focused: %v), want %q, focused", kept[0], kept[1], draft)
	}

	run(t, ctx, "commenting", press(`form[data-form="comment"] button[name="comment"]`))
	value(t, ctx, "waiting for the own comment", chromedp.Poll[bool](
		`[...document.querySelectorAll('.appv-entry[data-kind="COMMENT"]')].some((li) => li.querySelector('.appv-body')?.textContent === `+jsString(draft)+
			` && li.querySelector('.appv-author').textContent === 'Xu Shuang')`,
		chromedp.WithPollingTimeout(5*time.Second)))
	value(t, ctx, "waiting for the comment box to empty", chromedp.Poll[bool](
		`document.querySelector('textarea[data-key="comment.body"]')?.value === ''`, chromedp.WithPollingTimeout(5*time.Second)))
}

// TestRejectNeedsAReason: rejecting without a message is refused with a
// user error beside the message field and changes nothing; with one, the
// application is rejected.
func TestRejectNeedsAReason(t *testing.T) {
	b := startBoard(t)
	tok := b.token(staff)
	app := detailPick(b, tok, "a request staff may reject", func(a detailApp) bool { return a.Kind == "NEW_GROUP" && a.CanApprove })
	ctx := b.browser()
	b.signIn(ctx, staff)
	detailOpen(t, ctx, app.ID)

	run(t, ctx, "choosing a reason", chromedp.SetValue(chromedp.CSS(`select[data-key="reject.reason"]`), "DUPLICATE"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('select[data-key="reject.reason"]').dispatchEvent(new Event('change'))`))
	run(t, ctx, "rejecting without a message", press(`button[name="reject"]`),
		chromedp.WaitVisible(chromedp.CSS(`form[data-form="reject"] .appv-field[data-field="message"] .appv-error`)))
	if got := detailStatus(b, tok, app.ID); got != app.Status {
		t.Fatalf("status %s after a refused rejection, want %s", got, app.Status)
	}
	if reason := value(t, ctx, "reading the reason", chromedp.Evaluate[string](`document.querySelector('select[data-key="reject.reason"]').value`)); reason != "DUPLICATE" {
		t.Errorf("the chosen reason became %q after the refusal", reason)
	}
	invalid := value(t, ctx, "reading the message field", chromedp.Evaluate[string](
		`document.querySelector('textarea[data-key="reject.message"]').getAttribute('aria-invalid') || ''`))
	if invalid != "true" {
		t.Errorf("the message field is not marked invalid (aria-invalid=%q)", invalid)
	}

	run(t, ctx, "rejecting with a message",
		typeIn(`textarea[data-key="reject.message"]`, "Another group already meets in this city; please join it."),
		press(`button[name="reject"]`))
	detailShownStatus(t, ctx, "REJECTED")
	if got := detailStatus(b, tok, app.ID); got != "REJECTED" {
		t.Errorf("status %s, want REJECTED", got)
	}
}

// TestApplicantSeesNoReviewerActions: the applicant sees their own request
// without the reviewers' actions, and may withdraw it.
func TestApplicantSeesNoReviewerActions(t *testing.T) {
	b := startBoard(t)
	app := detailPick(b, b.token(staff), "a new group's request", func(a detailApp) bool { return a.Kind == "NEW_GROUP" })
	mine := b.token(app.Applicant)
	ctx := b.browser()
	b.signIn(ctx, app.Applicant)
	detailOpen(t, ctx, app.ID)
	for _, sel := range []string{`button[name="approve"]`, `button[name="reject"]`, `button[name="request-info"]`,
		`button[name="assignReviewer"]`, `button[name="assignMentor"]`, `button[name="object"]`, `button[name="endorse"]`, `.appv-blockers`} {
		if n := value(t, ctx, "looking for "+sel, chromedp.Evaluate[int](`document.querySelectorAll('`+sel+`').length`)); n != 0 {
			t.Errorf("the applicant is shown %s", sel)
		}
	}
	d := b.post(mine, `query($id: ID!) { node(id: $id) { ... on Application { viewerCanWithdraw viewerCanApprove } } }`, map[string]any{"id": app.ID})
	if d["node"].(map[string]any)["viewerCanWithdraw"] != true {
		t.Fatalf("the API does not let the applicant withdraw: %v", d)
	}
	run(t, ctx, "withdrawing", press(`button[name="withdraw"]`),
		press(`button[name="withdraw-yes"]`))
	detailShownStatus(t, ctx, "WITHDRAWN")
	if got := detailStatus(b, mine, app.ID); got != "WITHDRAWN" {
		t.Errorf("status %s, want WITHDRAWN", got)
	}
	run(t, ctx, "the withdraw button is gone", chromedp.WaitNotPresent(chromedp.CSS(`button[name="withdraw"]`)))
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`).Replace(s) + "'"
}

// TestReviewerClearsTheBlockersThenApproves: the other forms, end to end.
// Staff settle a request's conflict, fix its proposal, assign a mentor,
// object and resolve their objection — each step offered by its
// viewerCan…, each shown in the timeline — and approve once nothing blocks.
func TestReviewerClearsTheBlockersThenApproves(t *testing.T) {
	b := startBoard(t)
	tok := b.token(staff)
	app := detailPick(b, tok, "a new group blocked only by a conflict", func(a detailApp) bool {
		return a.Kind == "NEW_GROUP" && a.CanApprove && slices.Equal(a.Blockers, []string{"OPEN_CONFLICTS"})
	})
	ctx := b.browser()
	b.signIn(ctx, staff)
	detailOpen(t, ctx, app.ID)
	entries := func() int {
		return value(t, ctx, "counting the timeline", chromedp.Evaluate[int](`document.querySelectorAll('.appv-entry').length`))
	}
	waitEntries := func(what string, n int) {
		value(t, ctx, what, chromedp.Poll[bool](fmt.Sprintf(`document.querySelectorAll('.appv-entry').length >= %d`, n),
			chromedp.WithPollingTimeout(5*time.Second)))
	}

	n := entries()
	run(t, ctx, "settling the conflict",
		typeIn(`form[data-form^="conflict:"] textarea`, "The Nanshan members meet in the south of the city; the groups agreed."),
		press(`button[name="resolve-conflict"]`),
		chromedp.WaitNotPresent(chromedp.CSS(`.appv-blockers`)),
		chromedp.WaitVisible(chromedp.CSS(`.appv-conflicts li.settled`)))
	waitEntries("the settlement in the timeline", n+1)

	n = entries()
	run(t, ctx, "fixing the proposal",
		press(`details.appv-panel summary`),
		typeIn(`textarea[data-key="fix.description"]`, " Monthly meetups in Nanshan."),
		press(`button[name="save-proposal"]`))
	waitEntries("the fix in the timeline", n+1)
	desc := value(t, ctx, "reading the description", chromedp.Poll[string](
		`[...document.querySelectorAll('.appv-sec-answers dd')].map((d) => d.textContent).find((s) => s.endsWith('Monthly meetups in Nanshan.')) || ''`,
		chromedp.WithPollingTimeout(5*time.Second)))
	if desc == "" {
		t.Error("the fixed description is not shown")
	}

	run(t, ctx, "assigning a mentor",
		chromedp.WaitEnabled(chromedp.CSS(`select[data-key="assignMentor.mentor"]`)),
		chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector('select[data-key="assignMentor.mentor"]'); s.value = s.options[1].value; s.dispatchEvent(new Event('change')); })()`),
		press(`button[name="assignMentor"]`),
		chromedp.WaitVisible(chromedp.CSS(`[data-fact="mentor"] .appv-person`)))

	run(t, ctx, "objecting",
		typeIn(`textarea[data-key="opinion.reason"]`, "Wait: the city group has not confirmed yet."),
		press(`button[name="object"]`),
		chromedp.WaitVisible(chromedp.CSS(`.appv-blockers li[data-code="OPEN_OBJECTIONS"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.appv-objections textarea`)))
	run(t, ctx, "resolving the objection",
		typeIn(`.appv-objections textarea`, "The city group confirmed by mail."),
		press(`button[name="resolve-objection"]`),
		chromedp.WaitNotPresent(chromedp.CSS(`.appv-objections`)),
		chromedp.WaitNotPresent(chromedp.CSS(`.appv-blockers`)))

	run(t, ctx, "approving", press(`button[name="approve"]`))
	shown := detailShownStatus(t, ctx, "APPROVED", "OBJECTION_WINDOW")
	if got := detailStatus(b, tok, app.ID); got != shown {
		t.Errorf("the page shows %s, the API says %s", shown, got)
	}
}

// TestUnscreenedApplicationHasNoScreening: only new-group requests are
// screened; another kind answers screening: null, not an internal error
// on its missing screenedAt.
func TestUnscreenedApplicationHasNoScreening(t *testing.T) {
	b := startBoard(t)
	d := b.post(b.token(staff), `query($c: ID!) { approvalQueue(community: $c, filter: {kinds: [MEMBERSHIP, NEW_GROUP]}) {
		applications(first: 50) { nodes { kind screening { screenedAt supporters } } } } }`, map[string]any{"c": openEuler})
	kinds := map[string]int{}
	for _, n := range d["approvalQueue"].(map[string]any)["applications"].(map[string]any)["nodes"].([]any) {
		m := n.(map[string]any)
		screened := m["screening"] != nil
		if screened != (m["kind"] == "NEW_GROUP") {
			t.Errorf("a %s application has screening %v", m["kind"], m["screening"])
		}
		kinds[m["kind"].(string)]++
	}
	if kinds["MEMBERSHIP"] == 0 || kinds["NEW_GROUP"] == 0 {
		t.Fatalf("the demo's queue lacks a kind: %v", kinds)
	}
}
