package policy

import (
	"slices"

	"github.com/usergroups/usergroups/internal/letters"
)

// mandatoryNotices are the kinds of message a person cannot turn off, the
// one rule for it: decisions about their own requests, everything about a
// report (the reporter's replies from staff, and staff's duty to handle
// one), and the letters that ask them to act (the recognition letter and an
// award both need an address for what is shipped; a disabled webhook
// endpoint needs its owner to fix it). The others are notices
// a person may decline: they also see what happened in the app.
var mandatoryNotices = []letters.Kind{
	letters.KindApplicationApproved, letters.KindApplicationRejected, letters.KindApplicationClosed,
	letters.KindFundingApproved, letters.KindFundingClosed,
	letters.KindReportReceived, letters.KindReportReporterReplied, letters.KindReportTriaged,
	letters.KindReportClosed, letters.KindReportReplied,
	letters.KindOfficialRecognition, letters.KindAwardWon, letters.KindWebhookDisabled,
}

// NoticeMandatory reports whether a person must get messages of kind
// whatever their preferences.
func NoticeMandatory(kind letters.Kind) bool { return slices.Contains(mandatoryNotices, kind) }

// NoticesOff checks the kinds a person turns off: every kind must exist and
// none may be mandatory. It returns them without repeats, in catalog order.
func NoticesOff(kinds []letters.Kind) ([]letters.Kind, error) {
	for _, k := range kinds {
		switch {
		case !letters.Known(k):
			return nil, &FieldError{Field: "off", Reason: string(k) + " is not a kind of message"}
		case NoticeMandatory(k):
			return nil, &FieldError{Field: "off", Reason: string(k) + " cannot be turned off: it is about your own request, a report, or asks you to act"}
		}
	}
	var out []letters.Kind
	for _, k := range letters.Kinds() {
		if slices.Contains(kinds, k) {
			out = append(out, k)
		}
	}
	return out, nil
}

// MessageLanguage is the language a person's messages are written in: the
// one they chose; else the first supported one among the languages their
// profile says they speak; else the community's; else English.
func MessageLanguage(chosen letters.Language, speaks []string, community letters.Language) letters.Language {
	if chosen != "" {
		return chosen
	}
	for _, tag := range speaks {
		if l, ok := letters.ParseLanguage(tag); ok {
			return l
		}
	}
	if community != "" {
		return community
	}
	return letters.English
}
