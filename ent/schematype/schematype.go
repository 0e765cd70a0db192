// Package schematype holds the structured values stored as JSON columns
// (application answers, screening results, the handover checklist) so ent,
// the workflows and GraphQL share one Go type for each.
package schematype

import "time"

// Link is a labelled web address.
type Link struct {
	Label string `json:"label"`
	URL   string `json:"url"`
}

// ApplicationAnswers holds what an applicant wrote; which fields apply
// depends on the application's kind.
type ApplicationAnswers struct {
	// Why the applicant applies (ambassador, organizer).
	Why string `json:"why,omitempty"`
	// Participation describes the applicant's involvement so far.
	Participation string `json:"participation,omitempty"`
	// Ideas the applicant would pursue with time or resources.
	Ideas string `json:"ideas,omitempty"`
	// ProposedName is the display name proposed for a new group.
	ProposedName string `json:"proposedName,omitempty"`
	// City of a proposed group.
	City string `json:"city,omitempty"`
	// Country of a proposed group (ISO 3166-1 alpha-2).
	Country string `json:"country,omitempty"`
	// Latitude of a proposed group.
	Latitude *float64 `json:"latitude,omitempty"`
	// Longitude of a proposed group.
	Longitude *float64 `json:"longitude,omitempty"`
	// Links for a proposed group (meetup page, website).
	Links []Link `json:"links,omitempty"`
	// Description of a proposed group.
	Description string `json:"description,omitempty"`
	// AcceptedCodeOfConduct records that the applicant accepted the community's code of conduct.
	AcceptedCodeOfConduct bool `json:"acceptedCodeOfConduct,omitempty"`
	// Affiliation is the employer or "individual" (membership).
	Affiliation string `json:"affiliation,omitempty"`
	// ArticleURL links a published article (membership where the policy asks for one).
	ArticleURL string `json:"articleUrl,omitempty"`
	// AmountCents is the requested funding in minor units.
	AmountCents int64 `json:"amountCents,omitempty"`
	// Currency of the requested funding (ISO 4217).
	Currency string `json:"currency,omitempty"`
	// Purpose of the requested funding.
	Purpose string `json:"purpose,omitempty"`
	// EventID is the event a funding request is for.
	EventID string `json:"eventId,omitempty"`
	// BudgetLines break a funding request down; their amounts add up to AmountCents.
	BudgetLines []BudgetLine `json:"budgetLines,omitempty"`
}

// BudgetLine is one line of a funding request's budget, in the request's
// currency and minor units (AmountCents is minor units whatever the
// currency's exponent: yen have none, dinars three).
type BudgetLine struct {
	Label       string `json:"label"`
	AmountMinor int64  `json:"amountMinor"`
}

// FundingReport is what an organizer files after a funded activity.
type FundingReport struct {
	// Text says how the activity went and what the money paid for.
	Text string `json:"text"`
	// ReceiptsTotalMinor is the total of the receipts, in the request's currency's minor units.
	ReceiptsTotalMinor int64 `json:"receiptsTotalMinor"`
	// Currency is the request's currency (ISO 4217), kept with the total
	// so the report reads on its own.
	Currency string `json:"currency,omitempty"`
	// FiledByID is the organizer who filed it.
	FiledByID string `json:"filedById"`
	// FiledAt is when it was filed.
	FiledAt time.Time `json:"filedAt"`
}

// Conflict is an existing group that a new group request may overlap.
type Conflict struct {
	GroupID    string  `json:"groupId"`
	Name       string  `json:"name"`
	City       string  `json:"city"`
	Status     string  `json:"status"`
	DistanceKm float64 `json:"distanceKm"`
	// ResolvedAt is when a reviewer settled the overlap; nil while open.
	ResolvedAt *time.Time `json:"resolvedAt,omitempty"`
	// ResolvedBy is the reviewer who settled it.
	ResolvedBy string `json:"resolvedBy,omitempty"`
	// Resolution says how (the groups agreed on areas, one will merge…).
	Resolution string `json:"resolution,omitempty"`
}

// Screening is what automatic checks found when an application arrived.
type Screening struct {
	// Conflicts lists nearby groups of the same community.
	Conflicts []Conflict `json:"conflicts,omitempty"`
	// Flags are warnings for reviewers ("COMMERCIAL", "OFF_TOPIC"); they never reject on their own.
	Flags []string `json:"flags,omitempty"`
	// Missing lists information the request lacks ("link", "description").
	Missing []string `json:"missing,omitempty"`
	// Supporters counts people backing the request so far.
	Supporters int `json:"supporters"`
	// SupporterOrganizations counts distinct organizations among them.
	SupporterOrganizations int `json:"supporterOrganizations"`
	// ScreenedAt is when the checks ran.
	ScreenedAt time.Time `json:"screenedAt"`
}

// Recorded reports whether the checks recorded anything: applications of
// kinds that are not screened hold the zero Screening.
func (s Screening) Recorded() bool {
	return !s.ScreenedAt.IsZero() || len(s.Conflicts) > 0 || len(s.Flags) > 0 || len(s.Missing) > 0 ||
		s.Supporters > 0 || s.SupporterOrganizations > 0
}

// ChecklistItem is one step of the official-status handover.
type ChecklistItem struct {
	Key    string     `json:"key"`
	Label  string     `json:"label"`
	DoneAt *time.Time `json:"doneAt,omitempty"`
	DoneBy string     `json:"doneBy,omitempty"`
}

// HandoverChecklist tracks the official-status handover steps.
type HandoverChecklist struct {
	Items []ChecklistItem `json:"items"`
}

// MessageTemplate is a community's own wording of one kind of letter in one
// language: Go text/template sources for the subject and the body.
type MessageTemplate struct {
	Kind     string `json:"kind"`
	Language string `json:"language"`
	Subject  string `json:"subject"`
	Body     string `json:"body"`
}

// WebhookAttempt is one HTTP attempt of a webhook delivery, as the
// delivery's attempt log keeps it.
type WebhookAttempt struct {
	// At is when the attempt was made.
	At time.Time `json:"at"`
	// StatusCode is the endpoint's HTTP status; 0 when none was received.
	StatusCode int `json:"statusCode,omitempty"`
	// Error says why the attempt failed; empty on success.
	Error string `json:"error,omitempty"`
}

// WebhookAttemptsKept bounds a delivery's attempt log: a full retry
// schedule and a redelivery or two, the latest kept.
const WebhookAttemptsKept = 40
