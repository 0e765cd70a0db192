package server

import (
	"context"
	"slices"
	"strings"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/ent/user"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/devidp"
	"github.com/usergroups/usergroups/internal/store"
	"github.com/usergroups/usergroups/internal/viewer"
)

// pickerSize bounds the development picker's list.
const pickerSize = 60

// devProvider is the development identity provider over the database's
// people: the picker lists people holding roles (staff and administrators
// first) unless searched, and signs in anyone by id.
func devProvider(db *store.DB, cfg Config) *devidp.Provider {
	people := func(ctx context.Context, search string) ([]devidp.Person, error) {
		ctx = authz.Unfiltered(viewer.SystemContext(ctx))
		q := db.Client.User.Query().Order(ent.Asc(user.FieldHandle)).Limit(pickerSize)
		if search != "" {
			q.Where(user.Or(user.HandleContainsFold(search), user.NameContainsFold(search)))
		} else {
			q.Where(user.HasRolesWith(role.StatusEQ(role.StatusACTIVE), role.KindNEQ(role.KindMEMBER)))
		}
		us, err := q.WithRoles(func(rq *ent.RoleQuery) {
			rq.Where(role.StatusEQ(role.StatusACTIVE)).WithGroup().WithCommunity().WithRegion()
		}).All(ctx)
		if err != nil {
			return nil, err
		}
		out := make([]devidp.Person, 0, len(us))
		for _, u := range us {
			out = append(out, devPerson(u))
		}
		// The people who run things first: they are who a demo signs in as.
		slices.SortStableFunc(out, func(a, b devidp.Person) int { return rank(a) - rank(b) })
		return out, nil
	}
	lookup := func(ctx context.Context, id string) (devidp.Person, error) {
		ctx = authz.Unfiltered(viewer.SystemContext(ctx))
		u, err := db.Client.User.Query().Where(user.ID(pulid.ID(id))).WithRoles(func(rq *ent.RoleQuery) {
			rq.Where(role.StatusEQ(role.StatusACTIVE)).WithGroup().WithCommunity().WithRegion()
		}).Only(ctx)
		if err != nil {
			return devidp.Person{}, err
		}
		return devPerson(u), nil
	}
	p, err := devidp.New(devidp.Config{People: people, Lookup: lookup, TokenLifetime: cfg.DevTokenLifetime, Now: cfg.Now})
	if err != nil {
		panic("server: the development identity provider: " + err.Error()) // only a broken random source fails
	}
	return p
}

// devPerson is a person as the picker shows them: "staff of openEuler".
func devPerson(u *ent.User) devidp.Person {
	p := devidp.Person{ID: string(u.ID), Handle: u.Handle, Name: u.Name}
	for _, r := range u.Edges.Roles {
		where := ""
		switch {
		case r.Edges.Group != nil:
			where = r.Edges.Group.Name
		case r.Edges.Region != nil:
			where = r.Edges.Region.Name
		case r.Edges.Community != nil:
			where = r.Edges.Community.Name
		}
		kind := strings.ReplaceAll(strings.ToLower(string(r.Kind)), "_", " ")
		if where != "" {
			kind += " · " + where
		}
		p.Roles = append(p.Roles, kind)
	}
	slices.Sort(p.Roles)
	return p
}

// rank orders the picker: administrators, staff, ambassadors, organizers, the rest.
func rank(p devidp.Person) int {
	best := 9
	for i, k := range []string{"admin", "community manager", "ambassador", "organizer"} {
		for _, r := range p.Roles {
			if strings.HasPrefix(r, k) && i < best {
				best = i
			}
		}
	}
	return best
}
