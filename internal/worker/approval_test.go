package worker_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/application"
	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/jobs"
	"github.com/usergroups/usergroups/internal/mail"
	"github.com/usergroups/usergroups/internal/mail/mailtest"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/viewer"
	"github.com/usergroups/usergroups/internal/webhook"
	"github.com/usergroups/usergroups/internal/worker"
	"github.com/usergroups/usergroups/internal/workflow"
)

// receiver is a webhook endpoint that counts what it receives, by webhook-id.
type receiver struct {
	mu    sync.Mutex
	byID  map[string]int
	types []string
}

func (rc *receiver) serve(t *testing.T) string {
	rc.byID = map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		rc.mu.Lock()
		rc.byID[req.Header.Get("webhook-id")]++
		rc.types = append(rc.types, string(body))
		rc.mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func (rc *receiver) counts() (map[string]int, []string) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	out := map[string]int{}
	for k, v := range rc.byID {
		out[k] = v
	}
	return out, append([]string(nil), rc.types...)
}

// TestApprovalDeliveredOnceAfterTheCommitterDies is the end-to-end
// promise: replica 0 approves a new group and dies right after its commit,
// before it could send anything; replica 1's queue delivers exactly one
// approval email and, to each of two endpoints, each change once.
func TestApprovalDeliveredOnceAfterTheCommitterDies(t *testing.T) {
	t.Parallel()
	dbs := dbtest.OpenReplicas(t, 2)
	now := time.Now().UTC().Truncate(time.Second)
	clock := func() time.Time { return now }
	box := &mailtest.Server{}
	cfg, err := mail.ParseSMTPURL(mailtest.Start(t, box))
	if err != nil {
		t.Fatal(err)
	}
	sender := mail.NewSender(cfg)
	var hooks [2]receiver
	urls := []string{hooks[0].serve(t), hooks[1].serve(t)}

	committer := workflow.NewRunner(dbs[0].Client, clock)
	committer.SetWebhooksAllowPrivate(true)
	sys := viewer.SystemContext(context.Background())
	var (
		app   *ent.Application
		staff *ent.User
		com   *ent.Community
	)
	err = committer.Import(sys, "fixture", func(ctx context.Context, c *ent.Client) (err error) {
		if com, err = c.Community.Create().SetName("Delivery").SetSlug("delivery").SetPolicy(policy.OpenStack()).Save(ctx); err != nil {
			return err
		}
		if staff, err = c.User.Create().SetHandle("staff").SetName("Staff").Save(ctx); err != nil {
			return err
		}
		if err = c.Role.Create().SetUserID(staff.ID).SetKind(role.KindCOMMUNITY_MANAGER).SetCommunityID(com.ID).Exec(ctx); err != nil {
			return err
		}
		u, err := c.User.Create().SetHandle("ada").SetName("Ada").Save(ctx)
		if err != nil {
			return err
		}
		if err = c.Contact.Create().SetUserID(u.ID).SetEmail("ada@example.org").Exec(ctx); err != nil {
			return err
		}
		g, err := c.Group.Create().SetCommunityID(com.ID).SetName("Lyon").SetSlug("lyon").SetCity("Lyon").
			SetCountry("FR").SetStatus(group.StatusPROPOSED).Save(ctx)
		if err != nil {
			return err
		}
		app, err = c.Application.Create().SetCommunityID(com.ID).SetApplicantID(u.ID).SetKind(application.KindNEW_GROUP).
			SetGroupID(g.ID).SetStatus(application.StatusOBJECTION_WINDOW).SetObjectionDeadline(now.Add(-time.Minute)).Save(ctx)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	v, err := authz.ViewerFor(sys, dbs[0].Client, staff.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range urls {
		if _, err := committer.CreateWebhookEndpoint(viewer.NewContext(context.Background(), v), workflow.NewWebhookEndpoint{
			Community: com.ID, URL: u, Topics: []string{"application", "group", "role"}}); err != nil {
			t.Fatal(err)
		}
	}

	// Replica 0 approves, commits, and dies: it never works a job.
	if n, err := workflow.FinishObjectionWindows(sys, committer); err != nil || n != 1 {
		t.Fatalf("approving: %d, %v", n, err)
	}
	_ = dbs[0].Close()

	r1 := workflow.NewRunner(dbs[1].Client, clock)
	r1.SetWebhooksAllowPrivate(true)
	q := startQueue(t, dbs[1], worker.Workers(worker.Deps{Runner: r1, Log: quiet, Mail: sender, MailFrom: "Usergroups <noreply@example.org>",
		HTTP: webhook.NewClient(webhook.ClientOptions{AllowPrivate: true})}), nil, 0)

	waitFor(t, "the approval email and a webhook at each endpoint", func() bool {
		a, _ := hooks[0].counts()
		b, _ := hooks[1].counts()
		return len(box.To("ada@example.org")) > 0 && len(a) > 0 && len(b) > 0
	})
	// Time for any duplicate to arrive: several poll intervals.
	time.Sleep(time.Second)
	if got := box.To("ada@example.org"); len(got) != 1 || !strings.Contains(string(got[0].Data), "Lyon") {
		t.Errorf("ada received %d emails, want exactly one approval: %q", len(got), got)
	}
	for i := range hooks {
		byID, bodies := hooks[i].counts()
		approved := false
		for id, n := range byID {
			if n != 1 {
				t.Errorf("endpoint %d received webhook %s %d times", i, id, n)
			}
		}
		for _, b := range bodies {
			approved = approved || strings.Contains(b, string(app.ID)) && strings.Contains(b, `"APPROVED"`)
		}
		if !approved {
			t.Errorf("endpoint %d never heard the request was approved: %q", i, bodies)
		}
	}
	// Staff of the community see the deliveries' jobs: they carry its tag.
	res, err := q.Client().JobList(context.Background(), river.NewJobListParams().Kinds(jobs.KindDeliverMessage, workflow.JobWebhookDeliver))
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range res.Jobs {
		if jobs.Community(j) != string(com.ID) {
			t.Errorf("job %d (%s) is tagged %v, want the community %s", j.ID, j.Kind, j.Tags, com.ID)
		}
	}
	if len(res.Jobs) < 3 {
		t.Errorf("%d delivery jobs, want the email's and at least one per endpoint", len(res.Jobs))
	}
	// The deliveries the queue recorded agree with what arrived.
	ds := dbs[1].Client.WebhookDelivery.Query().AllX(sys)
	a, _ := hooks[0].counts()
	b, _ := hooks[1].counts()
	if len(ds) != len(a)+len(b) {
		t.Errorf("%d deliveries recorded, %d received", len(ds), len(a)+len(b))
	}
}
