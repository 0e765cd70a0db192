package board_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// outsider is a demo person with no role anywhere: they join groups in
// these tests.
const outsider = "kavya.kim"

// The OpenStack group the official-status test follows (ACTIVE, its
// official-status request just submitted), and OpenStack's staff.
const (
	munich         = "openstack/munich"
	openStackStaff = "priya.ribeiro"
)

// openGroup signs in as handle and opens a group's page by its route
// parameter (an id or "community/group"), waiting for the page to load.
func (b *board) openGroup(ctx context.Context, handle, group string) {
	b.t.Helper()
	b.signIn(ctx, handle)
	run(b.t, ctx, "opening the group page of "+group,
		chromedp.Navigate(b.url+"/app/#/group/"+group),
		chromedp.WaitVisible(chromedp.CSS(`.group-page .group-roster`)),
	)
}

// within waits at most d for a JavaScript condition in the page.
func within(t *testing.T, ctx context.Context, d time.Duration, what, expr string) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, d+5*time.Second)
	defer cancel()
	if _, err := chromedp.Run(c, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(d))); err != nil {
		t.Fatalf("%s within %v: %v", what, d, err)
	}
}

// shownCount is the roster count the page shows for a kind of role.
func shownCount(t *testing.T, ctx context.Context, kind string) int {
	t.Helper()
	s := value(t, ctx, "reading the "+kind+" count",
		chromedp.Text(chromedp.CSS(`.roster-counts .count[data-kind="`+kind+`"]`)))
	n, err := strconv.Atoi(strings.ReplaceAll(s, ",", ""))
	if err != nil {
		t.Fatalf("the %s count reads %q", kind, s)
	}
	return n
}

func str(m map[string]any, path ...string) string {
	var v any = m
	for _, p := range path {
		m, _ := v.(map[string]any)
		v = m[p]
	}
	s, _ := v.(string)
	return s
}

// TestGroupPageRosterLive: the organizer opens their group's page; it shows
// the organizers, ambassadors and members with counts from the API. A person
// joins (their request approved by the organizer) and appears at the top of
// the members within 2 s, highlighted, with the count one higher; the
// organizer removes them and they are gone within 2 s, the count back.
func TestGroupPageRosterLive(t *testing.T) {
	b := startBoard(t)
	ctx := b.browser()
	b.openGroup(ctx, organizer, beijing)

	orgTok := b.token(organizer)
	q := b.post(orgTok, `query R($g: ID!) { node(id: $g) { ... on Group { name roster(first: 1) { counts { kind count } } } } }`,
		map[string]any{"g": beijing})
	want := map[string]int{}
	for _, c := range q["node"].(map[string]any)["roster"].(map[string]any)["counts"].([]any) {
		c := c.(map[string]any)
		want[c["kind"].(string)] = int(c["count"].(float64))
	}
	for _, kind := range []string{"ORGANIZER", "AMBASSADOR", "MEMBER"} {
		if got := shownCount(t, ctx, kind); got != want[kind] {
			t.Errorf("%s count shows %d, the API says %d", kind, got, want[kind])
		}
	}
	if title := value(t, ctx, "reading the title", chromedp.Text(chromedp.CSS(`.group-title h1`))); title != "Beijing" {
		t.Errorf("the page is titled %q, want Beijing", title)
	}
	run(t, ctx, "finding the organizer and an ambassador",
		chromedp.WaitVisible(chromedp.CSS(`ul.roles[data-kind="ORGANIZER"] li.role[data-handle="`+organizer+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`ul.roles[data-kind="AMBASSADOR"] li.role[data-handle="`+ambassador+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`ul.roles[data-kind="MEMBER"] li.role`)),
	)
	shownMembers := value(t, ctx, "counting the members shown",
		chromedp.Evaluate[int](`document.querySelectorAll('ul.roles[data-kind="MEMBER"] li.role').length`))
	if shownMembers != 30 {
		t.Errorf("%d members shown at first, want the first 30", shownMembers)
	}
	members := want["MEMBER"]

	// The outsider asks to join (openEuler asks for an article) and the
	// organizer approves: the MEMBER role is granted.
	join := b.post(b.token(outsider), `mutation J($id: ID!) { joinGroup(input: {id: $id, articleURL: "https://example.org/why-openeuler", affiliation: "individual"}) {
		application { id } userErrors { message } } }`, map[string]any{"id": beijing})
	appID := str(join, "joinGroup", "application", "id")
	if appID == "" {
		t.Fatalf("joinGroup: %v", join)
	}
	ok := b.post(orgTok, `mutation A($id: ID!) { approveApplication(input: {id: $id}) { application { status } userErrors { message } } }`,
		map[string]any{"id": appID})
	if s := str(ok, "approveApplication", "application", "status"); s != "APPROVED" {
		t.Fatalf("approveApplication: %v", ok)
	}
	newMember := `ul.roles[data-kind="MEMBER"] li.role[data-handle="` + outsider + `"]`
	within(t, ctx, 2*time.Second, "the new member appearing",
		fmt.Sprintf(`document.querySelector('%s') && document.querySelector('ul.roles[data-kind="MEMBER"] li.role').dataset.handle === '%s'`, newMember, outsider))
	if fresh := value(t, ctx, "checking the highlight", chromedp.Evaluate[bool](`document.querySelector('`+newMember+`').classList.contains('fresh')`)); !fresh {
		t.Error("the new member is not highlighted")
	}
	within(t, ctx, 2*time.Second, "the member count going up",
		fmt.Sprintf(`document.querySelector('.roster-counts .count[data-kind="MEMBER"]').textContent === '%d'`, members+1))
	announced := value(t, ctx, "reading the announcement", chromedp.Poll[string](
		`document.getElementById('announcer')?.textContent`, chromedp.WithPollingTimeout(2*time.Second)))
	if !strings.Contains(announced, "Kavya Kim") {
		t.Errorf("the screen reader was told %q, want the new member's name", announced)
	}

	// The organizer removes them: their role ends and leaves the page.
	roleID := value(t, ctx, "reading the new role's id", chromedp.Evaluate[string](`document.querySelector('`+newMember+`').dataset.role`))
	rm := b.post(orgTok, `mutation R($id: ID!) { removeMember(input: {id: $id, reason: "Joined by mistake"}) { roles { status } userErrors { message } } }`,
		map[string]any{"id": roleID})
	if errs := rm["removeMember"].(map[string]any)["userErrors"].([]any); len(errs) > 0 {
		t.Fatalf("removeMember: %v", errs)
	}
	within(t, ctx, 2*time.Second, "the removed member disappearing", `!document.querySelector('`+newMember+`')`)
	within(t, ctx, 2*time.Second, "the member count going back",
		fmt.Sprintf(`document.querySelector('.roster-counts .count[data-kind="MEMBER"]').textContent === '%d'`, members))

	// "Show more" pages in the next members, newest first.
	run(t, ctx, "showing more members", chromedp.Click(chromedp.CSS(`.group-roster button.show-more`)))
	within(t, ctx, 5*time.Second, "the next page of members", `document.querySelectorAll('ul.roles[data-kind="MEMBER"] li.role').length === 60`)
}

// TestGroupPageRegistrationCountsLive: the group's upcoming event shows its
// going count and seats; someone registers through the API and the count
// shown goes up within 2 s.
func TestGroupPageRegistrationCountsLive(t *testing.T) {
	b := startBoard(t)
	ctx := b.browser()
	b.openGroup(ctx, organizer, beijing)

	q := b.post(b.token(organizer), `query E($g: ID!) { node(id: $g) { ... on Group { upcomingEvents(first: 5) { id title goingCount capacity } } } }`,
		map[string]any{"g": beijing})
	events := q["node"].(map[string]any)["upcomingEvents"].([]any)
	if len(events) == 0 {
		t.Fatal("the demo's Beijing group has no upcoming event")
	}
	ev := events[0].(map[string]any)
	id, going := ev["id"].(string), int(ev["goingCount"].(float64))
	sel := `li.event[data-event="` + id + `"] .going`
	run(t, ctx, "finding the event", chromedp.WaitVisible(chromedp.CSS(sel)))
	if got := value(t, ctx, "reading the going count", chromedp.Text(chromedp.CSS(sel))); got != strconv.Itoa(going) {
		t.Fatalf("the event shows %s going, the API says %d", got, going)
	}
	if title := value(t, ctx, "reading the event title", chromedp.Text(chromedp.CSS(`li.event[data-event="`+id+`"] h3`))); title != ev["title"] {
		t.Errorf("the event is titled %q, want %q", title, ev["title"])
	}
	if c, ok := ev["capacity"].(float64); ok {
		of := value(t, ctx, "reading the seats", chromedp.Text(chromedp.CSS(`li.event[data-event="`+id+`"] .of`)))
		if of != fmt.Sprintf("of %d seats", int(c)) {
			t.Errorf("the seats read %q, want of %d seats", of, int(c))
		}
	}

	reg := b.post(b.token(outsider), `mutation G($id: ID!) { registerForEvent(input: {id: $id}) { registration { status } userErrors { message } } }`,
		map[string]any{"id": id})
	if s := str(reg, "registerForEvent", "registration", "status"); s != "GOING" {
		t.Fatalf("registerForEvent: %v", reg)
	}
	within(t, ctx, 2*time.Second, "the going count going up",
		fmt.Sprintf(`document.querySelector('%s').textContent === '%d'`, sel, going+1))
}

// TestGroupPageOfficialChecklist: an OpenStack group has asked for
// official status and staff sign the mentoring off; the page (opened by its
// slugs) shows each requirement met or not, and the progress, as
// officialRequirements answers, and the handover checklist's progress as
// the application has it.
func TestGroupPageOfficialChecklist(t *testing.T) {
	b := startBoard(t)
	staffTok := b.token(openStackStaff)
	const official = `query M { group(community: "openstack", slug: "munich") {
		applications(first: 1, where: {kind: OFFICIAL_STATUS}, orderBy: [{field: CREATED_AT, direction: DESC}]) {
			nodes { id checklist { items { key doneAt } } } } } }`
	apps := b.post(staffTok, official, nil)["group"].(map[string]any)["applications"].(map[string]any)["nodes"].([]any)
	if len(apps) != 1 {
		t.Fatalf("the demo's Munich group has %d official-status requests, want 1", len(apps))
	}
	appID := apps[0].(map[string]any)["id"].(string)
	step := b.post(staffTok, `mutation S($id: ID!) { completeHandoverStep(input: {id: $id, step: MENTORING_COMPLETE}) { userErrors { message } } }`,
		map[string]any{"id": appID})
	if errs := step["completeHandoverStep"].(map[string]any)["userErrors"].([]any); len(errs) > 0 {
		t.Fatalf("completeHandoverStep: %v", errs)
	}
	apps = b.post(staffTok, official, nil)["group"].(map[string]any)["applications"].(map[string]any)["nodes"].([]any)
	var steps []string
	stepsDone := 0
	for _, it := range apps[0].(map[string]any)["checklist"].(map[string]any)["items"].([]any) {
		it := it.(map[string]any)
		done := it["doneAt"] != nil
		if done {
			stepsDone++
		}
		steps = append(steps, fmt.Sprintf("%s=%v", it["key"], done))
	}
	if stepsDone == 0 {
		t.Fatal("the mentoring step is not done")
	}
	reqs := b.post(staffTok, `query Q($g: ID!) { officialRequirements(group: $g) { key met detail } }`,
		map[string]any{"g": munich})["officialRequirements"].([]any)

	ctx := b.browser()
	b.openGroup(ctx, openStackStaff, munich)
	run(t, ctx, "finding the requirements", chromedp.WaitVisible(chromedp.CSS(`.group-official ul.requirements li.req`)))
	met := 0
	for _, r := range reqs {
		r := r.(map[string]any)
		key, isMet := r["key"].(string), r["met"].(bool)
		if isMet {
			met++
		}
		li := `.group-official li.req[data-key="` + key + `"]`
		shown := value(t, ctx, "reading requirement "+key, chromedp.Evaluate[string](`document.querySelector('`+li+`')?.dataset.met ?? 'absent'`))
		if shown != strconv.FormatBool(isMet) {
			t.Errorf("requirement %s shows met=%s, the API says %v", key, shown, isMet)
		}
		if d, _ := r["detail"].(string); d != "" {
			got := value(t, ctx, "reading the detail of "+key, chromedp.Text(chromedp.CSS(li+` .detail`)))
			if got != d {
				t.Errorf("requirement %s details %q, the API says %q", key, got, d)
			}
		}
	}
	progress := value(t, ctx, "reading the progress", chromedp.Text(chromedp.CSS(`.group-official .progress-line .progress-text`)))
	if want := fmt.Sprintf("%d of %d requirements met", met, len(reqs)); progress != want {
		t.Errorf("the progress reads %q, want %q", progress, want)
	}
	bar := value(t, ctx, "reading the progress bar", chromedp.Evaluate[[]float64](`(() => { const p = document.querySelector('.group-official progress.requirements'); return [p.value, p.max]; })()`))
	if int(bar[0]) != met || int(bar[1]) != len(reqs) {
		t.Errorf("the progress bar is at %v of %v, want %d of %d", bar[0], bar[1], met, len(reqs))
	}

	handover := value(t, ctx, "reading the handover progress", chromedp.Text(chromedp.CSS(`.group-official .handover .progress-text`)))
	if want := fmt.Sprintf("%d of %d steps done", stepsDone, len(steps)); handover != want {
		t.Errorf("the handover progress reads %q, want %q", handover, want)
	}
	shownSteps := value(t, ctx, "reading the steps", chromedp.Evaluate[[]string](`[...document.querySelectorAll('.handover li.step')].map((li) => li.dataset.step + '=' + li.dataset.done)`))
	if strings.Join(shownSteps, " ") != strings.Join(steps, " ") {
		t.Errorf("the steps read %v, the API says %v", shownSteps, steps)
	}
	link := value(t, ctx, "reading the request's link", chromedp.Evaluate[string](`document.querySelector('.handover a').getAttribute('href')`))
	if link != "#/application/"+appID {
		t.Errorf("the request links to %q, want #/application/%s", link, appID)
	}
}

// TestScreenshotGroupPage: the group page as the README shows it (an
// OpenStack group on its way to official status, seen by staff, so that
// every section has something to show), then in Simplified Chinese.
func TestScreenshotGroupPage(t *testing.T) {
	b := startBoard(t)
	ctx := b.browser()
	b.openGroup(ctx, openStackStaff, "openstack/madrid")
	run(t, ctx, "waiting for the whole page",
		chromedp.WaitVisible(chromedp.CSS(`.group-events li.event`)),
		chromedp.WaitVisible(chromedp.CSS(`.group-official li.req`)),
		chromedp.WaitVisible(chromedp.CSS(`.group-official .handover li.step`)),
		chromedp.WaitVisible(chromedp.CSS(`ul.roles[data-kind="ORGANIZER"] li.role`)),
		chromedp.WaitVisible(chromedp.CSS(`ul.roles[data-kind="MEMBER"] li.role`)),
	)
	heads := value(t, ctx, "reading the headings", chromedp.Evaluate[[]string](`[...document.querySelectorAll('.group-page h2')].map((e) => e.textContent)`))
	if strings.Join(heads, "|") != "Roster|Upcoming events|Official status" {
		t.Errorf("the sections are %v", heads)
	}
	if title := value(t, ctx, "reading the title", chromedp.Text(chromedp.CSS(`.group-title h1`))); title != "Madrid" {
		t.Errorf("the page is titled %q", title)
	}
	desc := value(t, ctx, "reading the description", chromedp.Text(chromedp.CSS(`.group-description`)))
	if !strings.Contains(desc, "OpenStack in and around Madrid") {
		t.Errorf("the description reads %q", desc)
	}
	b.screenshot(ctx, "group")

	t.Run("zh-CN", func(t *testing.T) {
		run(t, ctx, "switching to Simplified Chinese",
			chromedp.SetValue(chromedp.CSS(`header.top .language select`), "zh-CN"),
			chromedp.Evaluate[chromedp.Void](`document.querySelector('header.top .language select').dispatchEvent(new Event('change', {bubbles: true}))`),
		)
		within(t, ctx, 5*time.Second, "the roster heading in Chinese", `document.querySelector('#group-roster-h')?.textContent === '成员名册'`)
		run(t, ctx, "waiting for the page in Chinese", chromedp.WaitVisible(chromedp.CSS(`.group-official .handover li.step`)))
		heads := value(t, ctx, "reading the headings", chromedp.Evaluate[[]string](`[...document.querySelectorAll('.group-page h2')].map((e) => e.textContent)`))
		if strings.Join(heads, "|") != "成员名册|近期活动|正式用户组认证" {
			t.Errorf("the sections in Chinese are %v", heads)
		}
		handover := value(t, ctx, "reading the handover heading", chromedp.Text(chromedp.CSS(`.handover h3`)))
		if !strings.HasPrefix(handover, "交接清单") {
			t.Errorf("the handover heading in Chinese reads %q", handover)
		}
		if lang := value(t, ctx, "reading the page's language", chromedp.Evaluate[string](`document.documentElement.lang`)); lang != "zh-CN" {
			t.Errorf("the page's language is %q", lang)
		}
	})
}

// TestGroupList: #/group/<community> lists the community's groups, each
// linking to its page.
func TestGroupList(t *testing.T) {
	b := startBoard(t)
	ctx := b.browser()
	b.signIn(ctx, staff)
	run(t, ctx, "opening openEuler's groups",
		chromedp.Navigate(b.url+"/app/#/group/openeuler"),
		chromedp.WaitVisible(chromedp.CSS(`.group-list tr[data-group="`+beijing+`"] a.group-link`)),
		chromedp.Click(chromedp.CSS(`.group-list tr[data-group="`+beijing+`"] a.group-link`)),
		chromedp.WaitVisible(chromedp.CSS(`.group-page[data-group="`+beijing+`"] .group-roster`)),
	)
	hash := value(t, ctx, "reading the route", chromedp.Evaluate[string](`location.hash`))
	if hash != "#/group/"+beijing {
		t.Errorf("the group link went to %q", hash)
	}
}
