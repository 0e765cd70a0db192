package bench

import (
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"github.com/usergroups/usergroups/internal/auth"
	"github.com/usergroups/usergroups/internal/broker"
	"github.com/usergroups/usergroups/internal/live"
	"github.com/usergroups/usergroups/internal/server"
	"github.com/usergroups/usergroups/internal/store"
	"github.com/usergroups/usergroups/internal/workflow"
)

// TestProfileLive serves the API in this process (the server exposes no
// pprof) and writes heap and CPU profiles of S6 and S7 into the directory
// named by USERGROUPS_BENCH_PROFILE: a manual tool, skipped otherwise. The
// heap profile is taken with the subscriptions idle, the CPU profile over
// the commits; the clients share the process, so read the profiles by
// the server's frames.
func TestProfileLive(t *testing.T) {
	dir := os.Getenv("USERGROUPS_BENCH_PROFILE")
	if dir == "" {
		t.Skip("set USERGROUPS_BENCH_PROFILE to a directory for the profiles")
	}
	n, _ := strconv.Atoi(os.Getenv("USERGROUPS_BENCH_LIVE_SIZES"))
	if n == 0 {
		n = 1000
	}
	perSocket, _ := strconv.Atoi(os.Getenv("USERGROUPS_BENCH_LIVE_PER_SOCKET"))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cfg := LiveConfig{Dir: t.TempDir(), Subscriptions: n, PerSocket: perSocket}
	cfg.defaults()
	fx, err := newLiveFixture(ctx, "", cfg.Dir, cfg.Viewers)
	if err != nil {
		t.Fatal(err)
	}
	var changes atomic.Pointer[broker.Broker]
	announce := broker.WrapDriver(dialect.SQLite, func() {
		if b := changes.Load(); b != nil {
			b.Poke()
		}
	})
	db, err := store.Open(fx.dsn, store.Options{WrapDriver: announce})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	log := slog.New(slog.DiscardHandler)
	b := broker.New(db, broker.Options{Logger: log})
	changes.Store(b)
	go func() { _ = b.Run(ctx) }()
	api := server.New(db, server.Config{
		Logger: log, Auth: auth.New(workflow.NewRunner(db.Client, nil), nil, log), Live: &live.Source{Broker: b, Client: db.Client},
		MaxBodyBytes: 1 << 20, RateLimit: 1 << 30, AnonymousRateLimit: 1 << 30, MaxPageSize: 200,
		MaxSocketsPerCredential: 1 << 20, MaxSocketsPerAddress: 1 << 20, MaxSubscriptionsPerSocket: max(100, cfg.PerSocket),
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: api}
	go func() { _ = hs.Serve(ln) }()
	defer hs.Close()
	base := "http://" + ln.Addr().String()

	tally := newTally()
	clients, err := openSubscribers(ctx, base, fx, cfg, tally)
	defer closeAll(clients)
	if err != nil {
		t.Fatal(err)
	}
	if err := waitSubscribed(ctx, base, float64(n)); err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	heap, _ := os.Create(filepath.Join(dir, "heap.pprof"))
	_ = pprof.WriteHeapProfile(heap)
	heap.Close()

	prof, _ := os.Create(filepath.Join(dir, "cpu.pprof"))
	_ = pprof.StartCPUProfile(prof)
	hc := NewClient(2)
	start := time.Now()
	for i := range 10 {
		body, _ := json.Marshal(map[string]any{"query": applyMutation, "variables": map[string]any{
			"c": string(fx.community), "name": "Bench " + capital(letters(i+1))}})
		out, err := postAs(ctx, hc, base+"/graphql", fx.applicant, body)
		if err != nil {
			t.Fatal(err)
		}
		var ans struct {
			Data struct {
				ApplyForGroup struct{ Application struct{ ID string } }
			}
		}
		_ = json.Unmarshal(out, &ans)
		if got := tally.await(ctx, ans.Data.ApplyForGroup.Application.ID, n, 20*time.Second); got != n {
			t.Errorf("commit %d: %d of %d delivered", i, got, n)
		}
	}
	pprof.StopCPUProfile()
	prof.Close()
	_, last := tally.latencies()
	t.Logf("10 commits in %v; last deliveries %v", time.Since(start), last)
}
