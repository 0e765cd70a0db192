package seed_test

import (
	"context"
	"github.com/usergroups/usergroups/ent"
	"slices"
	"testing"

	"github.com/usergroups/usergroups/ent/application"
	"github.com/usergroups/usergroups/ent/globaleffortparticipation"
	"github.com/usergroups/usergroups/ent/review"
	"github.com/usergroups/usergroups/ent/translationrequest"
	"github.com/usergroups/usergroups/internal/policy"
)

// checkDemoFunding holds the demo's funding requests to the workflow's
// rules — approved ones carry as many different staff approvals as their
// amount needs, never the requester's — and checks issue 19's "done when":
// a request awaiting its second approval, reports and a closed one,
// translation requests open, taken and done, and a global effort joined.
func checkDemoFunding(t *testing.T, ctx context.Context, c *ent.Client) {
	apps := c.Application.Query().Where(application.KindEQ(application.KindFUNDING)).WithCommunity().WithReviews().AllX(ctx)
	awaiting, reported, closed := 0, 0, 0
	for _, a := range apps {
		m := policy.Money{Currency: a.Answers.Currency, Minor: a.Answers.AmountCents}
		if _, err := policy.ParseAmount("amount", m.Currency, m.Amount()); err != nil || m.Minor <= 0 {
			t.Errorf("%s: inexact amount %d %s: %v", a.ID, m.Minor, m.Currency, err)
		}
		var approvers []string
		for _, r := range a.Edges.Reviews {
			if r.Kind == review.KindAPPROVAL {
				if r.AuthorID == a.ApplicantID || slices.Contains(approvers, string(r.AuthorID)) {
					t.Errorf("%s: approval by the requester or twice by one person", a.ID)
				}
				approvers = append(approvers, string(r.AuthorID))
			}
		}
		need := policy.FundingApprovalsRequired(a.Edges.Community.Policy, m)
		switch {
		case a.Status == application.StatusAPPROVED && len(approvers) != need:
			t.Errorf("%s: approved with %d approvals, needs %d", a.ID, len(approvers), need)
		case a.Status == application.StatusIN_REVIEW && need == 2 && len(approvers) == 1:
			awaiting++
		}
		if a.FundingReport.FiledByID != "" {
			reported++
		}
		if a.ClosedAt != nil {
			closed++
		}
	}
	if awaiting == 0 || reported < 2 || closed < 1 {
		t.Errorf("funding: %d awaiting a second approval, %d reported, %d closed", awaiting, reported, closed)
	}
	for _, s := range []translationrequest.Status{translationrequest.StatusOPEN, translationrequest.StatusTAKEN, translationrequest.StatusDONE} {
		if n := c.TranslationRequest.Query().Where(translationrequest.StatusEQ(s)).CountX(ctx); n == 0 {
			t.Errorf("no %s translation request", s)
		}
	}
	if n := c.GlobalEffortParticipation.Query().Where(globaleffortparticipation.HasEffort()).CountX(ctx); n < 3 {
		t.Errorf("%d groups in global efforts", n)
	}
}
