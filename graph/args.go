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

// eventSearch maps an event search.
func eventSearch(w *generated.EventSearch) discover.Search {
	if w == nil {
		return discover.Search{}
	}
	s := discover.Search{Community: deref(w.Community), Group: deref(w.Group), StartsAfter: w.StartsAfter,
		StartsBefore: w.StartsBefore, Kinds: w.Kinds, Statuses: w.Statuses}
	if w.Near != nil {
		s.Near = &discover.Near{Lat: w.Near.Lat, Lng: w.Near.Lng, Km: w.Near.Km}
	}
	return s
}

// point maps a place to measure distances from.
func point(near *generated.NearInput) *queue.Point {
	if near == nil {
		return nil
	}
	return &queue.Point{Lat: near.Lat, Lng: near.Lng}
}
