package policy

import (
	"math"
	"regexp"
	"slices"
	"strings"
)

// earthRadiusKm is the mean Earth radius used by DistanceKm.
const earthRadiusKm = 6371.0088

// DistanceKm is the great-circle (haversine) distance between two points
// given in degrees.
func DistanceKm(lat1, lon1, lat2, lon2 float64) float64 {
	rad := math.Pi / 180
	dLat := (lat2 - lat1) * rad
	dLon := (lon2 - lon1) * rad
	a := math.Sin(dLat/2)*math.Sin(dLat/2) +
		math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earthRadiusKm * math.Asin(math.Min(1, math.Sqrt(a)))
}

// Place is where a group meets, as conflict checks see it.
type Place struct {
	ID        string
	Name      string
	City      string
	Country   string
	Status    string
	Latitude  *float64
	Longitude *float64
}

// Conflict is an existing group that overlaps a proposed one.
type Conflict struct {
	Place
	// DistanceKm is the distance between the two, or -1 when either has no coordinates.
	DistanceKm float64
}

// FindConflicts lists the existing groups a proposed group overlaps: the same
// city (and country), or — when the policy has a radius and both have
// coordinates — closer than the radius. Nearest first.
func FindConflicts(p Policy, proposed Place, existing []Place) []Conflict {
	var out []Conflict
	for _, e := range existing {
		if e.ID != "" && e.ID == proposed.ID {
			continue
		}
		dist := -1.0
		if proposed.Latitude != nil && proposed.Longitude != nil && e.Latitude != nil && e.Longitude != nil {
			dist = math.Round(DistanceKm(*proposed.Latitude, *proposed.Longitude, *e.Latitude, *e.Longitude)*10) / 10
		}
		sameCity := strings.EqualFold(strings.TrimSpace(e.City), strings.TrimSpace(proposed.City)) && e.Country == proposed.Country
		near := p.ConflictRadiusKm > 0 && dist >= 0 && dist <= p.ConflictRadiusKm
		if sameCity || near {
			out = append(out, Conflict{Place: e, DistanceKm: dist})
		}
	}
	slices.SortStableFunc(out, func(a, b Conflict) int {
		switch {
		case a.DistanceKm == b.DistanceKm:
			return strings.Compare(a.Name, b.Name)
		case a.DistanceKm < 0:
			return 1
		case b.DistanceKm < 0:
			return -1
		case a.DistanceKm < b.DistanceKm:
			return -1
		}
		return 1
	})
	return out
}

// Screening flags: warnings for reviewers. They never reject on their own.
const (
	FlagCommercial = "COMMERCIAL"
	FlagOffTopic   = "OFF_TOPIC"
)

// Missing-information markers.
const (
	MissingLink        = "link"
	MissingDescription = "description"
	MissingLocation    = "coordinates"
	// MissingSupporters: fewer backers, or backers from fewer organizations,
	// than the policy asks for before approval.
	MissingSupporters = "supporters"
)

var commercialWords = regexp.MustCompile(`(?i)\b(buy|sale|sales|discount|cheap|promo(tion)?|offer|pricing|hosting plans?|reseller|coupon|free trial|shop)\b`)

// generalTopics are signs of a general IT group rather than a user group of
// the community's project.
var generalTopics = regexp.MustCompile(`(?i)\b(it professionals?|tech(nology)? (meetup|club)|developers? (meetup|club)|programming|web design|general it)\b`)

// Request is what a new-group request says about itself, for screening.
type Request struct {
	Name        string
	Description string
	Links       []string
	HasLocation bool
	// Supporters are the backers counted so far.
	Supporters Supporters
}

// Screen returns the flags and the missing information of a request for a
// community whose project is called project (e.g. "OpenStack") and whose
// policy is p: supporters are missing while fewer than the policy's
// minimums back the request, the same numbers approval checks.
func Screen(p Policy, project string, r Request) (flags, missing []string) {
	text := r.Name + " " + r.Description + " " + strings.Join(r.Links, " ")
	if commercialWords.MatchString(text) {
		flags = append(flags, FlagCommercial)
	}
	mentions := project != "" && strings.Contains(strings.ToLower(text), strings.ToLower(project))
	if !mentions && (generalTopics.MatchString(text) || strings.TrimSpace(r.Description) != "") {
		flags = append(flags, FlagOffTopic)
	}
	if len(r.Links) == 0 {
		missing = append(missing, MissingLink)
	}
	if strings.TrimSpace(r.Description) == "" {
		missing = append(missing, MissingDescription)
	}
	if !r.HasLocation {
		missing = append(missing, MissingLocation)
	}
	if SupportersMissing(p, r.Supporters) {
		missing = append(missing, MissingSupporters)
	}
	return flags, missing
}

// Supporters counts the backers of a new-group request.
type Supporters struct {
	People        int
	Organizations int
}

// SupportersMissing reports whether s are fewer people, or people from fewer
// organizations, than p asks to back a new group before approval.
func SupportersMissing(p Policy, s Supporters) bool {
	return s.People < p.MinSupporters || s.Organizations < p.MinSupporterOrganizations
}

// Blocker is one reason a request cannot be approved yet.
type Blocker struct {
	Code    string
	Message string
}

// Approval blockers.
const (
	BlockerOpenConflicts  = "OPEN_CONFLICTS"
	BlockerNoMentor       = "NO_MENTOR"
	BlockerFewSupporters  = "FEW_SUPPORTERS"
	BlockerFewOrgs        = "FEW_SUPPORTER_ORGANIZATIONS"
	BlockerOpenObjections = "OPEN_OBJECTIONS"
)

// ApprovalState is what the approval rules look at.
type ApprovalState struct {
	UnresolvedConflicts int
	HasMentor           bool
	Supporters          Supporters
	OpenObjections      int
}

// NewGroupBlockers lists what stops a new-group request from being approved
// under p; none means it may be approved.
func NewGroupBlockers(p Policy, s ApprovalState) []Blocker {
	var out []Blocker
	if s.UnresolvedConflicts > 0 {
		out = append(out, Blocker{BlockerOpenConflicts, "resolve the conflicts with nearby groups first"})
	}
	if p.RequireMentor && !s.HasMentor {
		out = append(out, Blocker{BlockerNoMentor, "assign a mentor ambassador first"})
	}
	if s.Supporters.People < p.MinSupporters {
		out = append(out, Blocker{BlockerFewSupporters, "the group needs more supporters"})
	}
	if s.Supporters.Organizations < p.MinSupporterOrganizations {
		out = append(out, Blocker{BlockerFewOrgs, "the supporters must come from more organizations"})
	}
	if s.OpenObjections > 0 {
		out = append(out, Blocker{BlockerOpenObjections, "an ambassador's objection is still open"})
	}
	return out
}
