package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"
)

// Result is what one timed run measured.
type Result struct {
	Requests int
	Errors   int
	Elapsed  time.Duration
	// Latencies are sorted ascending.
	Latencies []time.Duration
	// CPU is the server's CPU time over the run (0 if unknown).
	CPU time.Duration
	// FirstError is the first failure, for the report.
	FirstError error
}

// RPS is requests completed per second.
func (r Result) RPS() float64 { return float64(r.Requests) / r.Elapsed.Seconds() }

// Percentile returns the p-th (0–100) latency.
func (r Result) Percentile(p float64) time.Duration {
	if len(r.Latencies) == 0 {
		return 0
	}
	i := int(float64(len(r.Latencies)-1) * p / 100)
	return r.Latencies[i]
}

// CPUPerRequest is the server's CPU time divided by the requests served.
func (r Result) CPUPerRequest() time.Duration {
	if r.Requests == 0 {
		return 0
	}
	return r.CPU / time.Duration(r.Requests)
}

// Request sends one request and checks its answer.
type Request func(ctx context.Context, c *http.Client) error

// NewClient returns an HTTP client keeping conns connections to one host.
func NewClient(conns int) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = conns
	t.MaxConnsPerHost = conns
	return &http.Client{Transport: t, Timeout: 30 * time.Second}
}

// Closed runs conns workers, each sending its next request as soon as the
// last one is answered, for d: the throughput a number of busy clients get.
func Closed(ctx context.Context, conns int, d time.Duration, cpu func() (time.Duration, error), req Request) Result {
	c := NewClient(conns)
	defer c.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var mu sync.Mutex
	var res Result
	cpu0 := readCPU(cpu)
	start := time.Now()
	var wg sync.WaitGroup
	for range conns {
		wg.Go(func() {
			var lat []time.Duration
			var errs int
			var first error
			for ctx.Err() == nil {
				t := time.Now()
				err := req(ctx, c)
				if ctx.Err() != nil {
					break // cut off by the end of the run, not a failure
				}
				if err != nil {
					errs++
					if first == nil {
						first = err
					}
					continue
				}
				lat = append(lat, time.Since(t))
			}
			mu.Lock()
			res.Latencies = append(res.Latencies, lat...)
			res.Errors += errs
			if res.FirstError == nil {
				res.FirstError = first
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	return res.finish(start, readCPU(cpu)-cpu0)
}

// Fixed sends requests at a fixed rate for d, each on its own goroutine, so
// latency is measured without coordinated omission: a slow answer does not
// delay the next request.
func Fixed(ctx context.Context, rate float64, d time.Duration, cpu func() (time.Duration, error), req Request) Result {
	c := NewClient(64)
	defer c.CloseIdleConnections()
	var mu sync.Mutex
	var res Result
	interval := time.Duration(float64(time.Second) / rate)
	cpu0 := readCPU(cpu)
	start := time.Now()
	var wg sync.WaitGroup
	for next := start; next.Before(start.Add(d)) && ctx.Err() == nil; next = next.Add(interval) {
		time.Sleep(time.Until(next))
		wg.Go(func() {
			t := time.Now()
			err := req(ctx, c)
			el := time.Since(t)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				res.Errors++
				if res.FirstError == nil {
					res.FirstError = err
				}
				return
			}
			res.Latencies = append(res.Latencies, el)
		})
	}
	wg.Wait()
	return res.finish(start, readCPU(cpu)-cpu0)
}

// finish completes a run's result once its requests are all in.
func (r Result) finish(start time.Time, cpu time.Duration) Result {
	r.Elapsed = time.Since(start)
	r.CPU = cpu
	r.Requests = len(r.Latencies)
	slices.Sort(r.Latencies)
	return r
}

func readCPU(cpu func() (time.Duration, error)) time.Duration {
	if cpu == nil {
		return 0
	}
	d, _ := cpu()
	return d
}

// PostGraphQL returns a Request posting a GraphQL document with variables
// to url and requiring a 200 answer without errors.
func PostGraphQL(url, query string, vars map[string]any) Request {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		panic(err) // the harness's own constant documents
	}
	return func(ctx context.Context, c *http.Client) error {
		_, err := Post(ctx, c, url, body)
		return err
	}
}

// Post sends a JSON body and returns the answer, an error for a non-200
// status or a GraphQL answer with errors.
func Post(ctx context.Context, c *http.Client, url string, body []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return out, fmt.Errorf("HTTP %d: %.200s", resp.StatusCode, out)
	}
	if bytes.Contains(out, []byte(`"errors":`)) {
		return out, fmt.Errorf("GraphQL errors: %.300s", out)
	}
	return out, nil
}
