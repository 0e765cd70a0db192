// Package workflow holds the programme's processes — applying for a group,
// backing a request, reviewing, deciding — as plain Go functions over an
// ent transaction client. Each function checks who may act (with the authz
// rules the dashboards' viewerCan* fields use), validates input, then makes
// its writes; the caller commits or rolls back the whole step.
package workflow

import (
	"context"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/application"
	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/viewer"
)

// requireWriter returns the acting viewer, or the error for a request that
// may not change anything.
func requireWriter(ctx context.Context) (*viewer.Viewer, error) {
	v := viewer.FromContext(ctx)
	if err := authz.MayWrite(v); err != nil {
		return nil, err
	}
	return v, nil
}

// loadApplication reads an application the viewer can see, with its
// community (whose policy the steps apply) and its group, if any; one they
// cannot see is NOT_FOUND, exactly like one that does not exist.
func loadApplication(ctx context.Context, c *ent.Client, id pulid.ID) (*ent.Application, error) {
	app, err := c.Application.Query().Where(application.ID(id)).WithCommunity().WithGroup().Only(ctx)
	return app, notFound(err, "application")
}

// loadGroup reads a group with its community (whose policy the workflows
// apply); a missing group is NOT_FOUND.
func loadGroup(ctx context.Context, c *ent.Client, id pulid.ID) (*ent.Group, error) {
	g, err := c.Group.Query().Where(group.ID(id)).WithCommunity().Only(ctx)
	return g, notFound(err, "group")
}

// running refuses a step on a group that is not ACTIVE or OFFICIAL (a
// proposal, a dormant or closed group), naming its status.
func running(g *ent.Group) error {
	if g.Status == group.StatusACTIVE || g.Status == group.StatusOFFICIAL {
		return nil
	}
	err := apierror.Conflictf("the group is not running (status %s)", g.Status)
	err.Extensions = map[string]any{"status": string(g.Status)}
	return err
}

// notFound maps "no such row" — which is also what a row the viewer may
// not see reads as — to NOT_FOUND naming what was looked for ("group").
func notFound(err error, what string) error {
	return missing(err, "", what)
}

// missing is notFound for a reference given in an input field, which the
// NOT_FOUND names so the client learns which argument was wrong.
func missing(err error, field, what string) error {
	if ent.IsNotFound(err) {
		e := apierror.NotFoundf("no %s with that id", what)
		e.Field = field
		return e
	}
	return err
}
