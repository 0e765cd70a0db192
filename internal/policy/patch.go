package policy

import (
	"slices"
	"strconv"

	"github.com/usergroups/usergroups/internal/letters"
)

// Patch is a change to some of a community's policy values: a nil field is
// left as it is. The preset is not among them: it names where the policy
// started from, whatever staff change later.
type Patch struct {
	MaxOrganizersPerGroup     *int
	AmbassadorScope           *AmbassadorScope
	MaxAmbassadorsPerScope    *int
	MinSupporters             *int
	MinSupporterOrganizations *int
	RequireMentor             *bool
	ObjectionWindowHours      *int
	ConflictRadiusKm          *float64
	MembershipNeedsApproval   *bool
	MembershipRequiresArticle *bool
	LeadersRequirePartner     *bool
	ObligationWindowDays      *int
	TermLengthDays            *int
	FirstTermAppointed        *bool
	OfficialStatusEnabled     *bool
	OfficialMinMembers        *int
	OfficialMinOrganizations  *int
	OfficialMinEvents         *int
	MaxSponsorPitchMinutes    *int
	MaxSponsorPitchesPerEvent *int
	DormantAfterDays          *int
	// ContributionPoints sets the points of the kinds listed; the other
	// kinds keep theirs.
	ContributionPoints []KindPoints
	// AwardCategories replaces the award categories when not nil (an empty
	// list: the community runs no selection).
	AwardCategories        []string
	JoinCertificate        *bool
	JoinSouvenir           *bool
	ReportResponseHours    *int
	AnonymousReportsPerDay *int
	ContactsPerDay         *int
	// FundingSecondApprovalAbove replaces the four-eyes thresholds when
	// not nil (an empty list: one approval for any amount).
	FundingSecondApprovalAbove []MoneyInput
	// MessageLanguage sets the community's message language when not nil.
	MessageLanguage *letters.Language
}

// Bounds on the values staff may set. Beyond them a value is a typo (a
// window of years, a cap nobody could reach), not a programme rule.
const (
	maxCap     = 1000      // organizers, ambassadors, supporters, official-status minimums
	maxDays    = 10 * 365  // obligation window, terms, dormancy
	maxHours   = 24 * 60   // objection window (60 days), as Validate allows
	maxRadius  = 1000.0    // km, as Validate allows
	maxMinutes = 4 * 60    // a sponsor pitch
	maxPitches = 20        // sponsor pitches at one event, as Validate allows
	maxMembers = 1_000_000 // official status: active members
	maxPerDay  = 1000      // anonymous reports, contact messages
)

// Apply returns p with the patch's values, checking each value given (the
// error names its field) and then the rules between fields.
func (pt Patch) Apply(p Policy) (Policy, error) {
	ints := []struct {
		field string
		v     *int
		dst   *int
		max   int
	}{
		{"maxOrganizersPerGroup", pt.MaxOrganizersPerGroup, &p.MaxOrganizersPerGroup, maxCap},
		{"maxAmbassadorsPerScope", pt.MaxAmbassadorsPerScope, &p.MaxAmbassadorsPerScope, maxCap},
		{"minSupporters", pt.MinSupporters, &p.MinSupporters, maxCap},
		{"minSupporterOrganizations", pt.MinSupporterOrganizations, &p.MinSupporterOrganizations, maxCap},
		{"objectionWindowHours", pt.ObjectionWindowHours, &p.ObjectionWindowHours, maxHours},
		{"obligationWindowDays", pt.ObligationWindowDays, &p.ObligationWindowDays, maxDays},
		{"termLengthDays", pt.TermLengthDays, &p.TermLengthDays, maxDays},
		{"officialMinMembers", pt.OfficialMinMembers, &p.OfficialMinMembers, maxMembers},
		{"officialMinOrganizations", pt.OfficialMinOrganizations, &p.OfficialMinOrganizations, maxCap},
		{"officialMinEvents", pt.OfficialMinEvents, &p.OfficialMinEvents, maxCap},
		{"maxSponsorPitchMinutes", pt.MaxSponsorPitchMinutes, &p.MaxSponsorPitchMinutes, maxMinutes},
		{"maxSponsorPitchesPerEvent", pt.MaxSponsorPitchesPerEvent, &p.MaxSponsorPitchesPerEvent, maxPitches},
		{"dormantAfterDays", pt.DormantAfterDays, &p.DormantAfterDays, maxDays},
		{"reportResponseHours", pt.ReportResponseHours, &p.ReportResponseHours, maxHours},
		{"anonymousReportsPerDay", pt.AnonymousReportsPerDay, &p.AnonymousReportsPerDay, maxPerDay},
		{"contactsPerDay", pt.ContactsPerDay, &p.ContactsPerDay, maxPerDay},
	}
	for _, f := range ints {
		if f.v == nil {
			continue
		}
		if *f.v < 0 || *f.v > f.max {
			return p, &FieldError{Field: f.field, Reason: "must be between 0 and " + strconv.Itoa(f.max)}
		}
		*f.dst = *f.v
	}
	if v := pt.ConflictRadiusKm; v != nil {
		if !(*v >= 0 && *v <= maxRadius) { // NaN fails too
			return p, &FieldError{Field: "conflictRadiusKm", Reason: "must be between 0 and 1000"}
		}
		p.ConflictRadiusKm = *v
	}
	if v := pt.AmbassadorScope; v != nil {
		if *v != AmbassadorsPerGroup && *v != AmbassadorsPerRegion {
			return p, &FieldError{Field: "ambassadorScope", Reason: "must be GROUP or REGION"}
		}
		p.AmbassadorScope = *v
	}
	bools := []struct {
		v   *bool
		dst *bool
	}{
		{pt.RequireMentor, &p.RequireMentor},
		{pt.MembershipNeedsApproval, &p.MembershipNeedsApproval},
		{pt.MembershipRequiresArticle, &p.MembershipRequiresArticle},
		{pt.LeadersRequirePartner, &p.LeadersRequirePartner},
		{pt.FirstTermAppointed, &p.FirstTermAppointed},
		{pt.OfficialStatusEnabled, &p.OfficialStatusEnabled},
		{pt.JoinCertificate, &p.JoinCertificate},
		{pt.JoinSouvenir, &p.JoinSouvenir},
	}
	for _, b := range bools {
		if b.v != nil {
			*b.dst = *b.v
		}
	}
	if err := applyPoints(&p, pt.ContributionPoints); err != nil {
		return p, err
	}
	if pt.AwardCategories != nil {
		if err := CheckAwardCategories(pt.AwardCategories); err != nil {
			return p, err
		}
		p.AwardCategories = slices.Clone(pt.AwardCategories)
	}
	if pt.MessageLanguage != nil {
		p.MessageLanguage = *pt.MessageLanguage
	}
	if pt.FundingSecondApprovalAbove != nil {
		ts, err := parseThresholds("fundingSecondApprovalAbove", pt.FundingSecondApprovalAbove)
		if err != nil {
			return p, err
		}
		p.FundingSecondApprovalAbove = ts
	}
	if p.MinSupporterOrganizations > p.MinSupporters {
		return p, &FieldError{Field: "minSupporterOrganizations", Reason: "cannot exceed minSupporters (" + strconv.Itoa(p.MinSupporters) + ")"}
	}
	return p, p.Validate()
}
