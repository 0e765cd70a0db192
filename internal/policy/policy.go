// Package policy holds a community's programme rules as plain data and the pure
// functions that apply them (name rules, distances, requirement checks). It
// imports nothing from the data layer so every rule is testable on its own.
package policy

import (
	"fmt"
	"io"
	"slices"
	"strconv"

	"github.com/usergroups/usergroups/internal/letters"
)

// AmbassadorScope says where a community's ambassadors serve.
type AmbassadorScope string

// Ambassador scopes.
const (
	// AmbassadorsPerGroup is openEuler's model: each city group has its own ambassadors.
	AmbassadorsPerGroup AmbassadorScope = "GROUP"
	// AmbassadorsPerRegion is OpenStack's model: regional mentors for many groups.
	AmbassadorsPerRegion AmbassadorScope = "REGION"
)

// Policy is the set of numbers and switches that make one community's
// programme differ from another's. Zero in a "max" or "window" field means
// the rule does not apply.
type Policy struct {
	// Preset names the preset the policy started from ("OPENEULER", "OPENSTACK" or "CUSTOM").
	Preset string `json:"preset"`
	// MaxOrganizersPerGroup caps ORGANIZER roles per group; 0 is unlimited.
	MaxOrganizersPerGroup int `json:"maxOrganizersPerGroup"`
	// AmbassadorScope is where ambassadors serve.
	AmbassadorScope AmbassadorScope `json:"ambassadorScope"`
	// MaxAmbassadorsPerScope caps ambassadors per group or region; 0 is unlimited.
	MaxAmbassadorsPerScope int `json:"maxAmbassadorsPerScope"`
	// MinSupporters is how many people must back a new group before approval.
	MinSupporters int `json:"minSupporters"`
	// MinSupporterOrganizations is how many distinct organizations those supporters must come from.
	MinSupporterOrganizations int `json:"minSupporterOrganizations"`
	// RequireMentor says a new group needs a mentor ambassador before approval.
	RequireMentor bool `json:"requireMentor"`
	// ObjectionWindowHours is how long ambassadors may object after approval; 0 approves at once.
	ObjectionWindowHours int `json:"objectionWindowHours"`
	// ConflictRadiusKm is the distance under which another group conflicts; 0 means same city only.
	ConflictRadiusKm float64 `json:"conflictRadiusKm"`
	// MembershipNeedsApproval sends join requests to the group's organizers.
	MembershipNeedsApproval bool `json:"membershipNeedsApproval"`
	// MembershipRequiresArticle asks members for at least one published article link.
	MembershipRequiresArticle bool `json:"membershipRequiresArticle"`
	// LeadersRequirePartner says organizers and ambassadors must work for a partner organization.
	LeadersRequirePartner bool `json:"leadersRequirePartner"`
	// ObligationWindowDays lapses members without a verified contribution in that many days; 0 disables.
	ObligationWindowDays int `json:"obligationWindowDays"`
	// TermLengthDays is the length of organizer and ambassador terms; 0 means they serve until they step down.
	TermLengthDays int `json:"termLengthDays"`
	// FirstTermAppointed says the community appoints first terms and groups elect later ones.
	FirstTermAppointed bool `json:"firstTermAppointed"`
	// OfficialStatusEnabled says groups can be mentored up to official status.
	OfficialStatusEnabled bool `json:"officialStatusEnabled"`
	// OfficialMinMembers is how many active members a group needs for official status.
	OfficialMinMembers int `json:"officialMinMembers"`
	// OfficialMinOrganizations is how many distinct organizations its members must come from.
	OfficialMinOrganizations int `json:"officialMinOrganizations"`
	// OfficialMinEvents is how many events it must have held in the last year.
	OfficialMinEvents int `json:"officialMinEvents"`
	// MaxSponsorPitchMinutes caps a sponsor's pitch in an agenda; 0 is no cap.
	MaxSponsorPitchMinutes int `json:"maxSponsorPitchMinutes"`
	// MaxSponsorPitchesPerEvent caps the sponsors granted a pitch at one
	// meeting, and the sponsor-pitch slots on its agenda; 0 is no cap.
	MaxSponsorPitchesPerEvent int `json:"maxSponsorPitchesPerEvent"`
	// DormantAfterDays marks a group dormant after that many days without events; 0 disables.
	DormantAfterDays int `json:"dormantAfterDays"`
	// ContributionPoints overrides the points a verified contribution of a
	// kind earns in the yearly tally; kinds left out earn DefaultPoints.
	ContributionPoints map[string]int `json:"contributionPoints,omitempty"`
	// AwardCategories are the categories of the annual outstanding-member
	// selection; none means the community runs no selection.
	AwardCategories []string `json:"awardCategories,omitempty"`
	// JoinCertificate issues a membership certificate to each new member.
	JoinCertificate bool `json:"joinCertificate"`
	// JoinSouvenir owes each new member a souvenir shipment.
	JoinSouvenir bool `json:"joinSouvenir"`
	// ReportResponseHours is the staff's response target for a report;
	// past it an untouched report is overdue. 0 sets no target.
	ReportResponseHours int `json:"reportResponseHours"`
	// AnonymousReportsPerDay caps anonymous reports from one network
	// address in 24 hours; 0 refuses anonymous reports.
	AnonymousReportsPerDay int `json:"anonymousReportsPerDay"`
	// ContactsPerDay caps the contact messages one person sends to
	// ambassadors and organizers in 24 hours; 0 turns contact off.
	ContactsPerDay int `json:"contactsPerDay"`
	// FundingSecondApprovalAbove lists, per currency, the amount above
	// which a funding request needs a second staff member's approval (four
	// eyes); a currency not listed takes one approval.
	FundingSecondApprovalAbove []Money `json:"fundingSecondApprovalAbove,omitempty"`
	// MessageLanguage is the language of the community's messages to people
	// who chose none, and of its letters to list addresses; empty is English.
	MessageLanguage letters.Language `json:"messageLanguage,omitempty"`
}

// Preset names.
const (
	PresetOpenEuler = "OPENEULER"
	PresetOpenStack = "OPENSTACK"
	PresetCustom    = "CUSTOM"
)

// OpenEuler returns the preset drawn from openEuler's city user group plan:
// one organizer and ten ambassadors per group, ten supporters from ten
// enterprises, an article to join, yearly obligations and elected later terms.
func OpenEuler() Policy {
	return Policy{
		Preset:                    PresetOpenEuler,
		MaxOrganizersPerGroup:     1,
		AmbassadorScope:           AmbassadorsPerGroup,
		MaxAmbassadorsPerScope:    10,
		MinSupporters:             10,
		MinSupporterOrganizations: 10,
		MembershipNeedsApproval:   true,
		MembershipRequiresArticle: true,
		LeadersRequirePartner:     true,
		ObligationWindowDays:      365,
		TermLengthDays:            365,
		FirstTermAppointed:        true,
		DormantAfterDays:          365,
		AwardCategories:           []string{AwardOutstandingMember, AwardBestUserCase, AwardBestContent},
		JoinCertificate:           true,
		JoinSouvenir:              true,
		ReportResponseHours:       72,
		AnonymousReportsPerDay:    3,
		ContactsPerDay:            10,
		// CNY 5,000: a city meetup's venue and food fit under it; a
		// larger event is checked by two people.
		FundingSecondApprovalAbove: []Money{{Currency: "CNY", Minor: 5000_00}},
	}
}

// OpenStack returns the preset drawn from OpenStack's groups portal and
// ambassador programme: regional ambassadors who serve until they step down,
// a mentor and an objection window for new groups, official status, and short
// sponsor pitches.
func OpenStack() Policy {
	return Policy{
		Preset:                 PresetOpenStack,
		AmbassadorScope:        AmbassadorsPerRegion,
		MaxAmbassadorsPerScope: 3,
		RequireMentor:          true,
		ObjectionWindowHours:   72,
		ConflictRadiusKm:       50,
		OfficialStatusEnabled:  true,
		// Our reading of "meets the requirements": a running group with a
		// real membership and a year of meetings.
		OfficialMinMembers:       20,
		OfficialMinOrganizations: 3,
		OfficialMinEvents:        3,
		MaxSponsorPitchMinutes:   10,
		// One short pitch: a meeting is about the community, not its sponsors.
		MaxSponsorPitchesPerEvent: 1,
		DormantAfterDays:          365,
		ReportResponseHours:       72,
		AnonymousReportsPerDay:    3,
		ContactsPerDay:            10,
		// The regions' usual currencies, at the same bar of 500.
		FundingSecondApprovalAbove: []Money{{Currency: "USD", Minor: 500_00}, {Currency: "EUR", Minor: 500_00}},
	}
}

// ApplicantOrganizes says whether approving a new group makes its applicant
// the group's first organizer. Where leaders must come from partner
// enterprises (openEuler: the community's team selects first-term
// organizers among them), only an applicant who works for one; elsewhere
// (OpenStack) the applicant always does.
func ApplicantOrganizes(p Policy, fromPartner bool) bool {
	return !p.LeadersRequirePartner || fromPartner
}

// Validate reports the first field of p that holds an impossible value.
func (p Policy) Validate() error {
	switch {
	case p.MaxOrganizersPerGroup < 0:
		return &FieldError{Field: "maxOrganizersPerGroup", Reason: "must not be negative"}
	case p.MessageLanguage != "" && !slices.Contains(letters.Languages, p.MessageLanguage):
		return &FieldError{Field: "messageLanguage", Reason: "is not a language messages are written in"}
	case p.AmbassadorScope != AmbassadorsPerGroup && p.AmbassadorScope != AmbassadorsPerRegion:
		return &FieldError{Field: "ambassadorScope", Reason: "must be GROUP or REGION"}
	case p.MaxAmbassadorsPerScope < 0:
		return &FieldError{Field: "maxAmbassadorsPerScope", Reason: "must not be negative"}
	case p.MinSupporters < 0 || p.MinSupporterOrganizations < 0:
		return &FieldError{Field: "minSupporters", Reason: "must not be negative"}
	case p.MinSupporterOrganizations > p.MinSupporters:
		return &FieldError{Field: "minSupporterOrganizations", Reason: "cannot exceed minSupporters"}
	case p.ObjectionWindowHours < 0 || p.ObjectionWindowHours > 24*60:
		return &FieldError{Field: "objectionWindowHours", Reason: "must be between 0 and 1440"}
	case p.ConflictRadiusKm < 0 || p.ConflictRadiusKm > 1000:
		return &FieldError{Field: "conflictRadiusKm", Reason: "must be between 0 and 1000"}
	case p.ObligationWindowDays < 0, p.TermLengthDays < 0, p.DormantAfterDays < 0:
		return &FieldError{Field: "obligationWindowDays", Reason: "day counts must not be negative"}
	case p.OfficialMinMembers < 0 || p.OfficialMinOrganizations < 0 || p.OfficialMinEvents < 0:
		return &FieldError{Field: "officialMinMembers", Reason: "official-status minimums must not be negative"}
	case p.MaxSponsorPitchMinutes < 0:
		return &FieldError{Field: "maxSponsorPitchMinutes", Reason: "must not be negative"}
	case p.MaxSponsorPitchesPerEvent < 0 || p.MaxSponsorPitchesPerEvent > 20:
		return &FieldError{Field: "maxSponsorPitchesPerEvent", Reason: "must be between 0 and 20"}
	case !validThresholds(p.FundingSecondApprovalAbove):
		return &FieldError{Field: "fundingSecondApprovalAbove", Reason: "needs known currencies, each once, with amounts not below 0"}
	}
	return nil
}

// FieldError names the field a rule rejected and why.
type FieldError struct {
	Field  string
	Reason string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }

// MarshalGQL writes the scope as a GraphQL enum value.
func (s AmbassadorScope) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(s))) }

// UnmarshalGQL reads the scope from a GraphQL enum value.
func (s *AmbassadorScope) UnmarshalGQL(v any) error {
	str, ok := v.(string)
	if !ok || (AmbassadorScope(str) != AmbassadorsPerGroup && AmbassadorScope(str) != AmbassadorsPerRegion) {
		return fmt.Errorf("%v is not a valid AmbassadorScope", v)
	}
	*s = AmbassadorScope(str)
	return nil
}
