package workflow_test

import (
	"testing"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/application"
	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/ent/message"
	"github.com/usergroups/usergroups/ent/review"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/workflow"
)

// fundingWorld is an OpenStack-style community (USD 500 threshold) with a
// region, a group in it with an organizer, the region's ambassador, two
// staff members and a stranger.
type fundingWorld struct {
	w                                  *world
	com                                *ent.Community
	region                             *ent.Region
	g                                  *ent.Group
	org, amb, staff1, staff2, stranger *ent.User
}

func newFundingWorld(t *testing.T) *fundingWorld {
	w := newWorld(t)
	f := &fundingWorld{w: w, com: w.Community(policy.OpenStack())}
	f.region = w.Region(f.com)
	f.g = w.Group(f.com, group.StatusACTIVE, func(b *ent.GroupCreate) { b.SetRegionID(f.region.ID) })
	f.org = w.Person(role.KindORGANIZER, f.g)
	f.amb = w.Person(role.KindAMBASSADOR, f.region)
	f.staff1 = w.Person(role.KindCOMMUNITY_MANAGER, f.com)
	f.staff2 = w.Person(role.KindCOMMUNITY_MANAGER, f.com)
	f.stranger = w.User()
	return f
}

func (f *fundingWorld) request(t *testing.T, amount, currency string, lines ...*workflow.BudgetLineInput) *ent.Application {
	t.Helper()
	app, err := f.w.Runner.RequestFunding(f.w.As(f.org.ID), workflow.FundingRequest{
		GroupID: f.g.ID, Amount: amount, Currency: currency, Purpose: "Venue and food for a hackfest.", BudgetLines: lines,
	})
	if err != nil {
		t.Fatal(err)
	}
	return app
}

// TestRequestFunding: an organizer files an exact amount with a budget that
// adds up; strangers, bad amounts, bad budgets and other groups' or
// cancelled events are refused.
func TestRequestFunding(t *testing.T) {
	t.Parallel()
	f := newFundingWorld(t)
	w := f.w
	ev := w.Event(f.g)
	app, err := w.Runner.RequestFunding(w.As(f.org.ID), workflow.FundingRequest{
		GroupID: f.g.ID, EventID: &ev.ID, Amount: "1200.50", Currency: "usd", Purpose: "Hackfest",
		BudgetLines: []*workflow.BudgetLineInput{{Label: "Venue", Amount: "1000"}, {Label: "Food", Amount: "200.5"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	a := app.Answers
	if app.Kind != application.KindFUNDING || app.Status != application.StatusSUBMITTED || app.RegionID != f.region.ID ||
		a.AmountCents != 120050 || a.Currency != "USD" || a.EventID != string(ev.ID) || len(a.BudgetLines) != 2 || a.BudgetLines[1].AmountMinor != 20050 {
		t.Errorf("filed: %+v %+v", app, a)
	}
	yen, err := w.Runner.RequestFunding(w.As(f.org.ID), workflow.FundingRequest{GroupID: f.g.ID, Amount: "30000", Currency: "JPY", Purpose: "Room"})
	if err != nil || yen.Answers.AmountCents != 30000 {
		t.Errorf("yen: %+v %v", yen, err)
	}

	other := w.Group(f.com, group.StatusACTIVE)
	cancelled := w.Event(f.g, func(b *ent.EventCreate) { b.SetStatus("CANCELLED") })
	bad := []struct {
		name string
		in   workflow.FundingRequest
	}{
		{"too many decimals", workflow.FundingRequest{Amount: "10.001", Currency: "USD"}},
		{"yen decimals", workflow.FundingRequest{Amount: "10.5", Currency: "JPY"}},
		{"negative", workflow.FundingRequest{Amount: "-10", Currency: "USD"}},
		{"zero", workflow.FundingRequest{Amount: "0", Currency: "USD"}},
		{"unknown currency", workflow.FundingRequest{Amount: "10", Currency: "XYZ"}},
		{"float syntax", workflow.FundingRequest{Amount: "1e3", Currency: "USD"}},
		{"overflow", workflow.FundingRequest{Amount: "99999999999999999999", Currency: "USD"}},
		{"budget short", workflow.FundingRequest{Amount: "100", Currency: "USD", BudgetLines: []*workflow.BudgetLineInput{{Label: "A", Amount: "99.99"}}}},
		{"budget over", workflow.FundingRequest{Amount: "100", Currency: "USD", BudgetLines: []*workflow.BudgetLineInput{{Label: "A", Amount: "60"}, {Label: "B", Amount: "40.01"}}}},
		{"other group's event", workflow.FundingRequest{Amount: "10", Currency: "USD", EventID: &w.Event(other).ID}},
		{"cancelled event", workflow.FundingRequest{Amount: "10", Currency: "USD", EventID: &cancelled.ID}},
	}
	for _, c := range bad {
		c.in.GroupID, c.in.Purpose = f.g.ID, "Something"
		_, err := w.Runner.RequestFunding(w.As(f.org.ID), c.in)
		if err == nil {
			t.Errorf("%s: accepted", c.name)
			continue
		}
		wantCode(t, err, apierror.BadUserInput)
	}
	for _, who := range []*ent.User{f.stranger, f.amb, f.staff1} {
		_, err := w.Runner.RequestFunding(w.As(who.ID), workflow.FundingRequest{GroupID: f.g.ID, Amount: "10", Currency: "USD", Purpose: "x"})
		wantCode(t, err, apierror.Forbidden)
	}
}

// TestFundingFourEyes: above the threshold the first staff approval leaves
// the request IN_REVIEW, the same person cannot give the second, the
// requester never approves even as staff, and a second staff member
// approves; the requester is told once.
func TestFundingFourEyes(t *testing.T) {
	t.Parallel()
	f := newFundingWorld(t)
	w := f.w
	app := f.request(t, "800", "USD")

	_, err := w.Runner.ApproveFunding(w.As(f.staff1.ID), app.ID, "")
	wantCode(t, err, apierror.Conflict) // not yet endorsed
	_, err = w.Runner.EndorseFunding(w.As(f.stranger.ID), app.ID, "")
	wantCode(t, err, apierror.NotFound) // cannot even see it
	if _, err := w.Runner.EndorseFunding(w.As(f.amb.ID), app.ID, "Good plan."); err != nil {
		t.Fatal(err)
	}
	_, err = w.Runner.EndorseFunding(w.As(f.amb.ID), app.ID, "")
	wantCode(t, err, apierror.Conflict)
	_, err = w.Runner.ApproveFunding(w.As(f.amb.ID), app.ID, "")
	wantCode(t, err, apierror.Forbidden)
	_, err = w.Runner.Approve(w.As(f.staff1.ID), app.ID)
	wantCode(t, err, apierror.BadUserInput) // approveApplication points to approveFunding

	first, err := w.Runner.ApproveFunding(w.As(f.staff1.ID), app.ID, "Fine by me.")
	if err != nil || first.Status != application.StatusIN_REVIEW || first.DecidedAt != nil {
		t.Fatalf("first approval: %+v %v", first, err)
	}
	_, err = w.Runner.ApproveFunding(w.As(f.staff1.ID), app.ID, "")
	wantCode(t, err, apierror.Conflict)
	second, err := w.Runner.ApproveFunding(w.As(f.staff2.ID), app.ID, "")
	if err != nil || second.Status != application.StatusAPPROVED || second.DecidedByID != f.staff2.ID {
		t.Fatalf("second approval: %+v %v", second, err)
	}
	n := w.Client.Review.Query().Where(review.ApplicationID(app.ID), review.KindEQ(review.KindAPPROVAL)).CountX(w.System())
	msgs := w.Client.Message.Query().Where(message.RecipientID(f.org.ID), message.TemplateEQ("funding_approved")).CountX(w.System())
	if n != 2 || msgs != 1 {
		t.Errorf("%d approvals recorded, %d messages", n, msgs)
	}
	_, err = w.Runner.ApproveFunding(w.As(f.staff1.ID), app.ID, "")
	wantCode(t, err, apierror.Conflict) // decided

	// Staff asking for their own group's funding never approve it.
	w.Role(f.staff1, role.KindORGANIZER, f.g)
	own, err := w.Runner.RequestFunding(w.As(f.staff1.ID), workflow.FundingRequest{GroupID: f.g.ID, Amount: "100", Currency: "USD", Purpose: "Pizza"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Runner.EndorseFunding(w.As(f.amb.ID), own.ID, ""); err != nil {
		t.Fatal(err)
	}
	_, err = w.Runner.ApproveFunding(w.As(f.staff1.ID), own.ID, "")
	wantCode(t, err, apierror.Forbidden)
	got, err := w.Runner.ApproveFunding(w.As(f.staff2.ID), own.ID, "")
	if err != nil || got.Status != application.StatusAPPROVED {
		t.Errorf("below the threshold one other staff member approves: %+v %v", got, err)
	}
}

// TestFundingEndorsementScope: only the ambassador of the group's region
// endorses; the requester, another region's ambassador and the generic
// endorsement are refused. Without an ambassador in scope staff decide alone.
func TestFundingEndorsementScope(t *testing.T) {
	t.Parallel()
	f := newFundingWorld(t)
	w := f.w
	app := f.request(t, "100", "EUR")
	elsewhere := w.Person(role.KindAMBASSADOR, w.Region(f.com))
	_, err := w.Runner.EndorseFunding(w.As(elsewhere.ID), app.ID, "")
	wantCode(t, err, apierror.NotFound)
	everywhere := w.Person(role.KindAMBASSADOR, f.com) // a community-wide ambassador sees it, but is not the region's
	_, err = w.Runner.EndorseFunding(w.As(everywhere.ID), app.ID, "")
	wantCode(t, err, apierror.Forbidden)
	_, err = w.Runner.Object(w.As(everywhere.ID), app.ID, "Support", true)
	wantCode(t, err, apierror.BadUserInput)
	_, err = w.Runner.EndorseFunding(w.As(f.org.ID), app.ID, "")
	wantCode(t, err, apierror.Forbidden)

	// A group in a region without ambassadors: staff approve at once.
	bare := w.Group(f.com, group.StatusACTIVE)
	org := w.Person(role.KindORGANIZER, bare)
	lone, err := w.Runner.RequestFunding(w.As(org.ID), workflow.FundingRequest{GroupID: bare.ID, Amount: "50", Currency: "GBP", Purpose: "Snacks"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := w.Runner.ApproveFunding(w.As(f.staff1.ID), lone.ID, "")
	if err != nil || got.Status != application.StatusAPPROVED {
		t.Errorf("no ambassador in scope: %+v %v", got, err)
	}
}

// TestFundingRejectReportClose: ambassadors cannot reject funding, staff
// can; approved funding is reported by an organizer (exactly, in its
// currency) and then closed by staff, never before the report.
func TestFundingRejectReportClose(t *testing.T) {
	t.Parallel()
	f := newFundingWorld(t)
	w := f.w
	rej := f.request(t, "20", "USD")
	_, err := w.Runner.Reject(w.As(f.amb.ID), rej.ID, "OTHER", "No budget left.")
	wantCode(t, err, apierror.Forbidden)
	got, err := w.Runner.Reject(w.As(f.staff1.ID), rej.ID, "OTHER", "No budget left this quarter.")
	if err != nil || got.Status != application.StatusREJECTED {
		t.Fatalf("reject: %+v %v", got, err)
	}

	app := f.request(t, "12.250", "KWD")
	_, err = w.Runner.ReportFunding(w.As(f.org.ID), app.ID, "Too early", "1")
	wantCode(t, err, apierror.Conflict)
	if _, err := w.Runner.EndorseFunding(w.As(f.amb.ID), app.ID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Runner.ApproveFunding(w.As(f.staff1.ID), app.ID, ""); err != nil {
		t.Fatal(err)
	}
	_, err = w.Runner.CloseFunding(w.As(f.staff1.ID), app.ID)
	wantCode(t, err, apierror.Conflict) // no report yet
	co := w.Person(role.KindORGANIZER, f.g)
	_, err = w.Runner.ReportFunding(w.As(co.ID), app.ID, "It went well.", "12.2501")
	wantCode(t, err, apierror.BadUserInput)
	_, err = w.Runner.ReportFunding(w.As(f.stranger.ID), app.ID, "It went well.", "12")
	wantCode(t, err, apierror.NotFound)
	rep, err := w.Runner.ReportFunding(w.As(co.ID), app.ID, "It went well.", "11.9")
	if err != nil || rep.FundingReport.ReceiptsTotalMinor != 11900 || rep.FundingReport.Currency != "KWD" || rep.FundingReport.FiledByID != string(co.ID) {
		t.Fatalf("report: %+v %v", rep, err)
	}
	_, err = w.Runner.CloseFunding(w.As(f.amb.ID), app.ID)
	wantCode(t, err, apierror.Forbidden)
	closed, err := w.Runner.CloseFunding(w.As(f.staff2.ID), app.ID)
	if err != nil || closed.ClosedAt == nil || closed.ClosedByID != f.staff2.ID {
		t.Fatalf("close: %+v %v", closed, err)
	}
	_, err = w.Runner.CloseFunding(w.As(f.staff2.ID), app.ID)
	wantCode(t, err, apierror.Conflict)
	_, err = w.Runner.ReportFunding(w.As(co.ID), app.ID, "Late edit", "1")
	wantCode(t, err, apierror.Conflict)
	if n := w.Client.Message.Query().Where(message.TemplateEQ("funding_reported"), message.RecipientID(f.staff1.ID)).CountX(w.System()); n != 1 {
		t.Errorf("%d report letters to the approver", n)
	}
}
