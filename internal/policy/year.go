package policy

// Award categories of the openEuler preset; a community may name its own.
const (
	AwardOutstandingMember = "OUTSTANDING_MEMBER"
	AwardBestUserCase      = "BEST_USER_CASE"
	AwardBestContent       = "BEST_CONTENT"
)

// DefaultPoints is what a verified contribution of each kind earns in the
// yearly tally unless the community's policy says otherwise: a user case or
// a talk weighs most, turning up at a meeting least.
var DefaultPoints = map[string]int{
	"PARTICIPATION": 1,
	"ARTICLE":       5,
	"TALK":          5,
	"USER_CASE":     8,
	"REFERRAL":      2,
	"FEEDBACK":      2,
	"CODE":          5,
	"DOCS":          3,
	"COMMUNICATION": 2,
	"TRANSLATION":   3,
	"EVENT_HELP":    2,
}

// PointsFor is the points a verified contribution of kind earns under p.
func (p Policy) PointsFor(kind string) int {
	if n, ok := p.ContributionPoints[kind]; ok {
		return n
	}
	return DefaultPoints[kind]
}
