package worker_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/webhookdelivery"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/jobs"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/viewer"
	"github.com/usergroups/usergroups/internal/webhook"
	"github.com/usergroups/usergroups/internal/worker"
	"github.com/usergroups/usergroups/internal/workflow"
)

// TestWebhookThroughTheQueue follows one change from its commit to the
// receiver through River: the unit's fan-out job, the delivery it writes
// and the delivery job, signed as the specification says (checked here
// with its own HMAC, not internal/webhook's).
func TestWebhookThroughTheQueue(t *testing.T) {
	t.Parallel()
	db := dbtest.OpenConcurrent(t)
	r := workflow.NewRunner(db.Client, nil)
	r.SetWebhooksAllowPrivate(true)
	sys := viewer.SystemContext(context.Background())

	var (
		mu     sync.Mutex
		bodies []string
		secret string
		valid  []bool
	)
	got := make(chan struct{}, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		mu.Lock()
		key, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
		mac := hmac.New(sha256.New, key)
		mac.Write([]byte(req.Header.Get("webhook-id") + "." + req.Header.Get("webhook-timestamp") + "." + string(body)))
		want := "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
		bodies = append(bodies, string(body))
		valid = append(valid, req.Header.Get("webhook-signature") == want)
		mu.Unlock()
		got <- struct{}{}
	}))
	t.Cleanup(srv.Close)

	var com *ent.Community
	var g *ent.Group
	var staff *ent.User
	if err := r.Import(sys, "fixture", func(ctx context.Context, c *ent.Client) (err error) {
		if com, err = c.Community.Create().SetName("Hooks").SetSlug("hooks").SetPolicy(policy.OpenStack()).Save(ctx); err != nil {
			return err
		}
		if g, err = c.Group.Create().SetCommunityID(com.ID).SetName("Paris").SetSlug("paris").SetCity("Paris").
			SetCountry("FR").SetStatus(group.StatusACTIVE).Save(ctx); err != nil {
			return err
		}
		if staff, err = c.User.Create().SetHandle("staff").SetName("Staff").Save(ctx); err != nil {
			return err
		}
		return c.Role.Create().SetUserID(staff.ID).SetKind(role.KindCOMMUNITY_MANAGER).SetCommunityID(com.ID).Exec(ctx)
	}); err != nil {
		t.Fatal(err)
	}
	v, err := authz.ViewerFor(sys, db.Client, staff.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	ep, err := r.CreateWebhookEndpoint(viewer.NewContext(context.Background(), v), workflow.NewWebhookEndpoint{
		Community: com.ID, URL: srv.URL, Topics: []string{"event"}})
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	secret = ep.Secret
	mu.Unlock()

	var outcomes sync.Map
	q, err := jobs.Open(jobs.Config{DB: db.SQL, Dialect: db.Dialect, PollInterval: 20 * time.Millisecond,
		Workers: worker.Workers(worker.Deps{Runner: r, HTTP: webhook.NewClient(webhook.ClientOptions{AllowPrivate: true}),
			Delivered: func(kind, outcome string) { outcomes.Store(kind+"/"+outcome, true) }})})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stop, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = q.Stop(stop)
	})

	if err := r.Import(sys, "event", func(ctx context.Context, c *ent.Client) error {
		return c.Event.Create().SetGroupID(g.ID).SetTitle("Queue meetup").SetStartsAt(time.Now().Add(time.Hour)).
			SetEndsAt(time.Now().Add(2 * time.Hour)).SetTimeZone("UTC").Exec(ctx)
	}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-got:
	case <-time.After(20 * time.Second):
		t.Fatal("no delivery reached the receiver")
	}
	mu.Lock()
	if len(bodies) != 1 || !valid[0] || !strings.Contains(bodies[0], `"type":"event.created"`) {
		t.Fatalf("received %v (signature valid %v)", bodies, valid)
	}
	mu.Unlock()
	deadline := time.Now().Add(10 * time.Second)
	for {
		d, err := db.Client.WebhookDelivery.Query().Only(sys)
		if err == nil && d.Status == webhookdelivery.StatusSUCCEEDED {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("delivery %+v, %v", d, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, ok := outcomes.Load("webhook/sent"); !ok {
		t.Fatal("the metrics hook was not told")
	}
}
