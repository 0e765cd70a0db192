package board_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The queue view's tests: the board a reviewer works from, live.

// qHefei is the demo's request for a Hefei group, in review, with its
// supporters: staff may approve it.
const qHefei = "app_01HK153X1879ZKKH8NZM6ZE929"

const (
	qApplyQ = `mutation BoardTestApply($in: ApplyForGroupInput!) {
  applyForGroup(input: $in) { application { id status } userErrors { code message field } } }`
	qRequestInfoQ = `mutation BoardTestRequestInfo($id: ID!, $message: String!) {
  requestApplicationInfo(input: {id: $id, message: $message}) { application { id status } userErrors { code message } } }`
	qCommentQ = `mutation BoardTestComment($id: ID!, $body: String!) {
  commentOnApplication(input: {id: $id, body: $body}) { userErrors { code message } } }`
	qApproveQ = `mutation BoardTestApprove($id: ID!) {
  approveApplication(input: {id: $id}) { application { id status objectionDeadline } userErrors { code message blockers } } }`
	qPolicyQ = `mutation BoardTestPolicy($id: ID!, $hours: Int!) {
  updateCommunityPolicy(input: {id: $id, objectionWindowHours: $hours}) { userErrors { code message } } }`
	qCountsQ = `query BoardTestCounts($c: ID!) { changeCursor approvalQueue(community: $c) {
  counts { status count } applications(first: 100) { totalCount edges { node { id status applicant { handle } } } } } }`
)

// qDig walks decoded JSON by keys.
func qDig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// qNoUserErrors fails the test when a mutation's payload has userErrors.
func qNoUserErrors(t *testing.T, data map[string]any, field string) {
	t.Helper()
	if ues, _ := qDig(data, field, "userErrors").([]any); len(ues) > 0 {
		t.Fatalf("%s refused: %v", field, ues)
	}
}

// queueApply files a new-group request as handle through the API and
// returns the application's id.
func (b *board) queueApply(handle, city string) string {
	b.t.Helper()
	d := b.post(b.token(handle), qApplyQ, map[string]any{"in": map[string]any{
		"community": openEuler, "name": city, "city": city, "country": "CN", "acceptCodeOfConduct": true,
		"description": "openEuler users and contributors in " + city + ": monthly meetups and install days.",
		"links":       []map[string]string{{"label": "Forum", "url": "https://forum.example.org/" + strings.ToLower(city)}},
	}})
	qNoUserErrors(b.t, d, "applyForGroup")
	id, _ := qDig(d, "applyForGroup", "application", "id").(string)
	if id == "" {
		b.t.Fatalf("applyForGroup returned no application: %v", d)
	}
	return id
}

// openQueue signs in as handle and waits for the queue with its cards and
// a live subscription.
func (b *board) openQueue(ctx context.Context, handle string) {
	b.t.Helper()
	b.signIn(ctx, handle)
	run(b.t, ctx, "waiting for the queue",
		chromedp.WaitVisible(chromedp.CSS(`.qcard`)),
		chromedp.WaitVisible(chromedp.CSS(`.live[data-status="live"]`)))
}

// qCounts reads the number each status chip shows.
func qCounts(t *testing.T, ctx context.Context) map[string]int {
	t.Helper()
	raw := value(t, ctx, "reading the counts", chromedp.Evaluate[map[string]string](
		`Object.fromEntries([...document.querySelectorAll('.qchip')].map((c) => [c.dataset.status, c.querySelector('.qchip-n')?.textContent]))`))
	out := map[string]int{}
	for s, n := range raw {
		v, err := strconv.Atoi(n)
		if err != nil {
			t.Fatalf("the %s chip shows %q, not a number", s, n)
		}
		out[s] = v
	}
	return out
}

// qWithin waits until the JavaScript condition holds, at most until
// deadline; it fails the test with what was awaited.
func qWithin(t *testing.T, ctx context.Context, deadline time.Time, what, cond string) {
	t.Helper()
	left := time.Until(deadline)
	if left <= 0 {
		left = time.Millisecond
	}
	c, cancel := context.WithTimeout(ctx, left+time.Second)
	defer cancel()
	_, err := chromedp.Run(c, chromedp.Poll[bool](cond, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(left)))
	if err != nil {
		state := value(t, ctx, "reading the page", chromedp.Evaluate[string](
			`JSON.stringify({counts: [...document.querySelectorAll('.qchip')].map((c) => c.dataset.status + '=' + c.querySelector('.qchip-n')?.textContent).join(' '),
  cards: [...document.querySelectorAll('.qcard')].map((c) => c.dataset.id + ':' + c.dataset.status), live: document.querySelector('.live')?.dataset.status})`))
		t.Fatalf("%s: not within %v (%v); the page: %s", what, left.Round(time.Millisecond), err, state)
	}
}

func qCard(id string) string { return fmt.Sprintf(`.qcard[data-id=%q]`, id) }

// TestBoardShowsQueueLive: staff see their community's queue with the
// counts the API gives; another person's request appears within 2 s of
// being filed, and a reviewer's status change moves the counts within 2 s.
func TestBoardShowsQueueLive(t *testing.T) {
	b := startBoard(t)
	ctx := b.browser()
	b.openQueue(ctx, staff)

	// The default route chose the community the person manages.
	hash := value(t, ctx, "reading the route", chromedp.Evaluate[string](`location.hash`))
	if hash != "#/queue/openeuler" {
		t.Errorf("the default route went to %q, want #/queue/openeuler", hash)
	}
	api := b.post(b.token(staff), qCountsQ, map[string]any{"c": "openeuler"})
	before := qCounts(t, ctx)
	for _, c := range qDig(api, "approvalQueue", "counts").([]any) {
		s, n := qDig(c, "status").(string), int(qDig(c, "count").(float64))
		if before[s] != n {
			t.Errorf("the board shows %d %s, the API says %d", before[s], s, n)
		}
	}
	open := int(qDig(api, "approvalQueue", "applications", "totalCount").(float64))
	cards := value(t, ctx, "counting cards", chromedp.Evaluate[int](`document.querySelectorAll('.qcard').length`))
	if cards != open || open == 0 {
		t.Fatalf("the board shows %d cards, the API lists %d open applications", cards, open)
	}
	// Everything is shown: no "load more" button.
	if more := value(t, ctx, "looking for load more", chromedp.Evaluate[bool](`!!document.querySelector('.qmore')?.offsetParent`)); more {
		t.Errorf("a load-more button shows with all %d applications on the board", open)
	}

	// Another person applies: the card appears, highlighted, within 2 s.
	id := b.queueApply(member, "Qingdao")
	filed := time.Now()
	qWithin(t, ctx, filed.Add(2*time.Second), "the new application's card",
		`!!document.querySelector('`+qCard(id)+`[data-status="SUBMITTED"]')`)
	title := value(t, ctx, "reading the new card", chromedp.Text(chromedp.CSS(qCard(id)+` .qcard-title`)))
	if title != "Qingdao" {
		t.Errorf("the new card's title is %q, want Qingdao", title)
	}
	fresh := value(t, ctx, "reading the new card's class", chromedp.Evaluate[bool](`document.querySelector('`+qCard(id)+`').classList.contains('fresh')`))
	if !fresh {
		t.Errorf("the new card is not highlighted")
	}
	qWithin(t, ctx, filed.Add(2*time.Second), "the SUBMITTED count after the request",
		fmt.Sprintf(`document.querySelector('.qchip[data-status="SUBMITTED"] .qchip-n')?.textContent === '%d'`, before["SUBMITTED"]+1))
	announced := value(t, ctx, "reading the announcement", chromedp.Poll[string](
		`document.getElementById('announcer')?.textContent`, chromedp.WithPollingTimeout(2*time.Second)))
	if !strings.Contains(announced, "Qingdao") {
		t.Errorf("screen readers heard %q, want the new application", announced)
	}
	mid := qCounts(t, ctx)

	// Staff ask for more information: SUBMITTED → NEEDS_INFO, counts follow.
	d := b.post(b.token(staff), qRequestInfoQ, map[string]any{"id": id, "message": "Who are the other organizers?"})
	qNoUserErrors(t, d, "requestApplicationInfo")
	changed := time.Now()
	qWithin(t, ctx, changed.Add(2*time.Second), "the counts after the status change",
		fmt.Sprintf(`document.querySelector('.qchip[data-status="SUBMITTED"] .qchip-n')?.textContent === '%d' &&
  document.querySelector('.qchip[data-status="NEEDS_INFO"] .qchip-n')?.textContent === '%d'`,
			mid["SUBMITTED"]-1, mid["NEEDS_INFO"]+1))
	qWithin(t, ctx, changed.Add(2*time.Second), "the card's new status", `!!document.querySelector('`+qCard(id)+`[data-status="NEEDS_INFO"]')`)
	after := qCounts(t, ctx)
	if after["SUBMITTED"] != before["SUBMITTED"] || after["NEEDS_INFO"] != before["NEEDS_INFO"]+1 {
		t.Errorf("counts went from %v to %v", before, after)
	}

	// A filter in the route: only new-group requests needing information.
	run(t, ctx, "filtering by a status chip", chromedp.Click(chromedp.CSS(`.qchip[data-status="NEEDS_INFO"]`)))
	qWithin(t, ctx, time.Now().Add(5*time.Second), "the NEEDS_INFO filter",
		`location.hash === '#/queue/openeuler?statuses=NEEDS_INFO' &&
  [...document.querySelectorAll('.qcard')].every((c) => c.dataset.status === 'NEEDS_INFO') && !!document.querySelector('`+qCard(id)+`')`)
	// Back returns to the whole queue, forward to the filter.
	run(t, ctx, "going back", chromedp.NavigateBack())
	qWithin(t, ctx, time.Now().Add(5*time.Second), "the whole queue again",
		`location.hash === '#/queue/openeuler' && document.querySelectorAll('.qcard').length === `+strconv.Itoa(open+1)+` &&
  document.querySelector('input[name="statuses"][value="NEEDS_INFO"]')?.checked === false`)
	run(t, ctx, "going forward", chromedp.NavigateForward())
	qWithin(t, ctx, time.Now().Add(5*time.Second), "the filter again",
		`location.hash === '#/queue/openeuler?statuses=NEEDS_INFO' && document.querySelectorAll('.qcard').length === `+strconv.Itoa(after["NEEDS_INFO"]))
	run(t, ctx, "reloading the filtered board", chromedp.Reload())
	qWithin(t, ctx, time.Now().Add(10*time.Second), "the filter after a reload",
		`document.querySelector('input[name="statuses"][value="NEEDS_INFO"]')?.checked === true &&
  document.querySelector('.qchip[data-status="NEEDS_INFO"]')?.getAttribute('aria-pressed') === 'true' &&
  document.querySelectorAll('.qcard').length === `+strconv.Itoa(after["NEEDS_INFO"]))
}

// qCursorPosition is the change-log position of a change cursor ("chg:42…").
func qCursorPosition(t *testing.T, c string) int {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(c)
	if err != nil {
		raw, err = base64.RawURLEncoding.DecodeString(c)
	}
	if err != nil {
		t.Fatalf("cursor %q: %v", c, err)
	}
	s, ok := strings.CutPrefix(string(raw), "chg:")
	if !ok {
		t.Fatalf("cursor %q is %q, not a change cursor", c, raw)
	}
	n, err := strconv.Atoi(strings.SplitN(s, ":", 2)[0])
	if err != nil {
		t.Fatalf("cursor %q is %q: %v", c, raw, err)
	}
	return n
}

// TestBoardResumesAfterTheSocketIsCut: the network drops; a new request
// and a status change made meanwhile appear once it is back, each once, the
// badge returns to live, and the subscription resumed from the last item it
// had received rather than from the page's load.
func TestBoardResumesAfterTheSocketIsCut(t *testing.T) {
	b := startBoard(t)
	ctx := b.browser()
	b.openQueue(ctx, staff)
	staffToken := b.token(staff)

	// A change the board receives before the cut moves its position on.
	api := b.post(staffToken, qCountsQ, map[string]any{"c": "openeuler"})
	loaded := qCursorPosition(t, qDig(api, "changeCursor").(string))
	var target string
	for _, e := range qDig(api, "approvalQueue", "applications", "edges").([]any) {
		if qDig(e, "node", "status") == "IN_REVIEW" {
			target = qDig(e, "node", "id").(string)
			break
		}
	}
	if target == "" {
		t.Fatal("the demo has no application in review")
	}
	qNoUserErrors(t, b.post(staffToken, qCommentQ, map[string]any{"id": target, "body": "Looking at it this afternoon."}), "commentOnApplication")
	qWithin(t, ctx, time.Now().Add(5*time.Second), "the comment on the card",
		`document.querySelector('`+qCard(target)+`')?.textContent.includes('Looking at it this afternoon.')`)
	// Record what the page subscribes with from now on.
	run(t, ctx, "watching the websocket", chromedp.Evaluate[chromedp.Void](`(() => {
  window.__subscribed = [];
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    try { const m = JSON.parse(data); if (m.type === 'subscribe') window.__subscribed.push(m.payload); } catch (e) { /* not JSON */ }
    return send.call(this, data);
  };
})()`))

	b.proxy.cut()
	run(t, ctx, "waiting for the board to notice", chromedp.WaitVisible(chromedp.CSS(`.live[data-status="reconnecting"]`)))
	id := b.queueApply(member, "Dalian")
	qNoUserErrors(t, b.post(staffToken, qRequestInfoQ, map[string]any{"id": target, "message": "Please add the meetup page."}), "requestApplicationInfo")
	time.Sleep(300 * time.Millisecond)
	missing := value(t, ctx, "looking at the board while cut", chromedp.Evaluate[bool](
		`!document.querySelector('`+qCard(id)+`') && !!document.querySelector('`+qCard(target)+`[data-status="IN_REVIEW"]')`))
	if !missing {
		t.Fatal("the board changed while its connection was cut: the test cuts nothing")
	}
	b.proxy.restore()

	qWithin(t, ctx, time.Now().Add(25*time.Second), "both changes after the reconnect",
		`!!document.querySelector('`+qCard(id)+`[data-status="SUBMITTED"]') &&
  !!document.querySelector('`+qCard(target)+`[data-status="NEEDS_INFO"]') &&
  document.querySelector('.live')?.dataset.status === 'live'`)
	api = b.post(staffToken, qCountsQ, map[string]any{"c": "openeuler"})
	open := int(qDig(api, "approvalQueue", "applications", "totalCount").(float64))
	qWithin(t, ctx, time.Now().Add(3*time.Second), "the counts after the reconnect",
		`document.querySelector('.qchip[data-status="NEEDS_INFO"] .qchip-n')?.textContent === '`+
			strconv.Itoa(qCountOf(api, "NEEDS_INFO"))+`'`)
	ids := value(t, ctx, "listing the cards", chromedp.Evaluate[[]string](`[...document.querySelectorAll('.qcard')].map((c) => c.dataset.id)`))
	seen := map[string]bool{}
	for _, x := range ids {
		if seen[x] {
			t.Errorf("card %s is shown twice", x)
		}
		seen[x] = true
	}
	if len(ids) != open {
		t.Errorf("the board shows %d cards, the API lists %d open applications", len(ids), open)
	}

	// The client resubscribed after the last item it had received (the
	// comment, after the page's load), not from the page's change cursor.
	subs := value(t, ctx, "reading the resubscriptions", chromedp.Evaluate[[]map[string]any](`window.__subscribed`))
	if len(subs) == 0 {
		t.Fatal("the page did not subscribe again after the reconnect")
	}
	for _, s := range subs {
		after, _ := qDig(s, "variables", "after").(string)
		if after == "" || qCursorPosition(t, after) <= loaded {
			t.Errorf("resubscribed after %q (position ≤ %d, the page's load): the items received before the cut would come again", after, loaded)
		}
	}
}

func qCountOf(api map[string]any, status string) int {
	for _, c := range qDig(api, "approvalQueue", "counts").([]any) {
		if qDig(c, "status") == status {
			return int(qDig(c, "count").(float64))
		}
	}
	return -1
}

// TestBoardWithoutReviewerRightsShowsNoQueue: a member, to whom the API
// answers an empty queue (no error), is told there is no queue for them
// rather than shown an empty board.
func TestBoardWithoutReviewerRightsShowsNoQueue(t *testing.T) {
	b := startBoard(t)
	api := b.post(b.token(member), qCountsQ, map[string]any{"c": "openeuler"})
	for _, c := range qDig(api, "approvalQueue", "counts").([]any) {
		if n := qDig(c, "count").(float64); n != 0 {
			t.Fatalf("the API shows a member %v applications %s: the test's premise is gone", n, qDig(c, "status"))
		}
	}
	ctx := b.browser()
	b.signIn(ctx, member)
	run(t, ctx, "waiting for the message", chromedp.WaitVisible(chromedp.CSS(`.qmessage.noqueue`)))
	text := value(t, ctx, "reading the message", chromedp.Text(chromedp.CSS(`.qmessage.noqueue h1`)))
	if text != "You have no queue to review in openEuler." {
		t.Errorf("the message is %q", text)
	}
	n := value(t, ctx, "counting cards", chromedp.Evaluate[int](`document.querySelectorAll('.qcard, .qchip, .qfilters').length`))
	if n != 0 {
		t.Errorf("a member sees %d cards, chips or filters", n)
	}
}

// TestScreenshotBoard writes the board's screenshot (make screenshots) and
// checks it shows a full queue, in English and in Simplified Chinese.
func TestScreenshotBoard(t *testing.T) {
	b := startBoard(t)
	ctx := b.browser()
	b.openQueue(ctx, staff)
	// With a 72-hour objection window in the policy, staff approve the
	// Hefei request: it waits out its objection window,
	// whose end the card counts down to, second by second.
	tok := b.token(staff)
	qNoUserErrors(t, b.post(tok, qPolicyQ, map[string]any{"id": openEuler, "hours": 72}), "updateCommunityPolicy")
	d := b.post(tok, qApproveQ, map[string]any{"id": qHefei})
	qNoUserErrors(t, d, "approveApplication")
	if s := qDig(d, "approveApplication", "application", "status"); s != "OBJECTION_WINDOW" {
		t.Fatalf("approving Hefei made it %v, want OBJECTION_WINDOW", s)
	}
	countdown := `document.querySelector('` + qCard(qHefei) + `[data-status="OBJECTION_WINDOW"] .countdown')?.textContent`
	qWithin(t, ctx, time.Now().Add(2*time.Second), "the objection window's countdown", `/^\d+d \d\d:\d\d:\d\d$/.test(`+countdown+`)`)
	first := value(t, ctx, "reading the countdown", chromedp.Evaluate[string](countdown))
	qWithin(t, ctx, time.Now().Add(3*time.Second), "the countdown ticking", countdown+` !== '`+first+`'`)
	n := value(t, ctx, "counting cards", chromedp.Evaluate[int](`document.querySelectorAll('.qcard').length`))
	if n < 5 {
		t.Fatalf("the board shows %d cards, want the demo's queue", n)
	}
	// Let the highlight fade before the picture.
	qWithin(t, ctx, time.Now().Add(5*time.Second), "the highlight fading", `!document.querySelector('.qcard.fresh')`)
	b.screenshot(ctx, "board")

	t.Run("zh-CN", func(t *testing.T) {
		run(t, ctx, "switching to Chinese", chromedp.Evaluate[chromedp.Void](`(() => {
  const s = document.querySelector('header .language select');
  s.value = 'zh-CN';
  s.dispatchEvent(new Event('change', {bubbles: true}));
})()`))
		qWithin(t, ctx, time.Now().Add(10*time.Second), "the Chinese board",
			`document.querySelector('.qhead h1')?.textContent === 'openEuler 审批队列' && document.querySelectorAll('.qcard').length === `+strconv.Itoa(n))
		label := value(t, ctx, "reading a chip", chromedp.Text(chromedp.CSS(`.qchip[data-status="IN_REVIEW"] .qchip-label`)))
		if label != "审核中" {
			t.Errorf("the IN_REVIEW chip reads %q in Chinese", label)
		}
		legend := value(t, ctx, "reading the filters", chromedp.Text(chromedp.CSS(`.qfilters h2`)))
		if legend != "筛选" {
			t.Errorf("the filters' heading reads %q in Chinese", legend)
		}
		b.screenshot(ctx, "board-zh")
	})
}
