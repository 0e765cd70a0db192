package policy

import (
	"strings"

	"github.com/usergroups/usergroups/internal/viewer"
)

// typeAreas names the read area of each type that belongs to one: ent's
// entities (the same names in GraphQL) and the API's own types built from
// them. A type not listed (a community, a person's public profile, a page
// of results, an error) belongs to no area and any token reads it.
var typeAreas = map[string]string{
	// groups
	"Region": viewer.AreaGroups, "Group": viewer.AreaGroups, "Organization": viewer.AreaGroups,
	// events
	"Event": viewer.AreaEvents, "AgendaItem": viewer.AreaEvents, "Sponsor": viewer.AreaEvents,
	"Registration": viewer.AreaEvents, "RegistrationChange": viewer.AreaEvents, "Attendee": viewer.AreaEvents,
	"Certificate": viewer.AreaEvents,
	// roster
	"Role": viewer.AreaRoster, "RoleChange": viewer.AreaRoster, "Invite": viewer.AreaRoster,
	"Election": viewer.AreaRoster, "Candidate": viewer.AreaRoster, "Voter": viewer.AreaRoster,
	"TallyEntry": viewer.AreaRoster, "Membership": viewer.AreaRoster, "MemberAtRisk": viewer.AreaRoster,
	"RoleKindCount": viewer.AreaRoster,
	// applications
	"Application": viewer.AreaApplications, "ApplicationChange": viewer.AreaApplications,
	"Review": viewer.AreaApplications, "ApplicationAnswers": viewer.AreaApplications,
	"ApprovalBlocker": viewer.AreaApplications, "ApprovalQueue": viewer.AreaApplications,
	"QueueCount": viewer.AreaApplications, "Conflict": viewer.AreaApplications,
	"Screening": viewer.AreaApplications, "HandoverChecklist": viewer.AreaApplications,
	"ChecklistItem": viewer.AreaApplications, "FundingReport": viewer.AreaApplications,
	"BudgetLine": viewer.AreaApplications,
	// contributions
	"Contribution": viewer.AreaContributions, "ContributionCount": viewer.AreaContributions,
	"ContributionPoints": viewer.AreaContributions, "TrackRecord": viewer.AreaContributions,
	"Award": viewer.AreaContributions, "AwardNomination": viewer.AreaContributions,
	"AwardSelection": viewer.AreaContributions, "ShowcaseAward": viewer.AreaContributions,
	"Shipment": viewer.AreaContributions, "GlobalEffort": viewer.AreaContributions,
	"GlobalEffortParticipation": viewer.AreaContributions,
	// messages
	"ContactThread": viewer.AreaMessages, "ContactMessage": viewer.AreaMessages,
	"Submission": viewer.AreaMessages, "FeedbackExport": viewer.AreaMessages,
	"TranslationRequest": viewer.AreaMessages, "ActivityRequest": viewer.AreaMessages,
	"ActivityRequestGroup": viewer.AreaMessages, "ActivityReportDraft": viewer.AreaMessages,
	"Report": viewer.AreaMessages, "ReportReply": viewer.AreaMessages,
	"ReportFollowUp": viewer.AreaMessages, "ReportFollowUpReply": viewer.AreaMessages,
	// operations
	"WebhookEndpoint": viewer.AreaOperations, "WebhookDelivery": viewer.AreaOperations,
	"WebhookAttempt": viewer.AreaOperations, "BackgroundJob": viewer.AreaOperations,
	"BackgroundJobError": viewer.AreaOperations, "Message": viewer.AreaOperations,
	"MessageTemplate": viewer.AreaOperations,
	// changes
	"ChangeItem": viewer.AreaChanges, "Change": viewer.AreaChanges, "ChangeFeed": viewer.AreaChanges,
	"ChangeEntry": viewer.AreaChanges,
}

// TypeArea is the read area a token needs to read rows of the named type
// (an ent entity or a GraphQL type; a connection or edge counts as its
// node's type), or "" when any token may.
func TypeArea(name string) string {
	name = strings.TrimSuffix(name, "Connection")
	name = strings.TrimSuffix(name, "Edge")
	return typeAreas[name]
}

// noWriteScope marks a mutation no write scope covers: the step decides
// alone, because no API token may take it (managing tokens and service
// accounts, webhooks; the step refuses with TOKEN_SCOPE) or because it only
// reads (an export, which needs the read areas of what it exports).
const noWriteScope = ""

// mutationScopes names the write scope each mutation needs; a test holds
// every mutation of the schema to an entry.
var mutationScopes = map[string]string{}

func init() {
	for scope, names := range map[string][]string{
		viewer.WriteGroups:    {"updateGroup", "retireGroup", "mergeGroup"},
		viewer.WriteCommunity: {"updateCommunityPolicy", "setMessageTemplate", "retryBackgroundJob"},
		viewer.WriteProfile:   {"updateProfile", "setContact", "setHomeGroup", "setShippingAddress", "updateNoticePreferences"},
		viewer.WriteRoster: {"joinGroup", "leaveGroup", "removeMember", "grantGroupRole", "endGroupRole", "stepDown",
			"revokeRole", "applyToBeAmbassador", "createInvite", "redeemInvite", "revokeInvite", "applyToOrganize",
			"openElection", "nominateCandidate", "respondToNomination", "castVote", "cancelElection", "breakElectionTie"},
		viewer.WriteApplications: {"applyForGroup", "supportGroupApplication", "commentOnApplication",
			"requestApplicationInfo", "updateApplicationProposal", "assignApplicationReviewer", "assignGroupMentor",
			"resolveConflict", "rejectApplication", "withdrawApplication", "approveApplication", "objectToApplication",
			"endorseApplication", "resolveObjection", "applyForOfficialStatus", "completeHandoverStep",
			"requestFunding", "endorseFunding", "approveFunding", "reportFunding", "closeFunding"},
		viewer.WriteEvents: {"createEvent", "updateEvent", "publishEvent", "cancelEvent", "completeEvent",
			"addAgendaItem", "removeAgendaItem", "addSponsor", "removeSponsor", "exportEventAttendees"},
		viewer.WriteRegistrations: {"registerForEvent", "cancelRegistration"},
		viewer.WriteCheckIn:       {"checkIn"},
		viewer.WriteContributions: {"recordContribution", "verifyContribution", "declineContribution",
			"announceGlobalEffort", "joinGlobalEffort", "leaveGlobalEffort", "openAwardSelection", "nominateForAward",
			"decideAwards", "shortlistUserCase", "unshortlistUserCase", "markShipmentShipped"},
		viewer.WriteMessages: {"contactAmbassador", "contactGroupOrganizers", "replyToContact", "reportContactMessage",
			"fileReport", "replyToReport", "triageReport", "closeReport", "exportReport", "sendFeedback",
			"acknowledgeSubmission", "feedbackExport", "forwardFeedback", "markFeedbackDelivered",
			"proposeNewsletterItem", "acceptNewsletterItem", "declineSubmission", "requestActivityReports",
			"answerActivityRequest", "requestTranslation", "takeTranslation", "deliverTranslation",
			"completeTranslation", "cancelTranslation"},
		noWriteScope: {"createAPIToken", "revokeAPIToken", "createWebhookEndpoint", "updateWebhookEndpoint",
			"rotateWebhookSecret", "deleteWebhookEndpoint", "redeliverWebhook",
			"createServiceAccount", "createServiceAccountToken", "deactivateServiceAccount", "startExport"},
	} {
		for _, n := range names {
			mutationScopes[n] = scope
		}
	}
}

// MutationScope is the write scope an API token needs for the named
// mutation; "" when no write scope covers it (the step decides alone), and
// known false for a mutation this table does not know (refused: a new
// mutation must be filed here).
func MutationScope(name string) (scope string, known bool) {
	scope, known = mutationScopes[name]
	return scope, known
}
