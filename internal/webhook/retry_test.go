package webhook

import (
	"testing"
	"time"
)

func TestBackoffScheduleCoversADay(t *testing.T) {
	total := func(s Schedule) time.Duration {
		var sum time.Duration
		for a := 1; a < MaxAttempts; a++ {
			sum += s.Backoff(a)
		}
		return sum
	}
	noJitter := Schedule{}
	if got := total(noJitter); got < 24*time.Hour {
		t.Fatalf("schedule without jitter spans %v, want >= 24h", got)
	}
	maxJitter := Schedule{Jitter: func(n int64) int64 { return n - 1 }}
	if got := total(maxJitter); got > 30*time.Hour {
		t.Fatalf("schedule with maximal jitter spans %v, want <= 30h", got)
	}
	want := []time.Duration{30 * time.Second, time.Minute, 2 * time.Minute, 4 * time.Minute}
	for i, w := range want {
		if got := noJitter.Backoff(i + 1); got != w {
			t.Errorf("Backoff(%d) = %v, want %v", i+1, got, w)
		}
	}
	for _, a := range []int{10, 14, 15, 64, 1 << 30} {
		if got := noJitter.Backoff(a); got != MaxDelay {
			t.Errorf("Backoff(%d) = %v, want cap %v", a, got, MaxDelay)
		}
	}
	if got := noJitter.Backoff(0); got != BaseDelay {
		t.Errorf("Backoff(0) = %v", got)
	}
	// Jitter stays within [d, d + d/5) and uses the passed-in source.
	var asked []int64
	s := Schedule{Jitter: func(n int64) int64 { asked = append(asked, n); return n / 2 }}
	if got := s.Backoff(3); got != 2*time.Minute+12*time.Second {
		t.Errorf("Backoff(3) with half jitter = %v", got)
	}
	if len(asked) != 1 || asked[0] != int64(24*time.Second) {
		t.Errorf("jitter asked for %v", asked)
	}
}

func TestClassify(t *testing.T) {
	for status, want := range map[int]Outcome{
		200: Delivered, 202: Delivered, 204: Delivered,
		410: Disable,
		408: Retry, 425: Retry, 429: Retry, 500: Retry, 502: Retry, 503: Retry, 504: Retry, 100: Retry,
		301: Failed, 302: Failed, 307: Failed, 400: Failed, 401: Failed, 403: Failed, 404: Failed, 413: Failed, 422: Failed,
	} {
		if got := Classify(status); got != want {
			t.Errorf("Classify(%d) = %v, want %v", status, got, want)
		}
		if got := Permanent(status); got != (want == Failed || want == Disable) {
			t.Errorf("Permanent(%d) = %v", status, got)
		}
	}
}
