package viewer

import (
	"slices"
	"strings"
)

// Read areas: what a token may read, by area of the programme. A token
// without an area is refused (FORBIDDEN, naming the area) when it asks for
// that area's data; everything else it reads as its owner would.
const (
	AreaGroups        = "groups"        // regions, groups, organizations
	AreaEvents        = "events"        // events, agendas, sponsors, certificates
	AreaRoster        = "roster"        // roles, invitations, elections
	AreaApplications  = "applications"  // applications of every kind (funding too) and their reviews
	AreaContributions = "contributions" // contributions, awards, global efforts
	AreaMessages      = "messages"      // contact threads, submissions, translation and activity requests
	AreaOperations    = "operations"    // webhooks, deliveries, background jobs, the outbox, templates
	AreaChanges       = "changes"       // the change feed, polled or live
)

// Write scopes: one per process a token may take steps in.
const (
	WriteGroups        = "groups:write"
	WriteRoster        = "roster:write"
	WriteApplications  = "applications:write"
	WriteEvents        = "events:write"
	WriteRegistrations = "registrations:write"
	WriteCheckIn       = "checkin"
	WriteContributions = "contributions:write"
	WriteMessages      = "messages:write"
	WriteProfile       = "profile:write"
	WriteCommunity     = "community:write"
)

// ReadAreas lists every read area, in their documented order.
func ReadAreas() []string {
	return []string{AreaGroups, AreaEvents, AreaRoster, AreaApplications, AreaContributions, AreaMessages, AreaOperations, AreaChanges}
}

// WriteScopes lists every write scope, in their documented order.
func WriteScopes() []string {
	return []string{WriteGroups, WriteRoster, WriteApplications, WriteEvents, WriteRegistrations, WriteCheckIn,
		WriteContributions, WriteMessages, WriteProfile, WriteCommunity}
}

// Scopes lists every scope a token may carry: the two broad ones, then the
// read areas, then the write scopes; the order tokens store them in.
func Scopes() []string {
	return slices.Concat([]string{ScopeRead, ScopeWrite}, ReadAreas(), WriteScopes())
}

// ImpliedBy lists what scope holds besides itself: read every area, write
// every scope, and a process's write scope the area its steps answer with
// (a check-in returns the registration's event) and the groups area, as
// every process happens in a group.
func ImpliedBy(scope string) []string {
	switch scope {
	case ScopeRead:
		return ReadAreas()
	case ScopeWrite:
		return slices.Concat([]string{ScopeRead}, ReadAreas(), WriteScopes())
	case WriteGroups, WriteCommunity, WriteProfile:
		return []string{AreaGroups}
	case WriteRoster:
		return []string{AreaRoster, AreaGroups}
	case WriteApplications:
		return []string{AreaApplications, AreaGroups}
	case WriteEvents, WriteRegistrations, WriteCheckIn:
		return []string{AreaEvents, AreaGroups}
	case WriteContributions:
		return []string{AreaContributions, AreaGroups}
	case WriteMessages:
		return []string{AreaMessages, AreaGroups}
	}
	return nil
}

// IsWriteScope reports whether scope lets a token take steps.
func IsWriteScope(scope string) bool {
	return scope == ScopeWrite || slices.Contains(WriteScopes(), scope)
}

// ScopeName is the GraphQL enum value of a stored scope (events:write is
// EVENTS_WRITE).
func ScopeName(scope string) string {
	return strings.ToUpper(strings.ReplaceAll(scope, ":", "_"))
}

// ScopeFromName is the stored scope of a GraphQL enum value, the inverse of
// ScopeName; an unknown name gives "".
func ScopeFromName(name string) string {
	for _, s := range Scopes() {
		if ScopeName(s) == strings.ToUpper(strings.TrimSpace(name)) {
			return s
		}
	}
	return ""
}

// Held lists the scopes the request holds, in Scopes order: a token's and
// what they imply; every scope for a signed-in person or the system; none
// for an anonymous request.
func (v *Viewer) Held() []string {
	var out []string
	for _, s := range Scopes() {
		if v.HasScope(s) {
			out = append(out, s)
		}
	}
	return out
}
