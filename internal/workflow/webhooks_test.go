package workflow_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/application"
	"github.com/usergroups/usergroups/ent/contact"
	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/ent/message"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/ent/schematype"
	"github.com/usergroups/usergroups/ent/webhookdelivery"
	"github.com/usergroups/usergroups/ent/webhookendpoint"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/viewer"
	"github.com/usergroups/usergroups/internal/webhook"
	"github.com/usergroups/usergroups/internal/workflow"
)

// receiver is a webhook receiver that checks every request against the
// Standard Webhooks specification with its own implementation (not
// internal/webhook's): HMAC-SHA256 over "id.timestamp.body", base64,
// "v1,<sig>" entries separated by spaces, secrets "whsec_" + base64.
type receiver struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	secrets  []string // each must verify one of the request's signatures
	statuses []int    // answers, in order; 200 once exhausted
	got      []received
}

// received is one request as the receiver saw it.
type received struct {
	id, timestamp string
	signatures    []string
	body          string
	verified      []bool // per secret
}

func newReceiver(t *testing.T, statuses ...int) *receiver {
	rc := &receiver{t: t, statuses: statuses}
	rc.srv = httptest.NewServer(http.HandlerFunc(rc.serve))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r := received{id: req.Header.Get("webhook-id"), timestamp: req.Header.Get("webhook-timestamp"),
		signatures: strings.Fields(req.Header.Get("webhook-signature")), body: string(body)}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	for _, s := range rc.secrets {
		r.verified = append(r.verified, verifyIndependently(s, r))
	}
	rc.got = append(rc.got, r)
	status := http.StatusOK
	if len(rc.statuses) > 0 {
		status, rc.statuses = rc.statuses[0], rc.statuses[1:]
	}
	w.WriteHeader(status)
	fmt.Fprintf(w, "answer %d %s", status, strings.Repeat("x", 2000))
}

// verifyIndependently checks r against secret as the specification says.
func verifyIndependently(secret string, r received) bool {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil || !strings.HasPrefix(secret, "whsec_") {
		return false
	}
	ts, err := strconv.ParseInt(r.timestamp, 10, 64)
	if err != nil || time.Since(time.Unix(ts, 0)).Abs() > 10*time.Minute {
		return false
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(r.id + "." + r.timestamp + "." + r.body))
	want := "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
	for _, s := range r.signatures {
		if hmac.Equal([]byte(s), []byte(want)) {
			return true
		}
	}
	return false
}

func (rc *receiver) trust(secrets ...string) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.secrets = secrets
}

func (rc *receiver) requests() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.got...)
}

// hookWorld is a world with a community, a group, its staff member and an
// organizer, on a runner that allows local receivers.
type hookWorld struct {
	*world
	com       *ent.Community
	g         *ent.Group
	staff     *ent.User
	organizer *ent.User
	client    *http.Client
}

func newHookWorld(t *testing.T) *hookWorld {
	w := newWorld(t)
	w.Runner.SetWebhooksAllowPrivate(true)
	com := w.Community(policy.OpenStack())
	g := w.Group(com, group.StatusACTIVE)
	return &hookWorld{world: w, com: com, g: g, staff: w.Person(role.KindCOMMUNITY_MANAGER, com),
		organizer: w.Person(role.KindORGANIZER, g), client: webhook.NewClient(webhook.ClientOptions{AllowPrivate: true})}
}

// endpoint registers an endpoint to url as the staff member.
func (h *hookWorld) endpoint(url string, group *pulid.ID, topics ...string) workflow.IssuedWebhookEndpoint {
	h.t.Helper()
	out, err := h.Runner.CreateWebhookEndpoint(h.As(h.staff.ID), workflow.NewWebhookEndpoint{
		Community: h.com.ID, Group: group, URL: url, Topics: topics})
	if err != nil {
		h.t.Fatalf("creating the endpoint: %v", err)
	}
	return out
}

// fanOutJobs returns the change ids of the fan-out jobs queued so far, and
// forgets them (so the next call returns only newer ones).
func (h *hookWorld) fanOutJobs() [][]int64 {
	h.t.Helper()
	var out [][]int64
	for _, args := range h.jobArgs(workflow.JobWebhookFanOut) {
		var a workflow.WebhookFanOut
		if err := json.Unmarshal(args, &a); err != nil {
			h.t.Fatal(err)
		}
		out = append(out, a.ChangeIDs)
	}
	return out
}

// jobArgs returns and deletes the queued jobs of one kind.
func (h *hookWorld) jobArgs(kind string) [][]byte {
	h.t.Helper()
	ctx := context.Background()
	col := "args::text"
	if h.DB.Dialect == "sqlite3" {
		col = "json(args)" // River's SQLite driver stores JSONB
	}
	rows, err := h.DB.SQL.QueryContext(ctx, `SELECT `+col+` FROM river_job WHERE kind = '`+kind+`' ORDER BY id`)
	if err != nil {
		h.t.Fatal(err)
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			h.t.Fatal(err)
		}
		out = append(out, b)
	}
	if _, err := h.DB.SQL.ExecContext(ctx, `DELETE FROM river_job WHERE kind = '`+kind+`'`); err != nil {
		h.t.Fatal(err)
	}
	return out
}

// fanOut runs every queued fan-out job and returns the deliveries written.
func (h *hookWorld) fanOut() int {
	h.t.Helper()
	n := 0
	for _, ids := range h.fanOutJobs() {
		k, err := workflow.FanOutWebhooks(h.System(), h.Runner, ids)
		if err != nil {
			h.t.Fatalf("fan-out: %v", err)
		}
		n += k
	}
	return n
}

// deliveries of an endpoint, oldest first.
func (h *hookWorld) deliveries(ep pulid.ID) []*ent.WebhookDelivery {
	h.t.Helper()
	ds, err := h.Client.WebhookDelivery.Query().Where(webhookdelivery.EndpointID(ep)).
		Order(ent.Asc(webhookdelivery.FieldChangeID)).All(h.System())
	if err != nil {
		h.t.Fatal(err)
	}
	return ds
}

func (h *hookWorld) deliver(id pulid.ID, attempt int) workflow.WebhookAttempt {
	h.t.Helper()
	res, err := workflow.DeliverWebhook(h.System(), h.Runner, h.client, id, attempt, webhook.MaxAttempts)
	if err != nil {
		h.t.Fatalf("delivering: %v", err)
	}
	return res
}

func TestWebhookRetriesUntilDeliveredAndLeaksNothing(t *testing.T) {
	t.Parallel()
	h := newHookWorld(t)
	rc := newReceiver(t, 500, 503)
	ep := h.endpoint(rc.srv.URL+"/hook", nil, "application", "registration", "event")
	rc.trust(ep.Secret)
	if !strings.HasPrefix(ep.Secret, "whsec_") {
		t.Fatalf("secret %q", ep.Secret)
	}
	applicant := h.User()
	app := h.Application(h.com, applicant, application.KindAMBASSADOR, func(c *ent.ApplicationCreate) {
		c.SetAnswers(schematype.ApplicationAnswers{Why: "SECRET-ANSWER-why", Ideas: "SECRET-ANSWER-ideas"})
	})
	ev := h.Event(h.g)
	reg := h.Registration(ev, applicant)
	if jobs := h.fanOutJobs(); len(jobs) != 3 {
		t.Fatalf("fan-out jobs %v, want one per unit (3)", jobs)
	}
	// The jobs were consumed by fanOutJobs: make another change and fan out.
	h.Import(func(ctx context.Context, c *ent.Client) error {
		return c.Application.UpdateOne(app).SetStatus(application.StatusIN_REVIEW).Exec(ctx)
	})
	if n := h.fanOut(); n != 1 {
		t.Fatalf("deliveries %d, want 1", n)
	}
	// Earlier changes too, and a fan-out run twice adds nothing.
	var ids []int64
	chs, _ := h.Client.Change.Query().All(h.System())
	for _, c := range chs {
		ids = append(ids, c.ID)
	}
	for range 2 {
		if _, err := workflow.FanOutWebhooks(h.System(), h.Runner, ids); err != nil {
			t.Fatal(err)
		}
	}
	ds := h.deliveries(ep.Endpoint.ID)
	if len(ds) != 4 { // application created + updated, event created, registration created
		t.Fatalf("deliveries %d, want 4", len(ds))
	}
	if n := len(h.jobArgs(workflow.JobWebhookDeliver)); n != 4 {
		t.Fatalf("delivery jobs %d, want 4 (one per delivery)", n)
	}
	d := ds[len(ds)-1]
	if r := h.deliver(d.ID, 1); !r.Retry || r.Outcome != "retry" {
		t.Fatalf("after a 500: %+v", r)
	}
	if r := h.deliver(d.ID, 2); !r.Retry {
		t.Fatalf("after a 503: %+v", r)
	}
	if r := h.deliver(d.ID, 3); r.Retry || r.Outcome != "sent" {
		t.Fatalf("after a 200: %+v", r)
	}
	got := rc.requests()
	if len(got) != 3 {
		t.Fatalf("requests %d, want 3", len(got))
	}
	for _, r := range got {
		if r.id != string(d.ID) || !r.verified[0] {
			t.Fatalf("request id %q (want %s), verified %v", r.id, d.ID, r.verified)
		}
	}
	d, _ = h.Client.WebhookDelivery.Get(h.System(), d.ID)
	if d.Status != webhookdelivery.StatusSUCCEEDED || d.Attempts != 3 || d.LastStatusCode == nil || *d.LastStatusCode != 200 ||
		len(d.ResponseBody) > webhook.MaxStoredBody || d.DeliveredAt == nil {
		t.Fatalf("delivery %+v", d)
	}
	var codes []int
	for _, a := range d.AttemptLog {
		codes = append(codes, a.StatusCode)
		if a.StatusCode != 200 && a.Error == "" {
			t.Errorf("attempt %+v records no error", a)
		}
	}
	if fmt.Sprint(codes) != "[500 503 200]" {
		t.Errorf("attempt log status codes %v, want [500 503 200]", codes)
	}
	// Every payload: no email, no answers, no registration, no check-in code.
	for _, d := range ds {
		if r := h.deliver(d.ID, 1); r.Outcome != "sent" && r.Outcome != "skipped" {
			t.Fatalf("delivering %s: %+v", d.EventType, r)
		}
	}
	email, _ := h.Client.Contact.Query().Where(contact.UserID(applicant.ID)).Only(h.System())
	regRow, _ := h.Client.Registration.Get(h.System(), reg.ID)
	var sawCounts bool
	for _, r := range rc.requests() {
		for _, secret := range []string{email.Email, "SECRET-ANSWER", string(reg.ID), regRow.CheckInCode, string(applicant.ID) + "\"", "answers"} {
			if strings.Contains(r.body, secret) {
				t.Fatalf("payload carries private %q: %s", secret, r.body)
			}
		}
		var m workflow.WebhookMessage
		if err := json.Unmarshal([]byte(r.body), &m); err != nil {
			t.Fatal(err)
		}
		if m.Type == "registration.created" {
			sawCounts = m.Data.Event["goingCount"] != nil && m.Data.NodeID == "" && m.Data.ActorID == ""
		}
		if m.Type == "application.updated" && (m.Data.Node["status"] != "IN_REVIEW" || m.Data.NodeID != string(app.ID)) {
			t.Fatalf("application payload %s", r.body)
		}
	}
	if !sawCounts {
		t.Fatal("no registration delivery with the event's counts")
	}
}

func TestWebhookRotationSignsWithBothSecrets(t *testing.T) {
	t.Parallel()
	h := newHookWorld(t)
	rc := newReceiver(t)
	ep := h.endpoint(rc.srv.URL, nil, "group")
	rotated, err := h.Runner.RotateWebhookSecret(h.As(h.staff.ID), ep.Endpoint.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rotated.Secret == ep.Secret || rotated.Endpoint.PreviousSecretExpiresAt == nil ||
		!rotated.Endpoint.PreviousSecretExpiresAt.Equal(h.Now().Add(24*time.Hour)) {
		t.Fatalf("rotation %+v", rotated.Endpoint)
	}
	rc.trust(ep.Secret, rotated.Secret)
	h.Import(func(ctx context.Context, c *ent.Client) error {
		return c.Group.UpdateOne(h.g).SetDescription("new words").Exec(ctx)
	})
	if n := h.fanOut(); n != 1 {
		t.Fatalf("deliveries %d", n)
	}
	h.deliver(h.deliveries(ep.Endpoint.ID)[0].ID, 1)
	got := rc.requests()
	if len(got) != 1 || len(got[0].signatures) != 2 || !got[0].verified[0] || !got[0].verified[1] {
		t.Fatalf("requests %+v", got)
	}
	// Ending the rotation leaves one signature, by the new secret.
	if _, err := h.Runner.UpdateWebhookEndpoint(h.As(h.staff.ID), ep.Endpoint.ID, workflow.WebhookEndpointChanges{EndRotation: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Runner.RedeliverWebhook(h.As(h.staff.ID), h.deliveries(ep.Endpoint.ID)[0].ID); err != nil {
		t.Fatal(err)
	}
	h.deliver(h.deliveries(ep.Endpoint.ID)[0].ID, 1)
	got = rc.requests()
	if len(got) != 2 || len(got[1].signatures) != 1 || got[1].verified[0] || !got[1].verified[1] {
		t.Fatalf("after ending the rotation: %+v", got[1])
	}
}

func TestWebhookRedirectsAreNotFollowed(t *testing.T) {
	t.Parallel()
	h := newHookWorld(t)
	target := newReceiver(t)
	redirect := httptest.NewServer(http.RedirectHandler(target.srv.URL, http.StatusFound))
	t.Cleanup(redirect.Close)
	ep := h.endpoint(redirect.URL, nil, "event")
	h.Event(h.g)
	h.fanOut()
	d := h.deliveries(ep.Endpoint.ID)[0]
	if r := h.deliver(d.ID, 1); r.Outcome != "failed" || r.Retry {
		t.Fatalf("redirect: %+v", r)
	}
	if n := len(target.requests()); n != 0 {
		t.Fatalf("the redirect was followed (%d requests)", n)
	}
	d, _ = h.Client.WebhookDelivery.Get(h.System(), d.ID)
	if d.Status != webhookdelivery.StatusFAILED || d.LastStatusCode == nil || *d.LastStatusCode != http.StatusFound {
		t.Fatalf("delivery %+v", d)
	}
}

func TestWebhookPrivateAddressesRefusedWithoutTheFlag(t *testing.T) {
	t.Parallel()
	h := newHookWorld(t)
	rc := newReceiver(t)
	ep := h.endpoint(rc.srv.URL, nil, "event") // allowed: the runner has the flag
	h.Runner.SetWebhooksAllowPrivate(false)
	for _, u := range []string{rc.srv.URL, "https://127.0.0.1/hook", "https://10.1.2.3/", "https://[::1]/", "https://localhost/x", "ftp://example.org/"} {
		_, err := h.Runner.CreateWebhookEndpoint(h.As(h.staff.ID), workflow.NewWebhookEndpoint{Community: h.com.ID, URL: u, Topics: []string{"event"}})
		wantCode(t, err, apierror.BadUserInput)
	}
	if _, err := h.Runner.CreateWebhookEndpoint(h.As(h.staff.ID), workflow.NewWebhookEndpoint{
		Community: h.com.ID, URL: "https://hooks.example.org/in", Topics: []string{"event"}}); err != nil {
		t.Fatalf("a public https URL: %v", err)
	}
	// The delivery client without the flag refuses the local receiver at dial.
	h.Event(h.g)
	h.fanOut()
	d := h.deliveries(ep.Endpoint.ID)[0]
	res, err := workflow.DeliverWebhook(h.System(), h.Runner, webhook.NewClient(webhook.ClientOptions{}), d.ID, 1, webhook.MaxAttempts)
	if err != nil || res.Outcome != "failed" || !errors.Is(res.Err, webhook.ErrForbiddenAddress) {
		t.Fatalf("private address: %+v, %v", res, err)
	}
	if n := len(rc.requests()); n != 0 {
		t.Fatalf("the receiver got %d requests", n)
	}
}

func TestWebhookOrganizersManageTheirGroupOnly(t *testing.T) {
	t.Parallel()
	h := newHookWorld(t)
	other := h.Group(h.com, group.StatusACTIVE)
	otherEP := h.endpoint("http://127.0.0.1:1/other", &other.ID, "event")
	communityEP := h.endpoint("http://127.0.0.1:1/all", nil, "event")
	org := h.As(h.organizer.ID)
	mine, err := h.Runner.CreateWebhookEndpoint(org, workflow.NewWebhookEndpoint{Community: h.com.ID, Group: &h.g.ID,
		URL: "http://127.0.0.1:1/mine", Topics: []string{"event", "registration"}})
	if err != nil {
		t.Fatalf("organizer, own group: %v", err)
	}
	_, err = h.Runner.CreateWebhookEndpoint(org, workflow.NewWebhookEndpoint{Community: h.com.ID, Group: &other.ID,
		URL: "http://127.0.0.1:1/x", Topics: []string{"event"}})
	wantCode(t, err, apierror.Forbidden)
	_, err = h.Runner.CreateWebhookEndpoint(org, workflow.NewWebhookEndpoint{Community: h.com.ID, URL: "http://127.0.0.1:1/x", Topics: []string{"event"}})
	wantCode(t, err, apierror.Forbidden)
	for _, id := range []pulid.ID{otherEP.Endpoint.ID, communityEP.Endpoint.ID} {
		_, err = h.Runner.UpdateWebhookEndpoint(org, id, workflow.WebhookEndpointChanges{URL: ptr("http://127.0.0.1:1/stolen")})
		wantCode(t, err, apierror.NotFound)
		_, err = h.Runner.DeleteWebhookEndpoint(org, id)
		wantCode(t, err, apierror.NotFound)
		_, err = h.Runner.RotateWebhookSecret(org, id, nil)
		wantCode(t, err, apierror.NotFound)
	}
	// An API token manages none, whatever its scopes.
	_, err = h.Runner.RotateWebhookSecret(h.AsToken(h.staff.ID, viewer.ScopeRead, viewer.ScopeWrite), mine.Endpoint.ID, nil)
	if err == nil {
		t.Fatal("a token rotated a secret")
	}
	// The organizer sees their group's endpoint only; staff see all three.
	seen, err := workflow.WebhookEndpoints(org, h.Client, h.com.ID, nil)
	if err != nil || len(seen) != 1 || seen[0].ID != mine.Endpoint.ID {
		t.Fatalf("organizer sees %v, %v", seen, err)
	}
	if seen, _ := workflow.WebhookEndpoints(h.As(h.staff.ID), h.Client, h.com.ID, nil); len(seen) != 3 {
		t.Fatalf("staff see %d endpoints", len(seen))
	}
	if seen, _ := workflow.WebhookEndpoints(h.AsToken(h.staff.ID, viewer.ScopeRead), h.Client, h.com.ID, nil); len(seen) != 0 {
		t.Fatalf("a token sees %d endpoints", len(seen))
	}
	// A group's endpoint receives its group's changes only.
	h.Event(h.g)
	h.Event(other)
	h.fanOut()
	if n := len(h.deliveries(mine.Endpoint.ID)); n != 1 {
		t.Fatalf("the group's endpoint got %d deliveries, want 1", n)
	}
	if n := len(h.deliveries(communityEP.Endpoint.ID)); n != 2 {
		t.Fatalf("the community's endpoint got %d deliveries, want 2", n)
	}
	if _, err := h.Runner.DeleteWebhookEndpoint(org, mine.Endpoint.ID); err != nil {
		t.Fatalf("deleting own endpoint: %v", err)
	}
}

func TestWebhookEndpointDisabledAfterRepeatedFailures(t *testing.T) {
	t.Parallel()
	h := newHookWorld(t)
	rc := newReceiver(t, 400, 400, 400, 400)
	ep := h.endpoint(rc.srv.URL, nil, "event")
	for range 3 {
		h.Event(h.g)
	}
	h.fanOut()
	ds := h.deliveries(ep.Endpoint.ID)
	for i, d := range ds {
		if r := h.deliver(d.ID, 1); r.Outcome != "failed" || r.Retry {
			t.Fatalf("delivery %d: %+v", i, r)
		}
	}
	got, _ := h.Client.WebhookEndpoint.Get(h.System(), ep.Endpoint.ID)
	if got.Status != webhookendpoint.StatusDISABLED || got.DisabledReason == "" {
		t.Fatalf("endpoint %+v", got)
	}
	msgs, _ := h.Client.Message.Query().Where(message.Template("webhook_disabled")).All(h.System())
	if len(msgs) != 1 || msgs[0].RecipientID != h.staff.ID || !strings.Contains(msgs[0].Body, string(ep.Endpoint.ID)) {
		t.Fatalf("messages %+v", msgs)
	}
	// A disabled endpoint gets no new deliveries and cannot be redelivered to.
	h.Event(h.g)
	if n := h.fanOut(); n != 0 {
		t.Fatalf("a disabled endpoint got %d deliveries", n)
	}
	_, err := h.Runner.RedeliverWebhook(h.As(h.staff.ID), ds[0].ID)
	wantCode(t, err, apierror.Conflict)
	// Re-enabled, redelivery sends the same webhook-id again.
	if _, err := h.Runner.UpdateWebhookEndpoint(h.As(h.staff.ID), ep.Endpoint.ID, workflow.WebhookEndpointChanges{Enabled: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	h.jobArgs(workflow.JobWebhookDeliver)
	if _, err := h.Runner.RedeliverWebhook(h.As(h.staff.ID), ds[0].ID); err != nil {
		t.Fatal(err)
	}
	jobs := h.jobArgs(workflow.JobWebhookDeliver)
	if len(jobs) != 1 || !strings.Contains(string(jobs[0]), string(ds[0].ID)) {
		t.Fatalf("redelivery jobs %s", jobs)
	}
	_, err = h.Runner.RedeliverWebhook(h.As(h.staff.ID), ds[0].ID)
	wantCode(t, err, apierror.Conflict) // still pending
	if r := h.deliver(ds[0].ID, 1); r.Outcome != "failed" {
		t.Fatalf("redelivery: %+v", r) // the fourth 400
	}
	reqs := rc.requests()
	if len(reqs) != 4 || reqs[3].id != reqs[0].id {
		t.Fatalf("redelivery id %q, first %q", reqs[len(reqs)-1].id, reqs[0].id)
	}
	// webhookDeliveries lists them with their status codes, newest first.
	conn, err := workflow.WebhookDeliveries(h.As(h.staff.ID), h.Client, ep.Endpoint.ID, nil, nil, nil, nil)
	if err != nil || conn.TotalCount != 3 {
		t.Fatalf("deliveries %+v, %v", conn, err)
	}
	for _, e := range conn.Edges {
		if e.Node.LastStatusCode == nil || *e.Node.LastStatusCode != 400 || e.Node.Status != webhookdelivery.StatusFAILED {
			t.Fatalf("listed %+v", e.Node)
		}
	}
	failed := webhookdelivery.StatusSUCCEEDED
	if conn, _ := workflow.WebhookDeliveries(h.As(h.staff.ID), h.Client, ep.Endpoint.ID, &failed, nil, nil, nil); conn.TotalCount != 0 {
		t.Fatalf("succeeded: %d", conn.TotalCount)
	}
	outsider := h.User()
	_, err = workflow.WebhookDeliveries(h.As(outsider.ID), h.Client, ep.Endpoint.ID, nil, nil, nil, nil)
	wantCode(t, err, apierror.NotFound)
}

func TestWebhookRetriesExhaustedDisableTheEndpoint(t *testing.T) {
	t.Parallel()
	h := newHookWorld(t)
	rc := newReceiver(t, 500)
	ep := h.endpoint(rc.srv.URL, nil, "event")
	h.Event(h.g)
	h.fanOut()
	d := h.deliveries(ep.Endpoint.ID)[0]
	res, err := workflow.DeliverWebhook(h.System(), h.Runner, h.client, d.ID, webhook.MaxAttempts, webhook.MaxAttempts)
	if err != nil || res.Outcome != "failed" || res.Retry {
		t.Fatalf("last attempt: %+v, %v", res, err)
	}
	got, _ := h.Client.WebhookEndpoint.Get(h.System(), ep.Endpoint.ID)
	if got.Status != webhookendpoint.StatusDISABLED || !strings.Contains(got.DisabledReason, "every attempt") {
		t.Fatalf("endpoint %s: %s", got.Status, got.DisabledReason)
	}
	// 410 Gone disables at once.
	gone := newReceiver(t, http.StatusGone)
	ep = h.endpoint(gone.srv.URL, nil, "event")
	h.Event(h.g)
	h.fanOut()
	if r := h.deliver(h.deliveries(ep.Endpoint.ID)[0].ID, 1); r.Outcome != "failed" {
		t.Fatalf("410: %+v", r)
	}
	got, _ = h.Client.WebhookEndpoint.Get(h.System(), ep.Endpoint.ID)
	if got.Status != webhookendpoint.StatusDISABLED || !strings.Contains(got.DisabledReason, "410") {
		t.Fatalf("after 410: %s: %s", got.Status, got.DisabledReason)
	}
}

func TestWebhookNothingQueuedOnRollbackOrWithoutEndpoints(t *testing.T) {
	t.Parallel()
	h := newHookWorld(t)
	h.Event(h.g) // no endpoint yet: no job
	if jobs := h.fanOutJobs(); len(jobs) != 0 {
		t.Fatalf("jobs without an endpoint: %v", jobs)
	}
	h.endpoint("http://127.0.0.1:1/", nil, "event")
	err := h.Runner.Import(h.System(), "failing", func(ctx context.Context, c *ent.Client) error {
		if err := c.Event.Create().SetGroupID(h.g.ID).SetTitle("Rolled back").SetStartsAt(h.Now()).
			SetEndsAt(h.Now().Add(time.Hour)).SetTimeZone("UTC").Exec(ctx); err != nil {
			return err
		}
		return errors.New("fail after the write")
	})
	if err == nil {
		t.Fatal("the import did not fail")
	}
	if jobs := h.fanOutJobs(); len(jobs) != 0 {
		t.Fatalf("a rolled-back unit queued %v", jobs)
	}
	// A unit with many changes queues one job carrying all of them.
	h.Import(func(ctx context.Context, c *ent.Client) error {
		for i := range 5 {
			if err := c.Event.Create().SetGroupID(h.g.ID).SetTitle(fmt.Sprintf("Event %d", i)).SetStartsAt(h.Now()).
				SetEndsAt(h.Now().Add(time.Hour)).SetTimeZone("UTC").Exec(ctx); err != nil {
				return err
			}
		}
		return nil
	})
	if jobs := h.fanOutJobs(); len(jobs) != 1 || len(jobs[0]) != 5 {
		t.Fatalf("jobs %v, want one with 5 changes", jobs)
	}
}

func ptr[T any](v T) *T { return &v }
