package seed

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/usergroups/usergroups/ent"
)

// TestPlanDoesNotDependOnNow builds the data set in memory (no database) for
// reference times on different weekdays, months and around a new year. Who
// exists, what they are called and how they relate stays the same; only dates
// move. Every volume minimum holds whatever the date.
func TestPlanDoesNotDependOnNow(t *testing.T) {
	nows := []time.Time{
		time.Date(2025, 6, 18, 9, 30, 0, 0, time.UTC),
		time.Date(2026, 1, 2, 23, 59, 0, 0, time.UTC),
		time.Date(2024, 2, 29, 4, 0, 0, 0, time.UTC),
		time.Date(2027, 11, 7, 15, 45, 0, 0, time.UTC),
	}
	var first []string
	for i, now := range nows {
		g := newGen(ent.NewClient(), now)
		g.build()
		checkMinimums(t, now, g)
		got := identity(g)
		if i == 0 {
			first = got
			continue
		}
		if len(got) != len(first) {
			t.Errorf("Now=%s: %d identity lines, want %d", now, len(got), len(first))
		}
		for k := range min(len(got), len(first)) {
			if got[k] != first[k] {
				t.Errorf("Now=%s changes identity: %q, was %q", now, got[k], first[k])
				break
			}
		}
	}
}

func checkMinimums(t *testing.T, now time.Time, g *gen) {
	t.Helper()
	b := &g.b
	open := 0
	for _, a := range g.apps {
		if a.decided.IsZero() {
			open++
		}
	}
	t.Logf("Now=%s: %d users, %d events, %d registrations, %d contributions, %d open applications",
		now.Format(time.DateOnly), len(b.users), len(b.events), len(b.registrations), len(b.contributions), open)
	for _, c := range []struct {
		what     string
		got, min int
	}{
		{"groups", len(b.groups), 60}, {"users", len(b.users), 3000}, {"organizations", len(b.organizations), 300},
		{"events", len(b.events), 400}, {"registrations", len(b.registrations), 10000},
		{"open applications", open, 40}, {"contributions", len(b.contributions), 2000}, {"awards", len(b.awards), 10},
		{"elections", len(b.elections), 3}, {"voters", len(b.voters), 20},
	} {
		if c.got < c.min {
			t.Errorf("Now=%s: %d %s, want at least %d", now, c.got, c.what, c.min)
		}
	}
}

// identity lists what must not move with Now: ids with names, handles,
// statuses and relationships of people, organizations, groups, events,
// applications and elections (with their candidates and tallies).
func identity(g *gen) []string {
	var out []string
	for _, p := range g.people {
		org := ""
		if p.org != nil {
			org = string(p.org.id)
		}
		out = append(out, fmt.Sprintf("user %s %s %s %s %s", p.id, p.handle, p.name, p.city, org))
	}
	for _, o := range g.orgs {
		out = append(out, fmt.Sprintf("org %s %s %d", o.id, o.name, len(o.partnerOf)))
	}
	for _, gr := range g.groups {
		mentor := ""
		if gr.mentor != nil {
			mentor = string(gr.mentor.id)
		}
		out = append(out, fmt.Sprintf("group %s %s %s %s %d", gr.id, gr.pl.Name, gr.status, mentor, len(gr.members)))
		for _, m := range gr.members {
			out = append(out, fmt.Sprintf("member %s %s %s", gr.id, m.p.id, m.status))
		}
	}
	for _, e := range g.events {
		out = append(out, fmt.Sprintf("event %s %s %s %s %s %d", e.id, e.g.id, e.kind, e.status, e.vis, e.capacity))
	}
	for _, a := range g.apps {
		gr := ""
		if a.gr != nil {
			gr = string(a.gr.id)
		}
		out = append(out, fmt.Sprintf("app %s %s %s %s %s %d", a.id, a.kind, a.status, a.applicant.id, gr, len(a.tl.entries)))
	}
	for _, e := range g.elections {
		out = append(out, fmt.Sprintf("election %s %s %s %d %s %d", e.id, e.gr.id, e.status, e.term, e.openedBy.id, len(e.voters)))
		for _, cd := range e.cands {
			out = append(out, fmt.Sprintf("candidate %s %s %s %s %d %v", cd.id, cd.p.id, cd.by.id, cd.status, cd.votes, cd.elected))
		}
	}
	return slices.Clip(out)
}
