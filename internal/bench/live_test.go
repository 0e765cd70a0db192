package bench_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/usergroups/usergroups/internal/bench"
	"github.com/usergroups/usergroups/internal/dbtest"
)

// TestLiveScenarios runs S6 and S7 at a toy size against a real server
// process, checking what they report (every subscriber got every change,
// the server counted the subscriptions), never how fast.
func TestLiveScenarios(t *testing.T) {
	binary := bench.ServerBinary(t)
	dir := t.TempDir()
	ctx := context.Background()
	cfg := bench.LiveConfig{Binary: binary, Database: os.Getenv(dbtest.EnvDatabase), Dir: dir,
		Subscriptions: 20, PerSocket: 4, Viewers: 3, Timeout: time.Minute}

	t.Run("S6", func(t *testing.T) {
		r, err := bench.IdleSubscriptions(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if r.Sockets != 5 || r.After.Subscriptions-r.Before.Subscriptions != 20 {
			t.Errorf("%d sockets, server counts %v subscriptions; want 5 and 20", r.Sockets, r.After.Subscriptions-r.Before.Subscriptions)
		}
		if r.After.Goroutines <= r.Before.Goroutines {
			t.Errorf("goroutines %v → %v: the subscriptions were not counted", r.Before.Goroutines, r.After.Goroutines)
		}
	})

	t.Run("S7", func(t *testing.T) {
		replicas := []int{1}
		if cfg.Database != "" {
			replicas = append(replicas, 2)
		}
		for _, n := range replicas {
			r, err := bench.FanOut(ctx, bench.FanOutConfig{LiveConfig: cfg, Replicas: n, Commits: 3, Gap: time.Millisecond, Wait: 10 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			if r.Missing != 0 || len(r.Latencies) != 3*20 || len(r.Last) != 3 {
				t.Errorf("%d replicas: %d missing, %d deliveries, %d commits; want 0, 60, 3", n, r.Missing, len(r.Latencies), len(r.Last))
			}
			if r.Percentile(0) <= 0 {
				t.Errorf("%d replicas: a delivery at %v, before its change was written", n, r.Percentile(0))
			}
		}
	})
}

// TestLiveFigures prints S6 and S7 figures for the binary named by
// USERGROUPS_BENCH_LIVE (sizes in USERGROUPS_BENCH_LIVE_SIZES, e.g.
// "1000,10000"; layout in USERGROUPS_BENCH_LIVE_PER_SOCKET): a manual
// measuring run, skipped otherwise.
func TestLiveFigures(t *testing.T) {
	binary := os.Getenv("USERGROUPS_BENCH_LIVE")
	if binary == "" {
		t.Skip("set USERGROUPS_BENCH_LIVE to a usergroups binary")
	}
	ctx := context.Background()
	perSocket, _ := strconv.Atoi(os.Getenv("USERGROUPS_BENCH_LIVE_PER_SOCKET"))
	commits, _ := strconv.Atoi(os.Getenv("USERGROUPS_BENCH_LIVE_COMMITS"))
	scenarios := strings.Split(os.Getenv("USERGROUPS_BENCH_LIVE_SCENARIOS"), ",")
	for _, size := range strings.Split(os.Getenv("USERGROUPS_BENCH_LIVE_SIZES"), ",") {
		n, err := strconv.Atoi(size)
		if err != nil {
			t.Fatal(err)
		}
		cfg := bench.LiveConfig{Binary: binary, Database: os.Getenv(dbtest.EnvDatabase), Dir: t.TempDir(),
			Subscriptions: n, PerSocket: perSocket, Timeout: 3 * time.Minute}
		if slices.Contains(scenarios, "S6") {
			r, err := bench.IdleSubscriptions(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("S6 n=%d sockets=%d: %.2f goroutines/sub, %.2f KiB/sub heap-alloc+stack, %.2f KiB/sub in-use heap+stack, %.2f KiB/sub RSS, settled=%v, open %v (goroutines %v→%v)",
				n, r.Sockets, r.GoroutinesPerSubscription(), r.KiBPerSubscription(), r.InuseKiBPerSubscription(), r.RSSKiBPerSubscription(), r.Settled,
				r.Open.Round(time.Millisecond), r.Before.Goroutines, r.After.Goroutines)
			t.Logf("   heap alloc %.1f→%.1f MiB, in use %.1f→%.1f MiB, stack %.1f→%.1f MiB", r.Before.HeapAlloc/(1<<20), r.After.HeapAlloc/(1<<20), r.Before.HeapInuse/(1<<20), r.After.HeapInuse/(1<<20),
				r.Before.StackInuse/(1<<20), r.After.StackInuse/(1<<20))
		}
		for _, replicas := range []int{1, 2} {
			if !slices.Contains(scenarios, "S7r"+strconv.Itoa(replicas)) {
				continue
			}
			r, err := bench.FanOut(ctx, bench.FanOutConfig{LiveConfig: cfg, Replicas: replicas, Commits: commits})
			if err != nil {
				t.Fatal(err)
			}
			ms := func(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d)/1e6) }
			t.Logf("S7 n=%d sockets=%d replicas=%d: p50 %s p99 %s, last p50 %s p99 %s max %s, missing %d, server CPU %v",
				n, r.Sockets, replicas, ms(r.Percentile(50)), ms(r.Percentile(99)), ms(r.LastPercentile(50)),
				ms(r.LastPercentile(99)), ms(r.LastPercentile(100)), r.Missing, r.CPU)
		}
	}
}
