package seed_test

import (
	"context"
	"github.com/usergroups/usergroups/ent"
	"testing"

	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/ent/submission"
	"github.com/usergroups/usergroups/internal/workflow"
)

// checkDemoSubmissions: the demo holds feedback in every status, a
// newsletter issue with dense positions, and an overdue activity report
// request some groups answered.
func checkDemoSubmissions(t *testing.T, ctx context.Context, c *ent.Client) {
	for _, st := range []submission.Status{submission.StatusSUBMITTED, submission.StatusACKNOWLEDGED, submission.StatusFORWARDED,
		submission.StatusDELIVERED, submission.StatusDECLINED} {
		if n := c.Submission.Query().Where(submission.KindEQ(submission.KindATTENDEE_FEEDBACK), submission.StatusEQ(st)).CountX(ctx); n == 0 {
			t.Errorf("no %s feedback", st)
		}
	}
	com := c.Community.Query().AllX(ctx)
	issue := now.AddDate(0, -1, 0).Format("2006-01")
	found, sawOverdue := false, false
	for _, cm := range com {
		items, err := workflow.Newsletter(ctx, c, cm.ID, issue)
		if err != nil {
			t.Fatal(err)
		}
		for i, it := range items {
			found = true
			if *it.NewsletterPosition != i+1 {
				t.Errorf("item %q at %d, want %d", it.Title, *it.NewsletterPosition, i+1)
			}
		}
		overdue, err := workflow.OverdueActivityRequests(ctx, c, cm.ID, now)
		if err != nil {
			t.Fatal(err)
		}
		if len(overdue) == 0 {
			continue
		}
		states, err := workflow.ActivityRequestStates(ctx, c, []pulid.ID{overdue[0].ID}, now)
		if err != nil {
			t.Fatal(err)
		}
		answered := 0
		for _, r := range states[overdue[0].ID].Rows {
			if r.Answered {
				answered++
			}
		}
		if !states[overdue[0].ID].Overdue || answered == 0 || answered == len(states[overdue[0].ID].Rows) {
			t.Errorf("the overdue request: %d of %d groups answered", answered, len(states[overdue[0].ID].Rows))
		}
		sawOverdue = true
	}
	if !found || !sawOverdue {
		t.Errorf("newsletter issue: %v, overdue request: %v", found, sawOverdue)
	}
	if n := c.ActivityRequest.Query().CountX(ctx); n == 0 {
		t.Error("no activity report request")
	}
}
