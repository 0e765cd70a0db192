package workflow_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/application"
	"github.com/usergroups/usergroups/ent/change"
	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/ent/message"
	"github.com/usergroups/usergroups/ent/review"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/workflow"
)

// TestReviewStepsRefuse checks each review step against someone who cannot
// see the application, someone who sees it but may not take the step, a
// decided application and bad input.
func TestReviewStepsRefuse(t *testing.T) {
	b := newBay(t, policy.OpenStack())
	open := b.apply("Fresno", "Fresno").Application.ID
	decided := b.apply("Reno", "Reno").Application.ID
	if _, err := b.Runner.Reject(b.As(b.manager.ID), decided, "OTHER", "No."); err != nil {
		t.Fatal(err)
	}
	r := b.Runner
	name := func(s string) *string { return &s }
	type step struct {
		name string
		// do takes the step on id, with bad input when bad.
		do                          func(ctx context.Context, id pulid.ID, bad bool) error
		badField                    string
		wrongActor, decider, inputs *ent.User
	}
	// ambassadorOr names the region's ambassador, or (bad) someone who is
	// no person at all.
	ambassadorOr := func(bad bool, id pulid.ID) pulid.ID {
		if bad {
			return id
		}
		return b.amb.ID
	}
	pick := func(bad bool, good, wrong string) string {
		if bad {
			return wrong
		}
		return good
	}
	steps := []step{
		{name: "comment", badField: "body", decider: b.applicant, do: func(ctx context.Context, id pulid.ID, bad bool) error {
			_, err := r.Comment(ctx, id, pick(bad, "Looks good.", "   "))
			return err
		}},
		{name: "request info", badField: "message", wrongActor: b.applicant, do: func(ctx context.Context, id pulid.ID, bad bool) error {
			_, err := r.RequestInfo(ctx, id, pick(bad, "Venue?", ""))
			return err
		}},
		{name: "update proposal", badField: "name", do: func(ctx context.Context, id pulid.ID, bad bool) error {
			_, err := r.UpdateProposal(ctx, id, workflow.ProposalUpdate{Name: name(pick(bad, "Fresno {Valley}", "{Valley} Fresno"))})
			return err
		}},
		{name: "assign reviewer", badField: "reviewer", wrongActor: b.applicant, do: func(ctx context.Context, id pulid.ID, bad bool) error {
			_, err := r.AssignReviewer(ctx, id, ambassadorOr(bad, id))
			return err
		}},
		{name: "assign mentor", badField: "mentor", wrongActor: b.applicant, do: func(ctx context.Context, id pulid.ID, bad bool) error {
			_, err := r.AssignMentor(ctx, id, ambassadorOr(bad, id))
			return err
		}},
		{name: "resolve conflict", badField: "group", wrongActor: b.applicant, do: func(ctx context.Context, id pulid.ID, _ bool) error {
			_, err := r.ResolveConflict(ctx, id, b.sf.ID, "ok") // Fresno is far from San Francisco
			return err
		}},
		{name: "reject", badField: "message", wrongActor: b.applicant, do: func(ctx context.Context, id pulid.ID, bad bool) error {
			_, err := r.Reject(ctx, id, "SPAM", pick(bad, "Spam.", ""))
			return err
		}},
		{name: "reject for no reason", badField: "reason", wrongActor: b.applicant, do: func(ctx context.Context, id pulid.ID, bad bool) error {
			_, err := r.Reject(ctx, id, pick(bad, "SPAM", "BORING"), "Spam.")
			return err
		}},
		{name: "object", badField: "reason", wrongActor: b.applicant, decider: b.amb, inputs: b.amb, do: func(ctx context.Context, id pulid.ID, bad bool) error {
			_, err := r.Object(ctx, id, pick(bad, "No.", ""), false)
			return err
		}},
		{name: "approve", wrongActor: b.applicant, do: func(ctx context.Context, id pulid.ID, _ bool) error {
			_, err := r.Approve(ctx, id)
			return err
		}},
		{name: "withdraw", wrongActor: b.manager, decider: b.applicant, do: func(ctx context.Context, id pulid.ID, _ bool) error {
			_, err := r.Withdraw(ctx, id)
			return err
		}},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			before := b.app(open)
			// A person who cannot see the application: not found.
			wantCode(t, s.do(b.As(b.other.ID), open, false), apierror.NotFound)
			// Someone who sees it but may not do this: forbidden.
			if s.wrongActor != nil {
				wantCode(t, s.do(b.As(s.wrongActor.ID), open, false), apierror.Forbidden)
			}
			// A decided application: conflict naming the status.
			decider := b.manager
			if s.decider != nil {
				decider = s.decider
			}
			conflictOn(t, s.do(b.As(decider.ID), decided, false), application.StatusREJECTED)
			// Bad input: the field is named.
			if s.badField != "" {
				who := b.manager
				if s.inputs != nil {
					who = s.inputs
				}
				refusal(t, s.do(b.As(who.ID), open, true), apierror.BadUserInput, s.badField)
			}
			if after := b.app(open); after.Status != before.Status || !after.UpdatedAt.Equal(before.UpdatedAt) {
				t.Errorf("refusals changed the request: %s at %v, was %s at %v", after.Status, after.UpdatedAt, before.Status, before.UpdatedAt)
			}
		})
	}
}

// TestRejectClosesTheProposalAndExplains: a rejection needs a message, makes
// the proposed group REJECTED, and tells the applicant why, linking the
// community's "what is a user group" page (else its website) with the
// right article.
func TestRejectClosesTheProposalAndExplains(t *testing.T) {
	b := newBay(t, policy.OpenStack())
	sys := b.System()
	res := b.apply("Oakland {Cheap Cloud Servers}", "Oakland")
	app, err := b.Runner.Reject(b.As(b.manager.ID), res.Application.ID, "COMMERCIAL", "Please do not advertise hosting.")
	if err != nil || app.Status != application.StatusREJECTED || app.DecisionReason != "COMMERCIAL: Please do not advertise hosting." ||
		app.DecidedAt == nil || !app.DecidedAt.Equal(b.Now()) || app.DecidedByID != b.manager.ID {
		t.Fatalf("reject = %+v, %v", app, err)
	}
	if g := b.Client.Group.GetX(sys, res.Group.ID); g.Status != group.StatusREJECTED {
		t.Errorf("rejected request's group is %s", g.Status)
	}
	if m := b.Client.Message.Query().Where(message.Template("application_rejected")).OnlyX(sys); !strings.Contains(m.Body, "https://groups.example.org/about") {
		t.Errorf("rejection message lacks the explanation link: %q", m.Body)
	}

	const page = "https://groups.example.org/what-is-a-user-group"
	b.Import(func(ctx context.Context, c *ent.Client) error {
		return c.Community.UpdateOne(b.com).SetUserGroupPageURL(page).Exec(ctx)
	})
	res = b.apply("Oakland", "Oakland")
	if _, err := b.Runner.Reject(b.As(b.manager.ID), res.Application.ID, "NOT_A_USER_GROUP", "This is a general IT meetup."); err != nil {
		t.Fatal(err)
	}
	m := b.Client.Message.Query().Where(message.Template("application_rejected"), message.RecipientID(b.applicant.ID)).
		Order(ent.Desc(message.FieldID)).FirstX(sys)
	if !strings.Contains(m.Body, page) || !strings.Contains(m.Body, "an OpenStack user group") || strings.Contains(m.Body, "a OpenStack") ||
		strings.Contains(m.Body, "https://groups.example.org/about") || !strings.Contains(m.Body, "This is a general IT meetup.") {
		t.Errorf("rejection message: %q", m.Body)
	}
}

// TestWithdrawClosesTheProposal: the applicant takes their request back and
// its group is WITHDRAWN, not REJECTED; nobody else may.
func TestWithdrawClosesTheProposal(t *testing.T) {
	b := newBay(t, policy.OpenStack())
	res := b.apply("Berkeley", "Berkeley")
	id := res.Application.ID
	_, err := b.Runner.Withdraw(b.As(b.other.ID), id)
	wantCode(t, err, apierror.NotFound)
	app, err := b.Runner.Withdraw(b.As(b.applicant.ID), id)
	if err != nil || app.Status != application.StatusWITHDRAWN {
		t.Fatalf("withdraw = %+v, %v", app, err)
	}
	if g := b.Client.Group.GetX(b.System(), res.Group.ID); g.Status != group.StatusWITHDRAWN {
		t.Errorf("withdrawn request's group: %s", g.Status)
	}
}

// TestRequestInfoWaitsForTheApplicant: a reviewer's question puts the
// request in NEEDS_INFO; the applicant's answer (a proposal update) puts
// it back in review, rescreened with the answer.
func TestRequestInfoWaitsForTheApplicant(t *testing.T) {
	b := newBay(t, policy.OpenStack())
	id := b.apply("Berkeley", "Berkeley").Application.ID
	app, err := b.Runner.RequestInfo(b.As(b.amb.ID), id, "Where will you meet?")
	if err != nil || app.Status != application.StatusNEEDS_INFO {
		t.Fatalf("after the info request: %+v, %v", app, err)
	}
	_, err = b.Runner.RequestInfo(b.As(b.amb.ID), id, "And when?")
	conflictOn(t, err, application.StatusNEEDS_INFO)
	desc := "We meet at the public library."
	b.Clock.Advance(time.Hour)
	app, err = b.Runner.UpdateProposal(b.As(b.applicant.ID), id, workflow.ProposalUpdate{Description: &desc, Note: "Venue added."})
	if err != nil || app.Status != application.StatusIN_REVIEW || app.Answers.Description != desc || !app.Screening.ScreenedAt.Equal(b.Now()) {
		t.Fatalf("after the applicant's answer: %+v, %v", app, err)
	}
}

// TestTimelineStepsAnnounceTheApplication: a step that only adds to an
// application's timeline (a comment, an objection, an endorsement, an
// objection resolved) logs one change of the application itself, which the
// approval-queue subscription follows; a step that already changes the
// application (a first comment moving it to IN_REVIEW) logs no second one.
func TestTimelineStepsAnnounceTheApplication(t *testing.T) {
	b := newBay(t, policy.OpenStack())
	id := b.apply("Fremont", "Fremont").Application.ID
	sys := b.System()
	announced := func() int {
		return b.Client.Change.Query().Where(change.Topic("application"), change.NodeID(string(id)), change.OpEQ(change.OpUPDATED)).CountX(sys)
	}
	count := func(name string, step func() error, want int) {
		t.Helper()
		before := announced()
		if err := step(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := announced() - before; got != want {
			t.Errorf("%s: %d application changes logged, want %d", name, got, want)
		}
	}
	count("a first comment (SUBMITTED → IN_REVIEW)", func() error { _, err := b.Runner.Comment(b.As(b.manager.ID), id, "Hello."); return err }, 1)
	count("a comment", func() error { _, err := b.Runner.Comment(b.As(b.manager.ID), id, "Who organizes?"); return err }, 1)
	count("the applicant's comment", func() error { _, err := b.Runner.Comment(b.As(b.applicant.ID), id, "I do."); return err }, 1)
	count("an objection", func() error {
		_, err := b.Runner.Object(b.As(b.amb2.ID), id, "Too close to the Bay Area.", false)
		return err
	}, 1)
	count("an endorsement", func() error { _, err := b.Runner.Object(b.As(b.amb.ID), id, "I know them.", true); return err }, 1)
	objection := b.Client.Review.Query().Where(review.ApplicationID(id), review.KindEQ(review.KindOBJECTION)).OnlyX(sys)
	count("an objection resolved", func() error {
		_, err := b.Runner.ResolveObjection(b.As(b.manager.ID), objection.ID, "They agreed.")
		return err
	}, 1)
}
