package seed_test

import (
	"context"
	"github.com/usergroups/usergroups/ent"
	"testing"

	"github.com/usergroups/usergroups/ent/contactthread"
	"github.com/usergroups/usergroups/internal/seed"
	"github.com/usergroups/usergroups/internal/workflow"
)

// checkDemoReportsAndContact: the demo's staff board has an overdue report,
// its documented follow-up code reads the anonymous report with a staff
// reply, and one of its contact threads is answered (revealed).
func checkDemoReportsAndContact(t *testing.T, ctx context.Context, c *ent.Client) {
	os, err := c.Community.Query().All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	overdue := 0
	for _, com := range os {
		n, err := workflow.OverdueReportCount(ctx, c, com.ID, now)
		if err != nil {
			t.Fatal(err)
		}
		if n != nil {
			overdue += *n
		}
	}
	if overdue == 0 {
		t.Error("no overdue report on the demo's staff board")
	}
	fu, err := workflow.FollowUp(ctx, c, seed.DemoFollowUpCode)
	if err != nil || fu == nil || len(fu.Replies) == 0 || !fu.Replies[0].FromStaff {
		t.Errorf("demo follow-up = %+v, %v", fu, err)
	}
	if n := c.ContactThread.Query().Where(contactthread.RevealedAtNotNil()).CountX(ctx); n != 1 {
		t.Errorf("%d revealed contact threads", n)
	}
	if n := c.ContactThread.Query().CountX(ctx); n != 2 {
		t.Errorf("%d contact threads", n)
	}
}
