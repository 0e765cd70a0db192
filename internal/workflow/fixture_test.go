package workflow_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/application"
	"github.com/usergroups/usergroups/ent/candidate"
	"github.com/usergroups/usergroups/ent/election"
	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/ent/review"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/changelog"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/errmap"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/store"
	"github.com/usergroups/usergroups/internal/viewer"
	"github.com/usergroups/usergroups/internal/workflow"
)

// world is one workflow test's database, clock and runner, with builders
// that add rows through Runner.Import (the system's step) and contexts for
// the people who act. Builders fail the test on any error, so a test reads
// as its story: w := newWorld(t); g := w.Group(w.Community(policy.OpenStack()), group.StatusACTIVE).
// Each world has its own database and clock, so its tests may call t.Parallel().
type world struct {
	t      testing.TB
	DB     *store.DB        // the test's own database (SQLite, or PostgreSQL with USERGROUPS_TEST_DATABASE)
	Client *ent.Client      // the database's client, for reads (w.Client.X.Query()...(w.System()))
	Clock  *dbtest.Clock    // the runner's clock: stopped, moved only by Set and Advance
	Runner *workflow.Runner // the runner under test, on Clock
	n      int              // counter behind unique names
}

// newWorld returns a world on a fresh database private to t, its clock
// stopped at the wall time (to the second) so rows' created_at agree with it.
func newWorld(t testing.TB) *world {
	t.Helper()
	db := dbtest.Open(t)
	return newWorldOn(t, db)
}

// newWorldOn is newWorld on a database the test opened itself (e.g. with
// dbtest.OpenConcurrent or one of dbtest.OpenReplicas).
func newWorldOn(t testing.TB, db *store.DB) *world {
	clk := dbtest.NewClock(time.Now().UTC().Truncate(time.Second))
	return &world{t: t, DB: db, Client: db.Client, Clock: clk, Runner: workflow.NewRunner(db.Client, clk.Now)}
}

// day is 24 hours, the unit most deadlines are counted in.
const day = 24 * time.Hour

// Now is the time on the world's clock.
func (w *world) Now() time.Time { return w.Clock.Now() }

// tick runs every scheduled job once at the clock's now, as a replica's
// scheduler does.
func (w *world) tick() (workflow.TickReport, error) { return workflow.Tick(w.System(), w.Runner) }

// System is a context acting as the system (jobs, seeding, the command line).
func (w *world) System() context.Context { return viewer.SystemContext(context.Background()) }

// As is a context for userID signed in with a session (every scope), their
// active roles loaded as the server's authenticator loads them.
func (w *world) As(userID pulid.ID) context.Context { return w.viewerContext(userID, nil) }

// AsToken is a context for userID calling with an API token holding scopes.
func (w *world) AsToken(userID pulid.ID, scopes ...string) context.Context {
	return w.viewerContext(userID, &viewer.Token{ID: pulid.New("tok"), Scopes: scopes})
}

// Anonymous is a context for a request with no credentials.
func (w *world) Anonymous() context.Context { return context.Background() }

func (w *world) viewerContext(userID pulid.ID, tok *viewer.Token) context.Context {
	w.t.Helper()
	v, err := authz.ViewerFor(w.System(), w.Client, userID, tok)
	if err != nil {
		w.t.Fatalf("loading the viewer of %s: %v", userID, err)
	}
	return changelog.WithActor(viewer.NewContext(context.Background(), v), userID)
}

// Import runs fn as one system import step (what every builder uses),
// failing the test on error.
func (w *world) Import(fn func(ctx context.Context, c *ent.Client) error) {
	w.t.Helper()
	if err := w.Runner.Import(w.System(), "fixture", fn); err != nil {
		w.t.Fatalf("importing fixture rows: %v", err)
	}
}

// create saves one row built by build inside an import step.
func create[T any](w *world, build func(ctx context.Context, c *ent.Client) (T, error)) T {
	w.t.Helper()
	var out T
	w.Import(func(ctx context.Context, c *ent.Client) error {
		var err error
		out, err = build(ctx, c)
		return err
	})
	return out
}

// next returns a number unique in the world, for names and slugs.
func (w *world) next() int { w.n++; return w.n }

// Community adds a community run by p (policy.OpenStack(), policy.OpenEuler()).
func (w *world) Community(p policy.Policy, opts ...func(*ent.CommunityCreate)) *ent.Community {
	w.t.Helper()
	n := w.next()
	return create(w, func(ctx context.Context, c *ent.Client) (*ent.Community, error) {
		b := c.Community.Create().SetName(fmt.Sprintf("Community %d", n)).SetSlug(fmt.Sprintf("community-%d", n)).SetPolicy(p)
		for _, o := range opts {
			o(b)
		}
		return b.Save(ctx)
	})
}

// Region adds a region of com covering France.
func (w *world) Region(com *ent.Community, opts ...func(*ent.RegionCreate)) *ent.Region {
	w.t.Helper()
	n := w.next()
	return create(w, func(ctx context.Context, c *ent.Client) (*ent.Region, error) {
		b := c.Region.Create().SetCommunityID(com.ID).SetName(fmt.Sprintf("Region %d", n)).
			SetSlug(fmt.Sprintf("region-%d", n)).SetCountries([]string{"FR"})
		for _, o := range opts {
			o(b)
		}
		return b.Save(ctx)
	})
}

// Organization adds an organization (no community's partner).
func (w *world) Organization(opts ...func(*ent.OrganizationCreate)) *ent.Organization {
	w.t.Helper()
	n := w.next()
	return create(w, func(ctx context.Context, c *ent.Client) (*ent.Organization, error) {
		b := c.Organization.Create().SetName(fmt.Sprintf("Organization %d", n)).SetSlug(fmt.Sprintf("org-%d", n))
		for _, o := range opts {
			o(b)
		}
		return b.Save(ctx)
	})
}

// Partner adds an organization that is a partner enterprise of com.
func (w *world) Partner(com *ent.Community, opts ...func(*ent.OrganizationCreate)) *ent.Organization {
	w.t.Helper()
	return w.Organization(append([]func(*ent.OrganizationCreate){func(b *ent.OrganizationCreate) { b.AddPartnerOfIDs(com.ID) }}, opts...)...)
}

// User adds a person with a unique handle and a contact email HANDLE@example.org.
func (w *world) User(opts ...func(*ent.UserCreate)) *ent.User {
	w.t.Helper()
	n := w.next()
	return create(w, func(ctx context.Context, c *ent.Client) (*ent.User, error) {
		b := c.User.Create().SetHandle(fmt.Sprintf("user%d", n)).SetName(fmt.Sprintf("User %d", n))
		for _, o := range opts {
			o(b)
		}
		u, err := b.Save(ctx)
		if err != nil {
			return nil, err
		}
		if err := c.Contact.Create().SetUserID(u.ID).SetEmail(u.Handle + "@example.org").Exec(ctx); err != nil {
			return nil, err
		}
		return u, nil
	})
}

// Group adds a group of com in status (group.StatusACTIVE for a running one),
// in Paris, France.
func (w *world) Group(com *ent.Community, status group.Status, opts ...func(*ent.GroupCreate)) *ent.Group {
	w.t.Helper()
	n := w.next()
	return create(w, func(ctx context.Context, c *ent.Client) (*ent.Group, error) {
		b := c.Group.Create().SetCommunityID(com.ID).SetName(fmt.Sprintf("Paris %s", dbtest.Letters(n))).
			SetSlug(fmt.Sprintf("paris-%d", n)).SetCity("Paris").SetCountry("FR").SetStatus(status)
		for _, o := range opts {
			o(b)
		}
		return b.Save(ctx)
	})
}

// Role gives u an ACTIVE role of kind in scope: a *ent.Group, *ent.Region or
// *ent.Community, or nil for a global ADMIN. Set another status with an
// option: func(r *ent.RoleCreate) { r.SetStatus(role.StatusPENDING) }.
func (w *world) Role(u *ent.User, kind role.Kind, scope any, opts ...func(*ent.RoleCreate)) *ent.Role {
	w.t.Helper()
	return create(w, func(ctx context.Context, c *ent.Client) (*ent.Role, error) {
		b := c.Role.Create().SetUserID(u.ID).SetKind(kind)
		switch s := scope.(type) {
		case *ent.Group:
			b.SetCommunityID(s.CommunityID).SetGroupID(s.ID)
		case *ent.Region:
			b.SetCommunityID(s.CommunityID).SetRegionID(s.ID)
		case *ent.Community:
			b.SetCommunityID(s.ID)
		case nil:
		default:
			return nil, fmt.Errorf("a role's scope is a group, region or community, not %T", scope)
		}
		for _, o := range opts {
			o(b)
		}
		return b.Save(ctx)
	})
}

// Person adds a user holding an ACTIVE role of kind in scope (see Role).
func (w *world) Person(kind role.Kind, scope any) *ent.User {
	w.t.Helper()
	u := w.User()
	w.Role(u, kind, scope)
	return u
}

// Event adds a PUBLISHED meetup of g a week from the clock's now, two hours
// long, in Paris.
func (w *world) Event(g *ent.Group, opts ...func(*ent.EventCreate)) *ent.Event {
	w.t.Helper()
	n := w.next()
	start := w.Now().Add(7 * day)
	return create(w, func(ctx context.Context, c *ent.Client) (*ent.Event, error) {
		b := c.Event.Create().SetGroupID(g.ID).SetTitle(fmt.Sprintf("Meetup %d", n)).
			SetStartsAt(start).SetEndsAt(start.Add(2 * time.Hour)).SetTimeZone("Europe/Paris").SetStatus("PUBLISHED")
		for _, o := range opts {
			o(b)
		}
		return b.Save(ctx)
	})
}

// Registration registers u for e as GOING, queued at the clock's now.
func (w *world) Registration(e *ent.Event, u *ent.User, opts ...func(*ent.RegistrationCreate)) *ent.Registration {
	w.t.Helper()
	n := w.next()
	now := w.Now()
	return create(w, func(ctx context.Context, c *ent.Client) (*ent.Registration, error) {
		b := c.Registration.Create().SetEventID(e.ID).SetUserID(u.ID).
			SetCheckInCode(fmt.Sprintf("FIXTURE%06d", n)).SetQueuedAt(now)
		for _, o := range opts {
			o(b)
		}
		return b.Save(ctx)
	})
}

// Application adds a SUBMITTED application of kind to com by applicant.
func (w *world) Application(com *ent.Community, applicant *ent.User, kind application.Kind, opts ...func(*ent.ApplicationCreate)) *ent.Application {
	w.t.Helper()
	return create(w, func(ctx context.Context, c *ent.Client) (*ent.Application, error) {
		b := c.Application.Create().SetCommunityID(com.ID).SetApplicantID(applicant.ID).SetKind(kind)
		for _, o := range opts {
			o(b)
		}
		return b.Save(ctx)
	})
}

// Review adds an entry of kind to app's review timeline, by author (nil
// for an automatic entry); an OBJECTION is open until its resolved_at is set.
func (w *world) Review(app *ent.Application, kind review.Kind, author *ent.User, opts ...func(*ent.ReviewCreate)) *ent.Review {
	w.t.Helper()
	return create(w, func(ctx context.Context, c *ent.Client) (*ent.Review, error) {
		b := c.Review.Create().SetApplicationID(app.ID).SetKind(kind).SetBody("A fixture's review entry.")
		if author != nil {
			b.SetAuthorID(author.ID)
		}
		for _, o := range opts {
			o(b)
		}
		return b.Save(ctx)
	})
}

// Election adds an OPEN ORGANIZER election of g for term 2, opened by
// opener: nominations close in a day, voting in three, the term starts in ten.
func (w *world) Election(g *ent.Group, opener *ent.User, opts ...func(*ent.ElectionCreate)) *ent.Election {
	w.t.Helper()
	now := w.Now()
	return create(w, func(ctx context.Context, c *ent.Client) (*ent.Election, error) {
		b := c.Election.Create().SetCommunityID(g.CommunityID).SetGroupID(g.ID).SetOpenedByID(opener.ID).
			SetKind(election.KindORGANIZER).SetNominationsCloseAt(now.Add(day)).SetVotingClosesAt(now.Add(3 * day)).
			SetTermStartsAt(now.Add(10 * day)).SetTermNumber(2)
		for _, o := range opts {
			o(b)
		}
		return b.Save(ctx)
	})
}

// Candidate stands u in e, nominated by themselves and ACCEPTED.
func (w *world) Candidate(e *ent.Election, u *ent.User, opts ...func(*ent.CandidateCreate)) *ent.Candidate {
	w.t.Helper()
	return create(w, func(ctx context.Context, c *ent.Client) (*ent.Candidate, error) {
		b := c.Candidate.Create().SetElectionID(e.ID).SetUserID(u.ID).SetNominatedByID(u.ID).SetStatus(candidate.StatusACCEPTED)
		for _, o := range opts {
			o(b)
		}
		return b.Save(ctx)
	})
}

// wantCode reports an error unless err classifies as the API error code.
func wantCode(t testing.TB, err error, code apierror.Code) {
	t.Helper()
	if err == nil {
		t.Errorf("got no error, want %s", code)
		return
	}
	got := apierror.Code("none")
	if ae := errmap.Classify(err); ae != nil {
		got = ae.Code
	}
	if got != code {
		t.Errorf("got %v (code %s), want %s", err, got, code)
	}
}
