package graph

import (
	"github.com/usergroups/usergroups/graph/generated"
	"github.com/usergroups/usergroups/internal/discover"
	"github.com/usergroups/usergroups/internal/queue"
)

// Mappings from GraphQL arguments to the read functions' own terms. They
// decide nothing: absent arguments become zero values, which the read
// functions treat as "no filter" and check where they must.

// queueAsk maps an approval queue filter.
func queueAsk(f *generated.ApprovalQueueFilter) queue.Ask {
	if f == nil {
		return queue.Ask{}
	}
	return queue.Ask{Kinds: f.Kinds, Statuses: f.Statuses, Region: deref(f.Region), AssignedToMe: deref(f.AssignedToMe),
		HasConflicts: f.HasConflicts, HasOpenObjections: f.HasOpenObjections, OlderThanHours: deref(f.OlderThanHours)}
}

// circle maps the place and radius of an event search.
func circle(near *generated.NearInput) *discover.Near {
	if near == nil {
		return nil
	}
	return &discover.Near{Lat: near.Lat, Lng: near.Lng, Km: near.Km}
}

// point maps a place to measure distances from, with its optional radius.
func point(near *generated.NearInput) *queue.Point {
	if near == nil {
		return nil
	}
	return &queue.Point{Lat: near.Lat, Lng: near.Lng, Km: near.Km}
}
