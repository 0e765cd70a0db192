// Package ref resolves the references to communities and groups that
// queries and subscriptions take, the one way every argument naming one is
// read: an id, or a slug, which people know and ids they do not. A
// reference to nothing — an unknown id or slug, an id of another type, or
// something the viewer may not see — is NOT_FOUND, never an empty answer
// (an empty board or a subscription that never delivers looks like "no
// news" rather than "wrong name").
package ref

import (
	"context"
	"strings"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/community"
	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/apierror"
)

// Community returns the id of the community ref names — its id or its
// slug — as the viewer in ctx may see it through c; NOT_FOUND, naming
// field, when there is none.
func Community(ctx context.Context, c *ent.Client, field string, ref pulid.ID) (pulid.ID, error) {
	q := c.Community.Query()
	if isID(ref) {
		q = q.Where(community.ID(ref))
	} else {
		q = q.Where(community.Slug(string(ref)))
	}
	id, err := q.OnlyID(ctx)
	if ent.IsNotFound(err) {
		return "", notFound(field, "community", ref, "its id or its slug")
	}
	return id, err
}

// Group returns the id of the group ref names — its id, or its community's
// slug and its own joined by a slash ("openeuler/beijing"), as a group's
// slug is unique only in its community — as the viewer in ctx may see it
// through c; NOT_FOUND, naming field, when there is none.
func Group(ctx context.Context, c *ent.Client, field string, ref pulid.ID) (pulid.ID, error) {
	q := c.Group.Query()
	if isID(ref) {
		q = q.Where(group.ID(ref))
	} else if com, slug, ok := strings.Cut(string(ref), "/"); ok {
		q = q.Where(group.Slug(slug), group.HasCommunityWith(community.Slug(com)))
	} else {
		return "", notFound(field, "group", ref, groupRef)
	}
	id, err := q.OnlyID(ctx)
	if ent.IsNotFound(err) {
		return "", notFound(field, "group", ref, groupRef)
	}
	return id, err
}

// groupRef says how a group is named, for the NOT_FOUND of a bad reference.
const groupRef = `its id, or its community's slug and its own joined by a slash ("openeuler/beijing")`

// isID tells an id (of any type: one of another type finds nothing) from a
// slug, which has no underscore.
func isID(ref pulid.ID) bool { return ref.Prefix() != "" }

func notFound(field, what string, ref pulid.ID, how string) error {
	e := apierror.NotFoundf("no %s %q: name it by %s", what, string(ref), how)
	e.Field = field
	return e
}

// Typed refuses an id of another entity's type given for field (a group's
// id where an event's is asked): BAD_USER_INPUT naming the field, so the
// client learns which argument is wrong. Malformed ids pass, to be looked
// up (and not found) as they are.
func Typed(field string, id pulid.ID, prefix, what string) error {
	if p := id.Prefix(); p != "" && p != prefix {
		return apierror.Invalid(field, "%s must be the id of %s", field, what)
	}
	return nil
}
