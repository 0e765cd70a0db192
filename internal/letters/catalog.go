package letters

import "time"

// Kinds of message the workflows queue. Each has a data type below (the
// variables its templates may use), a sample of it that staff's wording is
// checked against, and default wordings in every language under defaults/.
const (
	KindApplicationApproved     Kind = "application_approved"
	KindApplicationRejected     Kind = "application_rejected"
	KindApplicationClosed       Kind = "application_closed"
	KindAmbassadorWelcome       Kind = "ambassador_welcome"
	KindAmbassadorIntroduction  Kind = "ambassador_introduction"
	KindOfficialRecognition     Kind = "official_recognition"
	KindWaitlistPromoted        Kind = "waitlist_promoted"
	KindEventCancelled          Kind = "event_cancelled"
	KindGlobalEffort            Kind = "global_effort"
	KindActivityReportRequested Kind = "activity_report_requested"
	KindFeedbackForwarded       Kind = "feedback_forwarded"
	KindSubmissionDeclined      Kind = "submission_declined"
	KindNewsletterItemAccepted  Kind = "newsletter_item_accepted"
	KindContactMessage          Kind = "contact_message"
	KindGroupRetired            Kind = "group_retired"
	KindGroupMerged             Kind = "group_merged"
	KindGroupMergedIn           Kind = "group_merged_in"
	KindShipmentSent            Kind = "shipment_sent"
	KindObligationWarning       Kind = "obligation_warning"
	KindMembershipLapsed        Kind = "membership_lapsed"
	KindReportReceived          Kind = "report_received"
	KindReportReporterReplied   Kind = "report_reporter_replied"
	KindReportTriaged           Kind = "report_triaged"
	KindReportClosed            Kind = "report_closed"
	KindReportReplied           Kind = "report_replied"
	KindTranslationTaken        Kind = "translation_taken"
	KindTranslationDelivered    Kind = "translation_delivered"
	KindTranslationDone         Kind = "translation_done"
	KindTranslationCancelled    Kind = "translation_cancelled"
	KindElectionNomination      Kind = "election_nomination"
	KindElectionWon             Kind = "election_won"
	KindTermEnded               Kind = "term_ended"
	KindContributionDeclined    Kind = "contribution_declined"
	KindFundingApproved         Kind = "funding_approved"
	KindFundingReported         Kind = "funding_reported"
	KindFundingClosed           Kind = "funding_closed"
	KindAwardWon                Kind = "award_won"
	KindWebhookDisabled         Kind = "webhook_disabled"
)

// WebhookDisabled goes to the owner of a webhook endpoint that stopped
// receiving deliveries.
type WebhookDisabled struct{ Community, URL, Endpoint, Reason string }

// ApplicationApproved goes to the applicant of an approved new group.
type ApplicationApproved struct {
	Community, Group string
	// Organizer says the applicant became the group's organizer (false where
	// the community appoints first organizers from its partner enterprises).
	Organizer bool
	// Mentoring says the community runs official status, so a mentor helps next.
	Mentoring bool
}

// ApplicationRejected goes to the applicant of a rejected application.
type ApplicationRejected struct {
	Community string
	// Reason is the rejection's reason as the reviewer chose it; Note their words.
	Reason, Note string
	// UserGroupPageURL explains what the community's user groups are; WebsiteURL
	// is the community's site, used when there is no such page. Either may be empty.
	UserGroupPageURL, WebsiteURL string
}

// ApplicationClosed goes to an applicant whose request about a group closed
// because the group was archived.
type ApplicationClosed struct {
	Community, Group string
	// Request is the application's kind, e.g. MEMBERSHIP (use {{name .Request}}).
	Request string
	Reason  string
}

// AmbassadorWelcome goes to a new ambassador.
type AmbassadorWelcome struct{ Community string }

// AmbassadorIntroduction goes to the ambassadors' list address: a new ambassador.
type AmbassadorIntroduction struct {
	Community, Person string
	// Where is the region or group they serve; empty when the whole community.
	Where string
}

// OfficialRecognition goes to all leaders of a group that met the
// official-status requirements: it links the logo pack and asks where the
// swag kit goes.
type OfficialRecognition struct {
	// Community is the programme's name, e.g. "OpenStack".
	Community string
	// Group is the group's display name.
	Group string
	// Leaders are the names of the group's organizers, the letter's recipients.
	Leaders []string
	// LogoURL is where the group's logo pack is (Group.logoURL).
	LogoURL string
	// ShippingHowTo says (in English) how a leader gives the swag kit's address through the API.
	ShippingHowTo string
}

// WaitlistPromoted goes to a person moved from the waiting list to GOING.
type WaitlistPromoted struct {
	Community, Event string
	// StartsAt is in the event's time zone.
	StartsAt time.Time
}

// EventCancelled goes to everyone registered for a cancelled event.
type EventCancelled struct {
	Community, Event string
	// StartsAt is in the event's time zone.
	StartsAt time.Time
	// Note is the organizers' reason.
	Note string
}

// GlobalEffort goes to the organizers of each group invited to a global effort.
type GlobalEffort struct {
	Community, Group, Title, Description string
	StartsAt, EndsAt                     time.Time
	// URL links more about the effort; may be empty.
	URL string
}

// ActivityReportRequested goes to a group's organizers when its region asks
// for an activity report.
type ActivityReportRequested struct {
	Community, Region, Group, Title string
	PeriodStart, PeriodEnd, DueAt   time.Time
	// Note is the region's message.
	Note string
}

// FeedbackForwarded goes to staff and organizers when attendee feedback is
// forwarded to the developers.
type FeedbackForwarded struct {
	Community, Title string
	// ProjectArea may be empty.
	ProjectArea string
}

// SubmissionDeclined goes to the author of declined feedback or a declined newsletter item.
type SubmissionDeclined struct {
	Community, Title string
	// Newsletter says it was a newsletter item (else attendee feedback).
	Newsletter bool
	Reason     string
}

// NewsletterItemAccepted goes to the author of an accepted newsletter item.
type NewsletterItemAccepted struct {
	Community, Title string
	// Issue is the month, e.g. 2026-12; Position the item's place in it.
	Issue    string
	Position int
}

// ContactMessage relays a message written through the contact form; it
// names the author by public name and handle only.
type ContactMessage struct {
	Community, Author, Handle string
	// Thread is the thread's subject and ThreadID its id, to answer with replyToContact.
	Thread, ThreadID string
	Body             string
}

// GroupRetired goes to the people who held a role in a retired group.
type GroupRetired struct{ Community, Group, Reason string }

// GroupMerged goes to the people who held a role in a group merged into another.
type GroupMerged struct {
	Community, Group, Survivor, Reason string
	// Moved says the person is now a member of the survivor.
	Moved bool
}

// GroupMergedIn goes to the organizers of the group another one merged into.
type GroupMergedIn struct {
	Community, Group, Survivor, Reason string
	// Newcomers is how many people became members of the survivor.
	Newcomers int
}

// ShipmentSent goes to the person a parcel was sent to.
type ShipmentSent struct {
	Community string
	// Souvenir says it is the new member's souvenir (else a gift package).
	Souvenir bool
	// Carrier and Tracking may be empty.
	Carrier, Tracking string
}

// ObligationWarning goes to a member whose yearly contribution is due soon.
type ObligationWarning struct {
	Community, Group string
	DaysLeft         int
	DueAt            time.Time
	// Pending counts their contributions waiting for verification.
	Pending int
}

// MembershipLapsed goes to a member whose membership ended for want of a
// verified contribution in the window From–To.
type MembershipLapsed struct {
	Community, Group string
	From, To         time.Time
}

// Report is the data of every message about a report: it names the report,
// never its content, as a mailbox is less private than the board.
type Report struct {
	Community string
	// Kind is the report's kind, e.g. CODE_OF_CONDUCT (use {{name .Kind}}).
	Kind, ReportID string
	// AboutMessage says the report is about a relayed contact message.
	AboutMessage bool
}

// Translation is the data of the messages about a translation request.
type Translation struct {
	Community, Title string
	// Link is the delivered translation (translation_delivered only).
	Link string
}

// ElectionNomination goes to a person someone else nominated.
type ElectionNomination struct {
	Community, Group string
	// Role is the office, e.g. ORGANIZER (use {{name .Role}}).
	Role     string
	ClosesAt time.Time
}

// ElectionWon goes to a person elected.
type ElectionWon struct {
	Community, Group, Role string
	Term                   int
}

// TermEnded goes to a person whose term ended.
type TermEnded struct {
	Community, Role string
	// Where is the group's name, or the community's for a community-wide role.
	Where string
	Term  int
}

// ContributionDeclined goes to a person whose recorded contribution was declined.
type ContributionDeclined struct{ Community, Title, Reason string }

// FundingApproved goes to the applicant of approved funding.
type FundingApproved struct{ Community, Amount, Currency, Purpose string }

// FundingReported goes to the approver when the organizers report on funding.
type FundingReported struct {
	Community, Group, Amount, Currency string
	ReceiptsTotal, Report              string
}

// FundingClosed goes to the applicant when staff close reported funding.
type FundingClosed struct{ Community, Purpose string }

// AwardWon goes to a person who won an award; a gift package follows.
type AwardWon struct {
	Community, Award string
	Year, Rank       int
}

var (
	sampleDay  = time.Date(2026, 3, 14, 19, 0, 0, 0, time.FixedZone("CET", 3600))
	sampleDay2 = time.Date(2026, 4, 30, 0, 0, 0, 0, time.UTC)
)

// catalog is every kind with its sample data, in the order staff see them.
// A kind without defaults in every language fails TestCatalog.
var catalog = []struct {
	kind   Kind
	sample any
}{
	{KindApplicationApproved, ApplicationApproved{Community: "Example", Group: "Lyon", Organizer: true, Mentoring: true}},
	{KindApplicationRejected, ApplicationRejected{Community: "OpenStack", Reason: "not a user group", Note: "This is a general IT meetup.",
		UserGroupPageURL: "https://groups.example.org/about", WebsiteURL: "https://example.org"}},
	{KindApplicationClosed, ApplicationClosed{Community: "Example", Group: "Lyon", Request: "MEMBERSHIP", Reason: "the group was retired"}},
	{KindAmbassadorWelcome, AmbassadorWelcome{Community: "Example"}},
	{KindAmbassadorIntroduction, AmbassadorIntroduction{Community: "Example", Person: "Ada Lovelace", Where: "Europe"}},
	{KindOfficialRecognition, OfficialRecognition{Community: "Example", Group: "Example City User Group", Leaders: []string{"Ada", "Grace"},
		LogoURL: "https://logos.example.org/example-city.zip", ShippingHowTo: ShippingHowTo}},
	{KindWaitlistPromoted, WaitlistPromoted{Community: "Example", Event: "Spring meetup", StartsAt: sampleDay}},
	{KindEventCancelled, EventCancelled{Community: "Example", Event: "Spring meetup", StartsAt: sampleDay, Note: "The venue closed."}},
	{KindGlobalEffort, GlobalEffort{Community: "Example", Group: "Lyon", Title: "Docs sprint", Description: "A week of documentation.",
		StartsAt: sampleDay, EndsAt: sampleDay2, URL: "https://example.org/sprint"}},
	{KindActivityReportRequested, ActivityReportRequested{Community: "Example", Region: "Europe", Group: "Lyon", Title: "Q1",
		PeriodStart: sampleDay, PeriodEnd: sampleDay2, DueAt: sampleDay2, Note: "A few lines are enough."}},
	{KindFeedbackForwarded, FeedbackForwarded{Community: "Example", Title: "Installer is slow", ProjectArea: "installer"}},
	{KindSubmissionDeclined, SubmissionDeclined{Community: "Example", Title: "Our meetup", Newsletter: true, Reason: "Too late for this issue."}},
	{KindNewsletterItemAccepted, NewsletterItemAccepted{Community: "Example", Title: "Our meetup", Issue: "2026-12", Position: 2}},
	{KindContactMessage, ContactMessage{Community: "Example", Author: "Ada Lovelace", Handle: "ada", Thread: "Hosting",
		ThreadID: "cth_01", Body: "We can host you."}},
	{KindGroupRetired, GroupRetired{Community: "Example", Group: "Lyon", Reason: "no events for two years"}},
	{KindGroupMerged, GroupMerged{Community: "Example", Group: "Villeurbanne", Survivor: "Lyon", Reason: "same city", Moved: true}},
	{KindGroupMergedIn, GroupMergedIn{Community: "Example", Group: "Villeurbanne", Survivor: "Lyon", Reason: "same city", Newcomers: 3}},
	{KindShipmentSent, ShipmentSent{Community: "Example", Carrier: "La Poste", Tracking: "6A123"}},
	{KindObligationWarning, ObligationWarning{Community: "Example", Group: "Lyon", DaysLeft: 30, DueAt: sampleDay2, Pending: 1}},
	{KindMembershipLapsed, MembershipLapsed{Community: "Example", Group: "Lyon", From: sampleDay, To: sampleDay2}},
	{KindReportReceived, Report{Community: "Example", Kind: "CODE_OF_CONDUCT", ReportID: "rep_01"}},
	{KindReportReporterReplied, Report{Community: "Example", Kind: "CODE_OF_CONDUCT", ReportID: "rep_01"}},
	{KindReportTriaged, Report{Community: "Example", Kind: "CODE_OF_CONDUCT", ReportID: "rep_01"}},
	{KindReportClosed, Report{Community: "Example", Kind: "CODE_OF_CONDUCT", ReportID: "rep_01"}},
	{KindReportReplied, Report{Community: "Example", Kind: "CODE_OF_CONDUCT", ReportID: "rep_01"}},
	{KindTranslationTaken, Translation{Community: "Example", Title: "Install guide"}},
	{KindTranslationDelivered, Translation{Community: "Example", Title: "Install guide", Link: "https://example.org/zh/install"}},
	{KindTranslationDone, Translation{Community: "Example", Title: "Install guide"}},
	{KindTranslationCancelled, Translation{Community: "Example", Title: "Install guide"}},
	{KindElectionNomination, ElectionNomination{Community: "Example", Group: "Lyon", Role: "ORGANIZER", ClosesAt: sampleDay2}},
	{KindElectionWon, ElectionWon{Community: "Example", Group: "Lyon", Role: "ORGANIZER", Term: 2}},
	{KindTermEnded, TermEnded{Community: "Example", Role: "AMBASSADOR", Where: "Lyon", Term: 1}},
	{KindContributionDeclined, ContributionDeclined{Community: "Example", Title: "A talk", Reason: "No link to the talk."}},
	{KindFundingApproved, FundingApproved{Community: "Example", Amount: "300.00", Currency: "EUR", Purpose: "Room hire"}},
	{KindFundingReported, FundingReported{Community: "Example", Group: "Lyon", Amount: "300.00", Currency: "EUR",
		ReceiptsTotal: "280.00", Report: "Forty people came."}},
	{KindFundingClosed, FundingClosed{Community: "Example", Purpose: "Room hire"}},
	{KindAwardWon, AwardWon{Community: "Example", Award: "Outstanding member", Year: 2026, Rank: 1}},
	{KindWebhookDisabled, WebhookDisabled{Community: "Example", URL: "https://hooks.example.org/usergroups",
		Endpoint: "whe_01J0000000000000000000000", Reason: "the receiver answered 500 on every attempt for a day"}},
}
