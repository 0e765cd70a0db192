package workflow_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/application"
	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/ent/organization"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/viewer"
	"github.com/usergroups/usergroups/internal/workflow"
)

// orgs counts the organizations whose name has the prefix, as the system sees them.
func (w *world) orgs(prefix string) int {
	w.t.Helper()
	n, err := w.Client.Organization.Query().Where(organization.NameHasPrefix(prefix)).Count(w.System())
	if err != nil {
		w.t.Fatal(err)
	}
	return n
}

// addOrg is a step body's write: an organization named name.
func addOrg(ctx context.Context, c *ent.Client, name string) error {
	return c.Organization.Create().SetName(name).SetSlug(strings.ToLower(strings.ReplaceAll(name, " ", "-"))).Exec(ctx)
}

var errMidway = errors.New("the step fails midway")

func TestStepWritesCommitTogetherOrNotAtAll(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	_, err := workflow.Run(w.System(), w.Runner, "add two", func(ctx context.Context, c *ent.Client, _ time.Time) (struct{}, error) {
		if err := addOrg(ctx, c, "Failed one"); err != nil {
			return struct{}{}, err
		}
		if err := addOrg(ctx, c, "Failed two"); err != nil {
			return struct{}{}, err
		}
		return struct{}{}, errMidway
	})
	if !errors.Is(err, errMidway) {
		t.Fatalf("the step's error is lost: %v", err)
	}
	if n := w.orgs("Failed"); n != 0 {
		t.Errorf("a failed step kept %d of its writes", n)
	}

	_, err = workflow.Run(w.System(), w.Runner, "add two", func(ctx context.Context, c *ent.Client, _ time.Time) (struct{}, error) {
		return struct{}{}, errors.Join(addOrg(ctx, c, "Kept one"), addOrg(ctx, c, "Kept two"))
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := w.orgs("Kept"); n != 2 {
		t.Errorf("a step that succeeded committed %d of its 2 writes", n)
	}
}

func TestUnitWithAFailedStepIsRolledBackThoughTheCallerCarriesOn(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	err := w.Runner.Unit(w.System(), func(ctx context.Context) error {
		if err := w.Runner.Import(ctx, "first", func(ctx context.Context, c *ent.Client) error {
			return addOrg(ctx, c, "Unit first")
		}); err != nil {
			return err
		}
		_ = w.Runner.Import(ctx, "second", func(ctx context.Context, c *ent.Client) error {
			return apierror.Conflictf("refused, shown as data")
		})
		return nil // the refusal was turned into a payload
	})
	if !workflow.ErrUnitFailed(err) {
		t.Errorf("the unit reports %v, want the failed-unit error", err)
	}
	if n := w.orgs("Unit"); n != 0 {
		t.Errorf("the unit of a failed step kept the writes of the step before it (%d)", n)
	}
}

func TestNestedStepJoinsTheTransaction(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	// In a unit: the step does not commit on its own, the unit does.
	err := w.Runner.Unit(w.System(), func(ctx context.Context) error {
		if err := w.Runner.Import(ctx, "in a unit", func(ctx context.Context, c *ent.Client) error {
			return addOrg(ctx, c, "Joined unit")
		}); err != nil {
			return err
		}
		// The unit's client (what a payload reads through) sees the step's write.
		n, err := ent.FromContext(ctx).Organization.Query().Where(organization.NameHasPrefix("Joined")).Count(ctx)
		if err != nil || n != 1 {
			t.Errorf("the unit's client sees %d of the step's rows (%v)", n, err)
		}
		return errMidway
	})
	if !errors.Is(err, errMidway) {
		t.Fatalf("the unit's error is lost: %v", err)
	}
	if n := w.orgs("Joined"); n != 0 {
		t.Errorf("a step committed inside a unit that failed afterwards")
	}

	// In a step: the inner step sees the outer one's writes, and goes when it fails.
	_, err = workflow.Run(w.System(), w.Runner, "outer", func(ctx context.Context, c *ent.Client, _ time.Time) (struct{}, error) {
		if err := addOrg(ctx, c, "Joined outer"); err != nil {
			return struct{}{}, err
		}
		_, err := workflow.Run(ctx, w.Runner, "inner", func(ctx context.Context, c *ent.Client, _ time.Time) (struct{}, error) {
			if n, err := c.Organization.Query().Where(organization.Name("Joined outer")).Count(ctx); err != nil || n != 1 {
				t.Errorf("the inner step does not see the outer step's write (%d, %v)", n, err)
			}
			return struct{}{}, addOrg(ctx, c, "Joined inner")
		})
		if err != nil {
			return struct{}{}, err
		}
		return struct{}{}, errMidway
	})
	if !errors.Is(err, errMidway) {
		t.Fatalf("the outer step's error is lost: %v", err)
	}
	if n := w.orgs("Joined"); n != 0 {
		t.Errorf("%d writes of a nested step outlived the outer step's failure", n)
	}
}

func TestStepHoldsTheCapabilityAndTheClock(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	if _, ok := authz.StepOf(w.System()); ok {
		t.Fatal("a context outside any step holds the capability to write")
	}
	w.Clock.Advance(90 * time.Minute)
	got, err := workflow.Run(w.System(), w.Runner, "look around", func(ctx context.Context, _ *ent.Client, now time.Time) (string, error) {
		if !now.Equal(w.Now()) {
			t.Errorf("the step is taken at %v, the runner's clock says %v", now, w.Now())
		}
		step, _ := authz.StepOf(ctx)
		return step, nil
	})
	if err != nil || got != "look around" {
		t.Errorf("the step's context holds the capability of %q (%v), want its own", got, err)
	}
}

func TestImportRefusesAnyoneButTheSystem(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	admin := w.Person(role.KindADMIN, nil)
	for name, ctx := range map[string]context.Context{
		"an admin":    w.As(admin.ID),
		"a token":     w.AsToken(admin.ID, viewer.ScopeRead, viewer.ScopeWrite),
		"a stranger":  w.Anonymous(),
		"nobody's id": w.As(""),
	} {
		called := false
		err := w.Runner.Import(ctx, "anything", func(ctx context.Context, c *ent.Client) error {
			called = true
			return addOrg(ctx, c, "Imported")
		})
		wantCode(t, err, apierror.Forbidden)
		if called {
			t.Errorf("%s: Import ran the step before refusing", name)
		}
	}
	if n := w.orgs("Imported"); n != 0 {
		t.Errorf("a refused import wrote %d rows", n)
	}
}

func TestActRefusesWhoMayNotWrite(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	u := w.User()
	for _, tc := range []struct {
		name string
		ctx  context.Context
		want apierror.Code
	}{
		{"a stranger", w.Anonymous(), apierror.Unauthenticated},
		{"the system", w.System(), apierror.Unauthenticated},
		{"a read token", w.AsToken(u.ID, viewer.ScopeRead), apierror.Forbidden},
		{"a session", w.As(u.ID), ""},
		{"a write token", w.AsToken(u.ID, viewer.ScopeRead, viewer.ScopeWrite), ""},
	} {
		called := false
		_, err := workflow.Act(tc.ctx, w.Runner, "act", func(ctx context.Context, _ *ent.Client, v *viewer.Viewer, _ time.Time) (struct{}, error) {
			called = true
			if v.UserID != u.ID {
				t.Errorf("%s: the step acts as %q, want %q", tc.name, v.UserID, u.ID)
			}
			return struct{}{}, nil
		})
		if tc.want == "" {
			if err != nil || !called {
				t.Errorf("%s may not act: %v", tc.name, err)
			}
			continue
		}
		wantCode(t, err, tc.want)
		if called {
			t.Errorf("%s: the step ran before the refusal", tc.name)
		}
	}
}

func TestStepErrorNamesTheStepAndKeepsTheCode(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	_, err := workflow.Run(w.System(), w.Runner, "approve application", func(context.Context, *ent.Client, time.Time) (struct{}, error) {
		return struct{}{}, apierror.Conflictf("the application was decided meanwhile")
	})
	var se *workflow.StepError
	if !errors.As(err, &se) || se.Step != "approve application" {
		t.Fatalf("the error %v is not the step's", err)
	}
	if !strings.HasPrefix(err.Error(), "approve application: ") {
		t.Errorf("the error %q does not name the step", err)
	}
	wantCode(t, err, apierror.Conflict)

	// A step failing inside another keeps its own name, not the outer one's.
	_, err = workflow.Run(w.System(), w.Runner, "outer", func(ctx context.Context, _ *ent.Client, _ time.Time) (struct{}, error) {
		_, err := workflow.Run(ctx, w.Runner, "inner", func(context.Context, *ent.Client, time.Time) (struct{}, error) {
			return struct{}{}, apierror.NotFoundf("no group with that id")
		})
		return struct{}{}, err
	})
	if !errors.As(err, &se) || se.Step != "inner" || strings.Contains(err.Error(), "outer") {
		t.Errorf("the nested failure reads %q, want it named after the inner step only", err)
	}
	wantCode(t, err, apierror.NotFound)
}

// TestWriteWithoutStepIsRefused: the one write rule (authz.requireStep)
// refuses every write without a step's capability, even the system's.
func TestWriteWithoutStepIsRefused(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	sys := w.System()
	err := w.Client.Organization.Create().SetName("Outside").SetSlug("outside").Exec(sys)
	wantCode(t, err, apierror.Forbidden)

	// Nor in a transaction of one's own, without the capability.
	tx, err := w.Client.Tx(sys)
	if err != nil {
		t.Fatal(err)
	}
	wantCode(t, tx.Organization.Create().SetName("Own tx").SetSlug("own-tx").Exec(sys), apierror.Forbidden)
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}

	// Nor with a capability that escaped its step's transaction.
	var escaped context.Context
	w.Import(func(ctx context.Context, _ *ent.Client) error { escaped = ctx; return nil })
	wantCode(t, w.Client.Organization.Create().SetName("Escaped").SetSlug("escaped").Exec(escaped), apierror.Forbidden)
	if n := w.orgs(""); n != 0 {
		t.Errorf("%d organizations were written outside a step", n)
	}
}

func TestFixtureBuildsRowsAndViewers(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	com := w.Community(policy.OpenEuler())
	region := w.Region(com)
	g := w.Group(com, group.StatusACTIVE, func(b *ent.GroupCreate) { b.SetRegionID(region.ID) })
	organizer := w.Person(role.KindORGANIZER, g)
	amb := w.Person(role.KindAMBASSADOR, region)
	staff := w.Person(role.KindCOMMUNITY_MANAGER, com)
	pending := w.User()
	w.Role(pending, role.KindMEMBER, g, func(b *ent.RoleCreate) { b.SetStatus(role.StatusPENDING) })
	ev := w.Event(g)
	w.Registration(ev, organizer)
	w.Application(com, pending, application.KindNEW_GROUP)
	w.Partner(com)

	if v := viewer.FromContext(w.As(organizer.ID)); !v.HasGroupRole(g.ID, viewer.Organizer) || !v.HasScope(viewer.ScopeWrite) || v.ViaToken() {
		t.Errorf("the organizer's session viewer is %+v", v)
	}
	if v := viewer.FromContext(w.As(amb.ID)); len(v.AmbassadorRegions()) != 1 || v.AmbassadorRegions()[0] != region.ID {
		t.Errorf("the ambassador's viewer is %+v", v)
	}
	if v := viewer.FromContext(w.As(staff.ID)); !v.IsStaff(com.ID) {
		t.Errorf("the manager's viewer is %+v", v)
	}
	if v := viewer.FromContext(w.As(pending.ID)); len(v.Roles) != 0 {
		t.Errorf("a PENDING role was loaded into the viewer: %+v", v.Roles)
	}
	if v := viewer.FromContext(w.AsToken(staff.ID, viewer.ScopeRead)); !v.ViaToken() || v.HasScope(viewer.ScopeWrite) || !v.IsStaff(com.ID) {
		t.Errorf("the manager's read-token viewer is %+v", v)
	}
	got, err := w.Client.Event.Get(w.System(), ev.ID)
	if err != nil || got.GoingCount != 1 {
		t.Errorf("the event counts %d going after one registration (%v)", got.GoingCount, err)
	}
}
