package bench

// The soak's checks and its report: pure functions of what the run
// recorded (samples, latencies, deliveries, the database read back), so
// that each can be tested without servers.

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/changelog"
)

// The soak's section titles, which the goals table and Splice look up.
const (
	soakTitle        = "SOAK — soak test"
	soakWindowsTitle = "SOAK — per window"
)

// The soak's limits, from the issue.
const (
	soakMemoryGrowth     = 0.20 // heap+stack at the end over after warm-up
	soakGoroutineGrowth  = 0.05
	soakP99Factor        = 2.0 // a later window's p99 over the first's …
	soakP99Slack         = 10 * time.Millisecond
	checkPass, checkFail = "pass", "FAIL"
)

// SoakSample is one reading of one replica's /metrics, At after the load
// started.
type SoakSample struct {
	At                   time.Duration
	Replica              int
	HeapAlloc, HeapInuse float64 // bytes
	// HeapGoal is the heap size at which the next collection starts
	// (go_memstats_next_gc_bytes): set by the previous collection from the
	// heap it found live, so it moves with the live heap and not with the
	// garbage made since, which under load is most of HeapAlloc.
	HeapGoal            float64
	Stack               float64 // bytes of goroutine stacks
	Goroutines, Sockets float64
	// DBOpen and DBInUse are the pool's connections at the sample;
	// DBWaits counts, since the start, the statements that waited for one.
	DBOpen, DBInUse, DBWaits float64
}

// memory is the figure the flatness check follows: the heap goal plus
// stacks. HeapAlloc, read at a random point of the collection cycle, swung
// between one and three times the live heap from one sample to the next
// on a 40 s trial (16 to 54 MiB); the goal, twice the live heap at the
// default GOGC, keeps a leak's proportion.
func (s SoakSample) memory() float64 { return s.HeapGoal + s.Stack }

// SoakWindow is one window of the run: per request kind its p99 and
// counts, and per replica the median of its samples.
type SoakWindow struct {
	Start    time.Duration
	P99      map[string]time.Duration
	Requests map[string]int
	Errors   map[string]int
	// MemMiB (heap goal+stack), HeapAllocMiB and Goroutines are per replica.
	MemMiB, HeapAllocMiB, Goroutines []float64
}

// SoakCheck is one verdict of the run.
type SoakCheck struct {
	Name, Measured, Limit string
	Pass                  bool
}

// SoakResult is what a soak measured and found.
type SoakResult struct {
	Config  SoakConfig
	Started time.Time
	Windows []SoakWindow
	Samples []SoakSample
	// FirstErrors is the first failed request of each kind.
	FirstErrors map[string]error
	Deliveries  DeliveryCount
	// Webhooks is how many distinct webhook deliveries the sink received;
	// WebhooksTwice how many came again under an id already received.
	Webhooks, WebhooksTwice int
	Checks                  []SoakCheck

	// writes are the successful writes; db the database read back.
	writes []soakWrite
	db     soakDatabase
}

// Passed reports whether every check held.
func (r SoakResult) Passed() bool {
	for _, c := range r.Checks {
		if !c.Pass {
			return false
		}
	}
	return len(r.Checks) > 0
}

// Failed names the checks that did not hold.
func (r SoakResult) Failed() []string {
	var out []string
	for _, c := range r.Checks {
		if !c.Pass {
			out = append(out, c.Name)
		}
	}
	return out
}

// check computes every verdict from what the run recorded.
func (r SoakResult) check() []SoakCheck {
	cfg := r.Config
	var out []SoakCheck
	for rep := range 2 {
		f := flatness(r.Samples, rep, cfg.Window, cfg.Duration)
		out = append(out, f.checks()...)
	}
	for _, k := range soakKinds {
		out = append(out, p99Check(r.Windows, k))
	}
	out = append(out, failuresCheck(r.Windows, r.FirstErrors))
	out = append(out, r.Deliveries.check())
	out = append(out, changeRowsCheck(r.writes, r.db.changes))
	out = append(out, retriedCheck(r.db.retried, r.WebhooksTwice))
	out = append(out, fanOutCheck(r.db.registrationChanges, r.db.fanOut))
	return out
}

// Flatness compares one replica's samples in the first window after the
// warm-up with those of the last window: medians, so that one reading
// taken just before a collection does not decide.
type Flatness struct {
	Replica                          int
	MemBase, MemEnd                  float64 // bytes
	GoroutinesBase, GoroutinesEnd    float64
	SocketsMin, SocketsMax           float64 // over both windows' samples
	BaseSamples, EndSamples          int
	BaseFrom, BaseTo, EndFrom, EndTo time.Duration
}

// flatness reads replica's samples: the baseline is [window, 2×window)
// (the warm-up is the first window), the end the last window up to total
// inclusive.
func flatness(samples []SoakSample, replica int, window, total time.Duration) Flatness {
	f := Flatness{Replica: replica, BaseFrom: window, BaseTo: 2 * window, EndFrom: total - window, EndTo: total}
	base := samplesIn(samples, replica, f.BaseFrom, f.BaseTo)
	end := samplesIn(samples, replica, f.EndFrom, f.EndTo+1)
	f.BaseSamples, f.EndSamples = len(base), len(end)
	f.MemBase, f.MemEnd = medianOf(base, SoakSample.memory), medianOf(end, SoakSample.memory)
	gor := func(s SoakSample) float64 { return s.Goroutines }
	f.GoroutinesBase, f.GoroutinesEnd = medianOf(base, gor), medianOf(end, gor)
	for i, s := range append(base, end...) {
		if i == 0 {
			f.SocketsMin, f.SocketsMax = s.Sockets, s.Sockets
		}
		f.SocketsMin, f.SocketsMax = min(f.SocketsMin, s.Sockets), max(f.SocketsMax, s.Sockets)
	}
	return f
}

// MemoryOK: heap+stack at the end at most 20 % above the baseline.
func (f Flatness) MemoryOK() bool {
	return f.BaseSamples > 0 && f.EndSamples > 0 && f.MemEnd <= f.MemBase*(1+soakMemoryGrowth) && f.SocketsEqual()
}

// GoroutinesOK: goroutines at the end at most 5 % above the baseline.
func (f Flatness) GoroutinesOK() bool {
	return f.BaseSamples > 0 && f.EndSamples > 0 && f.GoroutinesEnd <= f.GoroutinesBase*(1+soakGoroutineGrowth) && f.SocketsEqual()
}

// SocketsEqual: the replica held the same sockets in every sample
// compared, so the figures are comparable.
func (f Flatness) SocketsEqual() bool { return f.SocketsMin == f.SocketsMax }

func (f Flatness) checks() []SoakCheck {
	growth := func(a, b float64) string {
		if a == 0 {
			return "–"
		}
		return fmt.Sprintf("%+.1f %%", (b/a-1)*100)
	}
	at := fmt.Sprintf("median of %d samples at %s–%s → of %d at %s–%s", f.BaseSamples, minutes(f.BaseFrom), minutes(f.BaseTo), f.EndSamples, minutes(f.EndFrom), minutes(f.EndTo))
	sockets := fmt.Sprintf("%.0f sockets", f.SocketsMax)
	if !f.SocketsEqual() {
		sockets = fmt.Sprintf("sockets changed (%.0f–%.0f): not comparable", f.SocketsMin, f.SocketsMax)
	}
	name := fmt.Sprintf("replica %d", f.Replica+1)
	return []SoakCheck{
		{Name: "memory flat, " + name, Limit: fmt.Sprintf("≤ +%.0f %%", soakMemoryGrowth*100), Pass: f.MemoryOK(),
			Measured: fmt.Sprintf("heap goal+stack %.1f → %.1f MiB (%s), %s; %s", f.MemBase/(1<<20), f.MemEnd/(1<<20), growth(f.MemBase, f.MemEnd), sockets, at)},
		{Name: "goroutines flat, " + name, Limit: fmt.Sprintf("≤ +%.0f %%", soakGoroutineGrowth*100), Pass: f.GoroutinesOK(),
			Measured: fmt.Sprintf("%.0f → %.0f (%s), %s", f.GoroutinesBase, f.GoroutinesEnd, growth(f.GoroutinesBase, f.GoroutinesEnd), sockets)},
	}
}

// p99Check: every window after the first keeps kind's p99 within twice the
// first window's plus 10 ms.
func p99Check(windows []SoakWindow, kind string) SoakCheck {
	c := SoakCheck{Name: "p99 steady, " + kind}
	if len(windows) < 2 || windows[0].Requests[kind] == 0 {
		c.Measured, c.Limit = "not enough windows", "–"
		return c
	}
	first := windows[0].P99[kind]
	limit := time.Duration(float64(first)*soakP99Factor) + soakP99Slack
	worst, at := time.Duration(0), 0
	for i, w := range windows[1:] {
		if w.Requests[kind] > 0 && w.P99[kind] >= worst {
			worst, at = w.P99[kind], i+1
		}
	}
	c.Limit = fmt.Sprintf("≤ 2 × first + 10 ms = %s", ms(limit))
	c.Measured = fmt.Sprintf("first window %s; worst later %s (window %d)", ms(first), ms(worst), at+1)
	c.Pass = worst <= limit
	return c
}

// failuresCheck: no request failed, whatever its kind (an HTTP error, a
// GraphQL error, a userError: the writes are made so that none is due).
func failuresCheck(windows []SoakWindow, first map[string]error) SoakCheck {
	var total, failed int
	var parts []string
	for _, k := range soakKinds {
		n, e := 0, 0
		for _, w := range windows {
			n += w.Requests[k] + w.Errors[k]
			e += w.Errors[k]
		}
		total, failed = total+n, failed+e
		if e > 0 {
			parts = append(parts, fmt.Sprintf("%s %d (%v)", k, e, first[k]))
		}
	}
	m := fmt.Sprintf("%d of %d", failed, total)
	if len(parts) > 0 {
		m += ": " + strings.Join(parts, "; ")
	}
	return SoakCheck{Name: "no request failed", Measured: m, Limit: "0", Pass: failed == 0 && total > 0}
}

// Delivered is what one subscriber received: the sequence numbers of the
// changes, in order, under the key of what it follows.
type Delivered struct {
	Key  string
	Seqs []int64
	Err  error
}

// DeliveryCount compares what each subscriber received with what the
// change log owed it.
type DeliveryCount struct {
	Subscribers int
	// Owed is the deliveries owed in all; Received those made.
	Owed, Received int
	// Missing are owed changes a subscriber never got; Duplicates changes
	// it got more than once (each extra copy counts); Unexpected changes it
	// was not owed.
	Missing, Duplicates, Unexpected int
	// Short is how many subscribers missed something; Failed how many
	// reported an error (an unreadable message, an ended subscription).
	Short, Failed int
	FirstFailure  error
}

// countDeliveries holds each subscriber to the log: want maps a key to the
// changes owed to every subscriber of that key.
func countDeliveries(want map[string][]int64, subs []Delivered) DeliveryCount {
	var c DeliveryCount
	owed := map[string]map[int64]bool{}
	for k, seqs := range want {
		owed[k] = map[int64]bool{}
		for _, s := range seqs {
			owed[k][s] = true
		}
	}
	for _, s := range subs {
		c.Subscribers++
		c.Owed += len(owed[s.Key])
		c.Received += len(s.Seqs)
		if s.Err != nil {
			c.Failed++
			if c.FirstFailure == nil {
				c.FirstFailure = s.Err
			}
		}
		seen := map[int64]int{}
		for _, seq := range s.Seqs {
			seen[seq]++
			switch {
			case seen[seq] > 1:
				c.Duplicates++
			case !owed[s.Key][seq]:
				c.Unexpected++
			}
		}
		missing := 0
		for seq := range owed[s.Key] {
			if seen[seq] == 0 {
				missing++
			}
		}
		c.Missing += missing
		if missing > 0 {
			c.Short++
		}
	}
	return c
}

// OK reports whether every subscriber got exactly what it was owed.
func (c DeliveryCount) OK() bool {
	return c.Subscribers > 0 && c.Missing == 0 && c.Duplicates == 0 && c.Unexpected == 0 && c.Failed == 0
}

func (c DeliveryCount) check() SoakCheck {
	m := fmt.Sprintf("%d owed to %d subscribers, %d received: %d missing (%d subscribers short), %d duplicate, %d not owed, %d subscriber errors",
		c.Owed, c.Subscribers, c.Received, c.Missing, c.Short, c.Duplicates, c.Unexpected, c.Failed)
	if c.FirstFailure != nil {
		m += fmt.Sprintf(" (%.200v)", c.FirstFailure)
	}
	return SoakCheck{Name: "every change to every subscriber, once", Measured: m, Limit: "0 missing, 0 duplicate", Pass: c.OK()}
}

// changeRowsCheck: every write logged its change. A registration write
// must have as many change rows on its registration, by its person, as
// that person's writes to it (the waitlist promotions a cancellation
// makes are the canceller's, on another registration); an application
// write one row on its application. Counted both ways: writes without
// their row, and rows beyond the writes.
func changeRowsCheck(writes []soakWrite, changes map[string]map[pulid.ID]int) SoakCheck {
	type key struct {
		node  string
		actor pulid.ID
	}
	made := map[key]int{}
	regs, apps := 0, 0
	for _, w := range writes {
		made[key{w.node, w.actor}]++
		if w.topic == changelog.TopicRegistration {
			regs++
		} else {
			apps++
		}
	}
	without, extra := 0, 0
	for k, n := range made {
		rows := changes[k.node][k.actor]
		if k.actor == "" { // an application: any actor
			rows = 0
			for _, r := range changes[k.node] {
				rows += r
			}
		}
		without += max(0, n-rows)
		extra += max(0, rows-n)
	}
	return SoakCheck{Name: "a change row for every write", Limit: "0 without",
		Measured: fmt.Sprintf("%d writes (%d registrations or cancellations, %d applications): %d without their change row, %d rows beyond the writes", len(writes), regs, apps, without, extra),
		Pass:     len(writes) > 0 && without == 0 && extra == 0}
}

// retriedCheck: no River job ran more than once, and no webhook delivery
// reached the sink twice.
func retriedCheck(retried []retriedJob, webhooksTwice int) SoakCheck {
	m := fmt.Sprintf("%d jobs with more than one attempt; %d webhook deliveries received twice", len(retried), webhooksTwice)
	if len(retried) > 0 {
		kinds := map[string]int{}
		for _, j := range retried {
			kinds[j.Kind]++
		}
		var parts []string
		for k, n := range kinds {
			parts = append(parts, fmt.Sprintf("%s ×%d", k, n))
		}
		slices.Sort(parts)
		m += fmt.Sprintf(" (%s; first: %s, %d attempts, %.200s)", strings.Join(parts, ", "), retried[0].Kind, retried[0].Attempt, retried[0].Errors)
	}
	return SoakCheck{Name: "no job ran twice", Measured: m, Limit: "0", Pass: len(retried) == 0 && webhooksTwice == 0}
}

// fanOutCheck: each registration change is in exactly one webhook fan-out
// job.
func fanOutCheck(changes []int64, fanOut map[int64]int) SoakCheck {
	none, twice := 0, 0
	for _, id := range changes {
		switch n := fanOut[id]; {
		case n == 0:
			none++
		case n > 1:
			twice++
		}
	}
	return SoakCheck{Name: "one fan-out job per registration change", Limit: "exactly 1 each",
		Measured: fmt.Sprintf("%d registration changes: %d in no job, %d in more than one", len(changes), none, twice),
		Pass:     len(changes) > 0 && none == 0 && twice == 0}
}

// samplesIn are replica's samples taken in [from, to).
func samplesIn(samples []SoakSample, replica int, from, to time.Duration) []SoakSample {
	var out []SoakSample
	for _, s := range samples {
		if s.Replica == replica && s.At >= from && s.At < to {
			out = append(out, s)
		}
	}
	return out
}

func medianOf(samples []SoakSample, f func(SoakSample) float64) float64 {
	xs := make([]float64, len(samples))
	for i, s := range samples {
		xs[i] = f(s)
	}
	return median(xs)
}

func ms(d time.Duration) string { return millis(float64(d) / float64(time.Millisecond)) }

// minutes shows an offset into the run as m:ss.
func minutes(d time.Duration) string {
	d = d.Round(time.Second)
	return fmt.Sprintf("%d:%02d", int(d.Minutes()), int(d.Seconds())%60)
}

// Soak records the soak: the checks, and the run window by window.
func (r *Report) Soak(res SoakResult) {
	cfg := res.Config
	verdicts := Section{Title: soakTitle,
		Intro: fmt.Sprintf("`make soak`: two `usergroups serve` replicas on one PostgreSQL schema for %s, holding %d websocket subscribers split between them "+
			"(every tenth staff on the soak community's `approvalQueue`, the others on `eventRegistrations` of %d events, half anonymous and half with a person's token), "+
			"under a steady open-loop load spread over both: %.0f/s S1 (%s) as a person, %.0f/s S5 saved queries with a third-party read token, "+
			"%.0f/s writes (nine in ten `registerForEvent` or `cancelRegistration` by %d people with write tokens on events of %d seats, so that cancellations promote from waitlists; one in ten `applyForGroup` into the approval queue), "+
			"with an active webhook endpoint for registrations. The first %s is the warm-up; each replica's /metrics is read every %s. "+
			"After the load the deliveries settle and each subscriber's items (by change cursor) are compared with what the `changes` table owes it; the writes, River's jobs and the fan-out jobs are read back.",
			cfg.Duration, cfg.Subscribers, cfg.Events, cfg.DashboardRate, cfg.Size, cfg.ThirdPartyRate, cfg.WriteRate, cfg.People, cfg.Capacity, cfg.Window, cfg.SampleEvery),
		Header: []string{"check", "measured", "limit", "verdict"}}
	for _, c := range res.Checks {
		v := checkPass
		if !c.Pass {
			v = checkFail
		}
		verdicts.Rows = append(verdicts.Rows, []string{c.Name, c.Measured, c.Limit, v})
	}
	verdicts.Notes = append(verdicts.Notes, fmt.Sprintf("Run of %s, commit %s, on %s. Webhook deliveries received: %d (asynchronous; not a check).",
		res.Started.Format(time.RFC3339), commit(), machine(), res.Webhooks))
	if pool := poolNote(res.Samples); pool != "" {
		verdicts.Notes = append(verdicts.Notes, pool)
	}
	windows := Section{Title: soakWindowsTitle,
		Intro:  fmt.Sprintf("Each %s of the run: p99 per request kind (open loop, from each request's scheduled start), requests answered and failed, and per replica the median of its samples: the heap goal (go_memstats_next_gc_bytes, twice the heap live at the last collection) plus stacks, heap objects (live and garbage), goroutines. The first window is the warm-up.", cfg.Window),
		Header: []string{"window", "S1 p99", "S5 p99", "write p99", "requests", "failed", "heap goal+stack MiB (replica 1 / 2)", "heap alloc MiB (replica 1 / 2)", "goroutines (replica 1 / 2)"}}
	for _, w := range res.Windows {
		req, failed := 0, 0
		for _, k := range soakKinds {
			req += w.Requests[k]
			failed += w.Errors[k]
		}
		pair := func(xs []float64, f string) string {
			parts := make([]string, len(xs))
			for i, x := range xs {
				parts[i] = fmt.Sprintf(f, x)
			}
			return strings.Join(parts, " / ")
		}
		windows.Rows = append(windows.Rows, []string{minutes(w.Start) + "–" + minutes(w.Start+cfg.Window),
			ms(w.P99[KindDashboard]), ms(w.P99[KindThirdPty]), ms(w.P99[KindWrite]), fmt.Sprint(req), fmt.Sprint(failed),
			pair(w.MemMiB, "%.1f"), pair(w.HeapAllocMiB, "%.1f"), pair(w.Goroutines, "%.0f")})
	}
	r.Add(verdicts)
	r.Add(windows)
}

// soakGoalName is the soak's goal, as the goals table names it.
const soakGoalName = "SOAK passes: memory and goroutines flat, p99 ≤ 2× the first minute's, every change to every subscriber once, a change row per write, no job twice"

// soakGoal is the goals table's row for the soak: MET when every check of
// its table passes.
func (r *Report) soakGoal(add func(string, string, bool, string), none func(string)) {
	const goal = soakGoalName
	t, ok := r.find(soakTitle)
	verdicts := t.cells("verdict", nil)
	names := t.cells("check", nil)
	if !ok || len(verdicts) == 0 || len(verdicts) != len(names) {
		none(goal)
		return
	}
	var failed []string
	for i, v := range verdicts {
		if v != checkPass {
			failed = append(failed, names[i])
		}
	}
	m := fmt.Sprintf("%d of %d checks pass", len(verdicts)-len(failed), len(verdicts))
	if len(failed) > 0 {
		m += "; failed: " + strings.Join(failed, ", ")
	}
	add(goal, m, len(failed) == 0, t.source)
}

// poolNote sums up each replica's database pool over the run (not a
// check): docs/scaling.md sizes --db-max-conns by it.
func poolNote(samples []SoakSample) string {
	var parts []string
	for rep := range 2 {
		var open, inUse, waits float64
		seen := false
		for _, s := range samples {
			if s.Replica != rep {
				continue
			}
			seen = true
			open, inUse, waits = max(open, s.DBOpen), max(inUse, s.DBInUse), max(waits, s.DBWaits)
		}
		if seen {
			parts = append(parts, fmt.Sprintf("replica %d: at most %.0f open and %.0f in use at a sample, %.0f waits for a free one", rep+1, open, inUse, waits))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "Database pool (go_sql_*), beside the two LISTEN connections each replica holds: " + strings.Join(parts, "; ") + "."
}
