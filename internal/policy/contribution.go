package policy

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// ContributionKinds lists the kinds of contribution in the order they are
// shown, one per member obligation: the order policy values are listed in.
var ContributionKinds = []string{
	"PARTICIPATION", "ARTICLE", "TALK", "USER_CASE", "REFERRAL", "FEEDBACK",
	"CODE", "DOCS", "COMMUNICATION", "TRANSLATION", "EVENT_HELP",
}

// automaticKinds are recorded by the system only (a check-in, a redeemed
// invite): a member claiming them by hand would count twice.
var automaticKinds = []string{"PARTICIPATION", "REFERRAL"}

// linkedKinds are the kinds whose work can be seen somewhere, so the
// member gives its address for the reviewer to check.
var linkedKinds = []string{"ARTICLE", "TALK", "CODE", "DOCS", "COMMUNICATION"}

// ContributionLookback is how far back a member may record a contribution:
// a year and a day, so last year's meetup on the same date still counts.
const ContributionLookback = 366 * 24 * time.Hour

// Bounds of the texts and lists of contributions, profiles and policies.
const (
	MaxContributionTitle  = 200
	MaxDeclineReason      = 500
	MaxContributionPoints = 100
	MaxAwardCategories    = 10
	MaxProfileLanguages   = 10
	MaxProfileLinks       = 10
	MaxLinkLabel          = 50
)

// AutomaticContribution reports whether kind is recorded only by the system.
func AutomaticContribution(kind string) bool { return slices.Contains(automaticKinds, kind) }

// ContributionClaim is what a member records of their own contribution.
type ContributionClaim struct {
	Kind, Title, URL string
	OccurredOn       time.Time
}

// CheckContribution checks a member's claim at now: a kind they may record
// by hand, a title of 1–200 characters, a link where the kind has one to
// show, and a date neither in the future nor more than ContributionLookback
// ago. The error names the input field.
func CheckContribution(c ContributionClaim, now time.Time) error {
	switch {
	case !slices.Contains(ContributionKinds, c.Kind):
		return &FieldError{Field: "kind", Reason: "is not a kind of contribution"}
	case AutomaticContribution(c.Kind):
		return &FieldError{Field: "kind", Reason: c.Kind + " contributions are recorded automatically (check-ins, redeemed invites), not by hand"}
	}
	if n := utf8.RuneCountInString(strings.TrimSpace(c.Title)); n < 1 || n > MaxContributionTitle {
		return &FieldError{Field: "title", Reason: "must be 1 to 200 characters"}
	}
	url := strings.TrimSpace(c.URL)
	if url == "" && slices.Contains(linkedKinds, c.Kind) {
		return &FieldError{Field: "url", Reason: "a contribution of kind " + c.Kind + " needs a link to where it can be seen"}
	}
	if url != "" {
		if err := ValidateURL(url); err != nil {
			return &FieldError{Field: "url", Reason: err.Error()}
		}
	}
	switch {
	case c.OccurredOn.After(now):
		return &FieldError{Field: "occurredOn", Reason: "must not be in the future"}
	case c.OccurredOn.Before(now.Add(-ContributionLookback)):
		return &FieldError{Field: "occurredOn", Reason: "must be within the last 366 days"}
	}
	return nil
}

// KindPoints is the points a verified contribution of one kind earns.
type KindPoints struct {
	Kind   string
	Points int
}

// Points lists the points of every kind under p, in ContributionKinds
// order, overrides and defaults alike.
func (p Policy) Points() []KindPoints {
	out := make([]KindPoints, len(ContributionKinds))
	for i, k := range ContributionKinds {
		out[i] = KindPoints{Kind: k, Points: p.PointsFor(k)}
	}
	return out
}

// applyPoints sets the points of the kinds listed, leaving the others as
// they are: each kind known, once, and worth 0–100.
func applyPoints(p *Policy, in []KindPoints) error {
	if len(in) == 0 {
		return nil
	}
	m := make(map[string]int, len(p.ContributionPoints)+len(in))
	for k, v := range p.ContributionPoints {
		m[k] = v
	}
	seen := map[string]bool{}
	for _, kp := range in {
		switch {
		case !slices.Contains(ContributionKinds, kp.Kind):
			return &FieldError{Field: "contributionPoints", Reason: strconv.Quote(kp.Kind) + " is not a kind of contribution"}
		case seen[kp.Kind]:
			return &FieldError{Field: "contributionPoints", Reason: kp.Kind + " is listed twice"}
		case kp.Points < 0 || kp.Points > MaxContributionPoints:
			return &FieldError{Field: "contributionPoints", Reason: "points must be between 0 and 100 (" + kp.Kind + ")"}
		}
		seen[kp.Kind] = true
		m[kp.Kind] = kp.Points
	}
	p.ContributionPoints = m
	return nil
}

var categoryPattern = regexp.MustCompile(`^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$`)

// CheckAwardCategories accepts up to ten distinct award category names in
// UPPER_SNAKE_CASE, 2–40 characters each (e.g. OUTSTANDING_MEMBER).
func CheckAwardCategories(cats []string) error {
	if len(cats) > MaxAwardCategories {
		return &FieldError{Field: "awardCategories", Reason: "at most 10 categories"}
	}
	seen := map[string]bool{}
	for _, c := range cats {
		switch {
		case len(c) < 2 || len(c) > 40 || !categoryPattern.MatchString(c):
			return &FieldError{Field: "awardCategories", Reason: strconv.Quote(c) + " must be 2 to 40 characters in UPPER_SNAKE_CASE, e.g. BEST_CONTENT"}
		case seen[c]:
			return &FieldError{Field: "awardCategories", Reason: c + " is listed twice"}
		}
		seen[c] = true
	}
	return nil
}

var languagePattern = regexp.MustCompile(`^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$`)

// CheckLanguages accepts up to ten distinct language tags in the shape of
// BCP 47 ("en", "zh-CN", "pt-BR", "zh-Hans-CN").
func CheckLanguages(tags []string) error {
	if len(tags) > MaxProfileLanguages {
		return &FieldError{Field: "languages", Reason: "at most 10 languages"}
	}
	seen := map[string]bool{}
	for _, t := range tags {
		switch {
		case len(t) > 35 || !languagePattern.MatchString(t):
			return &FieldError{Field: "languages", Reason: strconv.Quote(t) + " is not a language tag such as en or zh-CN"}
		case seen[strings.ToLower(t)]:
			return &FieldError{Field: "languages", Reason: t + " is listed twice"}
		}
		seen[strings.ToLower(t)] = true
	}
	return nil
}

// ProfileLink is a public link of a profile as given.
type ProfileLink struct{ Label, URL string }

// CheckProfileLinks accepts up to ten links, each an https address with a
// label of 1–50 characters.
func CheckProfileLinks(links []ProfileLink) error {
	if len(links) > MaxProfileLinks {
		return &FieldError{Field: "links", Reason: "at most 10 links"}
	}
	for _, l := range links {
		if n := utf8.RuneCountInString(strings.TrimSpace(l.Label)); n < 1 || n > MaxLinkLabel {
			return &FieldError{Field: "links", Reason: "each label must be 1 to 50 characters"}
		}
		if err := ValidateURL(l.URL); err != nil || !strings.HasPrefix(strings.ToLower(l.URL), "https://") {
			return &FieldError{Field: "links", Reason: strconv.Quote(l.URL) + " must be an https address"}
		}
	}
	return nil
}
