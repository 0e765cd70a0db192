package webhook

import "time"

// Retry schedule. The delay after the n-th failed attempt is
// min(BaseDelay·2^(n-1), MaxDelay) plus a jitter of up to a fifth of it:
//
//	30s 1m 2m 4m 8m 16m 32m 64m 128m 4h 4h 4h 4h 4h
//
// Without jitter these 14 waits add up to about 24 h 15 min, so MaxAttempts
// (the first try plus 14 retries) keeps a delivery alive for at least a day,
// as the issue requires, and at most about 29 h 6 min with maximal jitter.
const (
	BaseDelay   = 30 * time.Second
	MaxDelay    = 4 * time.Hour
	MaxAttempts = 15
)

// Schedule computes retry delays; Jitter is passed in rather than taken from a
// global source so tests are deterministic and callers choose the randomness.
type Schedule struct {
	// Jitter returns a value in [0, n); nil means no jitter. math/rand/v2's
	// Int64N fits.
	Jitter func(n int64) int64
}

// Backoff returns how long to wait after attempt failed attempts (1 for the
// first failure) before trying again. Callers stop once attempt reaches
// MaxAttempts; Backoff itself keeps returning MaxDelay-sized waits.
func (s Schedule) Backoff(attempt int) time.Duration {
	if attempt < 1 {
		attempt = 1
	}
	d := MaxDelay
	if attempt <= 20 { // 30s·2^19 is far beyond MaxDelay; avoids overflow.
		if e := BaseDelay << (attempt - 1); e < MaxDelay {
			d = e
		}
	}
	if s.Jitter != nil {
		if spread := int64(d / 5); spread > 0 {
			d += time.Duration(s.Jitter(spread))
		}
	}
	return d
}

// Outcome classifies a receiver's HTTP status for the delivery loop.
type Outcome int

// The outcomes of one delivery attempt.
const (
	// Delivered: a 2xx status; the message is done.
	Delivered Outcome = iota
	// Retry: 408, 425, 429, 5xx or any other status not listed below, which
	// may succeed later; network errors and timeouts are retried too.
	Retry
	// Failed: a 3xx (redirects are not followed, so repeating gets the same
	// answer) or a 4xx other than 408/410/425/429: the receiver rejected this
	// message, so it is not retried but can be redelivered by hand.
	Failed
	// Disable: 410 Gone; the receiver asks us to stop, so the endpoint is
	// disabled and its owner told.
	Disable
)

// Classify maps an HTTP status to an Outcome following the rules documented
// on the Outcome constants.
func Classify(status int) Outcome {
	switch {
	case status >= 200 && status < 300:
		return Delivered
	case status == 410:
		return Disable
	case status == 408 || status == 425 || status == 429:
		return Retry
	case status >= 300 && status < 500:
		return Failed
	default:
		return Retry
	}
}

// Permanent reports whether a non-2xx status ends the delivery without
// retrying (Failed or Disable); retrying those only adds load on both sides.
func Permanent(status int) bool {
	o := Classify(status)
	return o == Failed || o == Disable
}
