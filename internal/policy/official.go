package policy

import "fmt"

// GroupRecord is what the official-status requirements look at.
type GroupRecord struct {
	ActiveMembers      int
	Organizations      int
	EventsLastYear     int
	MentoringSignedOff bool
}

// Requirement is one official-status requirement and whether it is met.
type Requirement struct {
	Key    string
	Label  string
	Met    bool
	Detail string
}

// OfficialRequirements checks a group's record against the policy, live.
func OfficialRequirements(p Policy, g GroupRecord) []Requirement {
	return []Requirement{
		{"members", "Active members", g.ActiveMembers >= p.OfficialMinMembers,
			fmt.Sprintf("%d of %d", g.ActiveMembers, p.OfficialMinMembers)},
		{"organizations", "Members from distinct organizations", g.Organizations >= p.OfficialMinOrganizations,
			fmt.Sprintf("%d of %d", g.Organizations, p.OfficialMinOrganizations)},
		{"events", "Events held in the last year", g.EventsLastYear >= p.OfficialMinEvents,
			fmt.Sprintf("%d of %d", g.EventsLastYear, p.OfficialMinEvents)},
		{"mentoring", "Mentoring signed off by the mentor", g.MentoringSignedOff, ""},
	}
}

// AllMet reports whether every requirement is met.
func AllMet(rs []Requirement) bool {
	for _, r := range rs {
		if !r.Met {
			return false
		}
	}
	return true
}

// Handover steps, in order (OpenStack's official-group handover).
const (
	StepMentoring     = "mentoring_complete"
	StepRequirements  = "requirements_met"
	StepLogoRequested = "logo_requested"
	StepLogoReceived  = "logo_received"
	StepPortalUpdated = "portal_updated"
	StepLogoPackSent  = "logo_pack_sent"
	StepSwagShipped   = "swag_kit_shipped"
)

// HandoverStep is one step of the official-status handover and who may do it.
type HandoverStep struct {
	Key   string
	Label string
	// ByMentor: the group's mentor may do it (staff always may).
	ByMentor bool
}

// HandoverSteps lists the steps in the order they are done.
func HandoverSteps() []HandoverStep {
	return []HandoverStep{
		{StepMentoring, "Mentor signs off the mentoring", true},
		{StepRequirements, "Community manager confirms the requirements are met", false},
		{StepLogoRequested, "Logo requested from the logo team", true},
		{StepLogoReceived, "Logo received", true},
		{StepPortalUpdated, "Group page updated on the portal", true},
		{StepLogoPackSent, "Logo pack sent to the organizers, shipping address asked for", true},
		{StepSwagShipped, "Swag kit shipped", false},
	}
}
