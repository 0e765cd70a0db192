package store_test

import (
	"fmt"
	"testing"

	"entgo.io/ent/dialect"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/organization"
	"github.com/usergroups/usergroups/ent/user"
	"github.com/usergroups/usergroups/internal/dbtest"
)

// TestJoinLoad holds the join load of a person's organization
// (ent/template/joinload.tmpl) to what the usual eager load gives: every
// column, null for a person without one, in one statement; and to the
// usual load, with its own statement, whenever the edge's query is more
// than a plain load.
func TestJoinLoad(t *testing.T) {
	var counter *dbtest.Counter
	db := dbtest.Open(t, dbtest.WithDriver(func(d dialect.Driver) dialect.Driver {
		counter = dbtest.NewCounter(d)
		return counter
	}))
	ctx := dbtest.FixtureContext(t)
	c := db.Client
	orgs := make([]*ent.Organization, 3)
	for i := range orgs {
		orgs[i] = c.Organization.Create().SetName(fmt.Sprintf("Org %d", i)).SetSlug(fmt.Sprintf("org-%d", i)).SaveX(ctx)
	}
	for i := range 7 {
		u := c.User.Create().SetHandle(fmt.Sprintf("p%d", i)).SetName(fmt.Sprintf("Person %d", i))
		if i%4 != 3 { // every fourth person has no organization
			u.SetOrganizationID(orgs[i%3].ID)
		}
		u.SaveX(ctx)
	}
	byID := map[string]*ent.Organization{}
	for _, o := range c.Organization.Query().AllX(ctx) {
		byID[string(o.ID)] = o
	}
	check := func(t *testing.T, people []*ent.User, keep func(*ent.Organization) bool) {
		t.Helper()
		if len(people) != 7 {
			t.Fatalf("%d people, want 7", len(people))
		}
		for _, p := range people {
			got, err := p.Edges.OrganizationOrErr()
			want := byID[string(p.OrganizationID)]
			if want != nil && !keep(want) {
				want = nil
			}
			switch {
			case want == nil && got != nil:
				t.Errorf("%s: organization %s, want none", p.Handle, got.Name)
			case want == nil && err == nil:
				t.Errorf("%s: edge reported loaded and found, want not found", p.Handle)
			case want != nil && (got == nil || got.ID != want.ID || got.Name != want.Name || got.Slug != want.Slug ||
				!got.CreatedAt.Equal(want.CreatedAt) || !got.UpdatedAt.Equal(want.UpdatedAt)):
				t.Errorf("%s: organization %+v, want %+v", p.Handle, got, want)
			}
			if _, err := p.Value("join_organization__id"); err == nil {
				t.Errorf("%s: the join's columns stay visible as selected values", p.Handle)
			}
		}
	}
	all := func(*ent.Organization) bool { return true }

	t.Run("every column, one statement", func(t *testing.T) {
		counter.Reset()
		people := c.User.Query().WithOrganization().Order(user.ByHandle()).AllX(ctx)
		if n := counter.Count(); n != 1 {
			t.Errorf("%d statements, want 1", n)
		}
		check(t, people, all)
	})
	t.Run("selected columns", func(t *testing.T) {
		counter.Reset()
		people := c.User.Query().Select(user.FieldHandle, user.FieldOrganizationID).
			WithOrganization(func(q *ent.OrganizationQuery) { q.Select(organization.FieldName) }).AllX(ctx)
		if n := counter.Count(); n != 1 {
			t.Errorf("%d statements, want 1", n)
		}
		for _, p := range people {
			if o := p.Edges.Organization; o != nil && (o.Name == "" || o.ID == "") {
				t.Errorf("%s: organization %+v lacks its id or name", p.Handle, o)
			}
		}
	})
	t.Run("without the foreign key selected, the usual load", func(t *testing.T) {
		counter.Reset()
		// ent adds the key for the eager load; the join must not rely on
		// a selection that lacks it.
		people := c.User.Query().Select(user.FieldHandle).WithOrganization().AllX(ctx)
		check(t, people, all)
		if n := counter.Count(); n > 2 {
			t.Errorf("%d statements", n)
		}
	})
	t.Run("a filtered edge loads on its own", func(t *testing.T) {
		counter.Reset()
		people := c.User.Query().WithOrganization(func(q *ent.OrganizationQuery) {
			q.Where(organization.NameNEQ("Org 1"))
		}).AllX(ctx)
		if n := counter.Count(); n != 2 {
			t.Errorf("%d statements, want 2 (the filter needs its own)", n)
		}
		check(t, people, func(o *ent.Organization) bool { return o.Name != "Org 1" })
	})
	t.Run("the query stays reusable", func(t *testing.T) {
		q := c.User.Query().WithOrganization()
		if n := q.Clone().CountX(ctx); n != 7 {
			t.Errorf("count %d, want 7", n)
		}
		check(t, q.Clone().AllX(ctx), all)
		check(t, q.AllX(ctx), all)
		check(t, q.AllX(ctx), all)
	})
}
