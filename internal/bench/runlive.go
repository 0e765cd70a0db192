package bench

import (
	"context"
	"fmt"
	"os"
	"time"
)

// idle is S6: memory and goroutines per idle subscription at 1k and 10k,
// one socket each and 100 per socket, on PostgreSQL.
func (s *Suite) idle(ctx context.Context) error {
	sec := Section{
		Title:  "S6 — idle subscriptions",
		Intro:  "Per idle `approvalQueue` subscription, measured from the server process's /metrics before and after opening them (after forced collections): goroutines, live heap plus goroutine stacks, and RSS. Goal: ≤ 16 KiB and ≤ 2 goroutines per idle subscription.",
		Header: []string{"subscriptions", "per socket", "goroutines/sub", "heap+stack KiB/sub", "RSS KiB/sub", "open time"},
	}
	for _, n := range []int{1000, 10000} {
		for _, per := range []int{1, 100} {
			var rs []IdleResult
			for range s.cfg.Runs {
				r, err := IdleSubscriptions(ctx, LiveConfig{Binary: s.cfg.Binary, Database: s.cfg.PostgresURL, Subscriptions: n, PerSocket: per})
				if err != nil {
					return fmt.Errorf("%d subscriptions, %d per socket: %w", n, per, err)
				}
				rs = append(rs, r)
			}
			of := func(f func(IdleResult) float64) []float64 {
				xs := make([]float64, len(rs))
				for i, r := range rs {
					xs[i] = f(r)
				}
				return xs
			}
			sec.Rows = append(sec.Rows, []string{fmt.Sprint(n), fmt.Sprint(per),
				stat(of(IdleResult.GoroutinesPerSubscription), func(x float64) string { return fmt.Sprintf("%.2f", x) }),
				stat(of(IdleResult.KiBPerSubscription), func(x float64) string { return fmt.Sprintf("%.1f", x) }),
				stat(of(IdleResult.RSSKiBPerSubscription), func(x float64) string { return fmt.Sprintf("%.0f", x) }),
				stat(of(func(r IdleResult) float64 { return float64(r.Open) / float64(time.Millisecond) }), millis)})
		}
	}
	s.Report.Add(sec)
	return nil
}

// fanout is S7: 1k and 10k subscribers on one approval queue, commit →
// received, one replica and two on PostgreSQL.
func (s *Suite) fanout(ctx context.Context) error {
	sec := Section{
		Title:  "S7 — fan-out",
		Intro:  "Subscribers (one socket each, staff viewers) on one community's approval queue; 10 commits each moving applications into the queue. Latency runs from the change's timestamp, taken inside the committing transaction, to the client reading the message. With two replicas the commits go through the first and the subscribers listen on the second (PostgreSQL NOTIFY). Goal: 10k subscribers, last delivery p99 ≤ 250 ms on one replica; the second replica adds ≤ 5 ms.",
		Header: []string{"subscribers", "replicas", "delivery p50", "delivery p99", "last delivery p50", "last delivery p99", "missing", "server CPU per commit"},
	}
	dir, err := os.MkdirTemp("", "usergroups-bench-live-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	for _, n := range []int{1000, 10000} {
		for _, replicas := range []int{1, 2} {
			r, err := FanOut(ctx, FanOutConfig{LiveConfig: LiveConfig{Binary: s.cfg.Binary, Database: s.cfg.PostgresURL, Dir: dir, Subscriptions: n}, Replicas: replicas})
			if err != nil {
				return fmt.Errorf("%d subscribers, %d replicas: %w", n, replicas, err)
			}
			ms := func(d time.Duration) string { return millis(float64(d) / float64(time.Millisecond)) }
			sec.Rows = append(sec.Rows, []string{fmt.Sprint(n), fmt.Sprint(replicas),
				ms(r.Percentile(50)), ms(r.Percentile(99)), ms(r.LastPercentile(50)), ms(r.LastPercentile(99)),
				fmt.Sprint(r.Missing), ms(r.CPU / time.Duration(max(r.Commits, 1)))})
		}
	}
	sec.Notes = append(sec.Notes, "One run per row (a 10k run takes about a minute); see the issue notes for run-to-run spread.")
	s.Report.Add(sec)
	return nil
}
