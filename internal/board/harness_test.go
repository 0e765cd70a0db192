package board_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/ent/user"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/broker"
	"github.com/usergroups/usergroups/internal/live"
	"github.com/usergroups/usergroups/internal/server"
	"github.com/usergroups/usergroups/internal/store"
	"github.com/usergroups/usergroups/internal/viewer"
	"github.com/usergroups/usergroups/internal/workflow"
)

// The demo's communities and people (README.md, "The demo's people").
const (
	openEuler  = "com_01HK153X00HTFJF0EE2JPVQ03K"
	beijing    = "grp_01HK153X00TTW2CS86YH051WPN"
	staff      = "shuang.xu"
	ambassador = "yichen.peng"
	organizer  = "xueying.zheng"
	member     = "zhen.ding"
)

// chromium finds the browser, or skips the test: `make test` runs on a
// machine with only Go. CI sets USERGROUPS_BROWSER=required, so there a
// missing browser fails instead.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("USERGROUPS_BROWSER") == "required" {
		t.Fatal("USERGROUPS_BROWSER=required but no Chromium is installed (Debian: apt-get install chromium)")
	}
	t.Skip("no Chromium on this machine: the board's browser tests need it (Debian: apt-get install chromium)")
	return ""
}

// board is a running server with the demo data, development sign-in and a
// live source, reached by the browser through a proxy the test can cut.
type board struct {
	t     *testing.T
	db    *store.DB
	wf    *workflow.Runner
	url   string // through the proxy: what the browser opens
	api   string // straight to the server: what the test's own API calls use
	proxy *proxy
}

type options struct {
	devTokenLifetime time.Duration
}

func startBoard(t *testing.T, opts ...options) *board {
	t.Helper()
	var o options
	if len(opts) > 0 {
		o = opts[0]
	}
	var b atomic.Pointer[broker.Broker]
	db := openDemo(t, broker.WrapDriver("", func() {
		if x := b.Load(); x != nil {
			x.Poke()
		}
	}))
	ctx, cancel := context.WithCancel(context.Background())
	br := broker.New(db, broker.Options{})
	b.Store(br)
	done := make(chan struct{})
	go func() { defer close(done); _ = br.Run(ctx) }()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	api := server.New(db, server.Config{Dev: true, Logger: log, Live: &live.Source{Broker: br, Client: db.Client},
		DevTokenLifetime: o.devTokenLifetime})
	hs := httptest.NewServer(api)
	p := newProxy(t, strings.TrimPrefix(hs.URL, "http://"))
	t.Cleanup(func() {
		p.close()
		_ = api.Shutdown(context.Background())
		hs.Close()
		cancel()
		<-done
	})
	return &board{t: t, db: db, wf: workflow.NewRunner(db.Client, time.Now), url: "http://" + p.addr(), api: hs.URL, proxy: p}
}

// browser starts a headless Chromium for one test; the returned context
// drives its first tab.
func (b *board) browser() context.Context {
	b.t.Helper()
	return b.browserIn("en-US")
}

// browserIn is browser with the browser's language set to lang.
func (b *board) browserIn(lang string) context.Context {
	t := b.t
	t.Helper()
	exe := chromium(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("lang", lang),
		chromedp.Flag("accept-lang", lang),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1400, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	// An uncaught exception or a console.error of the page fails the test
	// (the board reports a message missing in one language this way); the
	// browser's own log (a refused connection while the proxy is cut) does not.
	var mu sync.Mutex
	var errs []string
	consoleCtx, stopConsole := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m, err := range chromedp.Console(consoleCtx) {
			if err != nil {
				return
			}
			if m.IsException() || (m.Type == chromedp.ConsoleError && len(m.Args) > 0) {
				mu.Lock()
				errs = append(errs, m.String())
				mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() {
		stopConsole()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, e := range errs {
			t.Errorf("the page reported: %s", e)
		}
	})
	return ctx
}

// screenshot writes the page as name.png into $USERGROUPS_SCREENSHOTS
// (make screenshots points it at docs/images); without it, nothing.
func (b *board) screenshot(ctx context.Context, name string) {
	b.t.Helper()
	dir := os.Getenv("USERGROUPS_SCREENSHOTS")
	if dir == "" {
		return
	}
	png := value(b.t, ctx, "taking a screenshot", chromedp.FullScreenshot(100))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// run runs browser actions with a deadline, failing the test with what
// was being done.
func run(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(c, actions...); err != nil {
		t.Fatalf("%s: %v\n%s", what, err, pageState(ctx))
	}
}

// pageState is what the page shows, for a failure's message: its route,
// the live badge and the start of its text.
func pageState(ctx context.Context) string {
	c, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	s, err := chromedp.Run(c, chromedp.Evaluate[string](`location.hash + ' | live: ' +
		(document.querySelector('.live')?.dataset.status || 'none') + '\n' + document.body.innerText.slice(0, 1500)`))
	if err != nil {
		return "(the page could not be read: " + err.Error() + ")"
	}
	return "the page at " + s
}

// value runs one browser action that returns a value (chromedp.Text,
// chromedp.Evaluate[T]) with a deadline.
func value[T any](t *testing.T, ctx context.Context, what string, action chromedp.Action[T]) T {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(c, action)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

// signIn opens the board and signs in through the development provider's
// picker (authorization code with PKCE) as the person with handle.
func (b *board) signIn(ctx context.Context, handle string) {
	b.t.Helper()
	run(b.t, ctx, "signing in as "+handle,
		chromedp.Navigate(b.url+"/app/"),
		chromedp.Click(chromedp.CSS(`button[data-provider="dev"]`)),
		chromedp.WaitVisible(chromedp.CSS(`input#q`)),
		chromedp.SendKeys(chromedp.CSS(`input#q`), handle),
		chromedp.Submit(chromedp.CSS(`input#q`)),
		chromedp.Click(chromedp.CSS(`button.person[data-handle="`+handle+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.who[data-handle="`+handle+`"]`)),
	)
}

// userID is the id of the person with handle.
func (b *board) userID(handle string) pulid.ID {
	b.t.Helper()
	u, err := b.db.Client.User.Query().Where(user.Handle(handle)).Only(authz.Unfiltered(viewer.SystemContext(context.Background())))
	if err != nil {
		b.t.Fatal(err)
	}
	return u.ID
}

// token is a read and write API token of the person with handle, for the
// test's own API calls (another person acting while the board watches).
func (b *board) token(handle string) string {
	b.t.Helper()
	tok, err := b.wf.CreateAPIToken(viewer.SystemContext(context.Background()),
		workflow.NewToken{OwnerID: b.userID(handle), Name: "browser test", Scopes: []string{"read", "write"}})
	if err != nil {
		b.t.Fatal(err)
	}
	return tok.Secret
}

// post runs a GraphQL operation as the token's owner and returns data,
// failing the test on errors.
func (b *board) post(token, query string, vars map[string]any) map[string]any {
	b.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, b.api+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Data   map[string]any `json:"data"`
		Errors []any          `json:"errors"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		b.t.Fatal(err)
	}
	if len(out.Errors) > 0 {
		b.t.Fatalf("%s: %v", query, out.Errors)
	}
	return out.Data
}

// proxy forwards TCP to the server; cut drops every connection through it
// and refuses new ones until restore, as a network outage would.
type proxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	down   bool
}

func newProxy(t *testing.T, target string) *proxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target, conns: map[net.Conn]struct{}{}}
	go p.serve()
	return p
}

func (p *proxy) addr() string { return p.ln.Addr().String() }

func (p *proxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		down := p.down
		p.mu.Unlock()
		if down {
			c.Close()
			continue
		}
		go p.pipe(c)
	}
}

func (p *proxy) pipe(c net.Conn) {
	s, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	p.conns[c], p.conns[s] = struct{}{}, struct{}{}
	p.mu.Unlock()
	go func() { _, _ = io.Copy(s, c); s.Close() }()
	_, _ = io.Copy(c, s)
	c.Close()
	p.mu.Lock()
	delete(p.conns, c)
	delete(p.conns, s)
	p.mu.Unlock()
}

// cut drops every open connection and refuses new ones.
func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	for c := range p.conns {
		c.Close()
	}
}

// restore lets connections through again.
func (p *proxy) restore() {
	p.mu.Lock()
	p.down = false
	p.mu.Unlock()
}

func (p *proxy) close() { p.ln.Close(); p.cut() }

// typeIn puts text into the field sel and tells the page (an input event),
// in one step in the page: a live redraw between keystrokes would replace
// the field under chromedp's typing. It waits up to 10 s for the field.
func typeIn(sel, text string) chromedp.Action[chromedp.Void] {
	return inOneStep(`(() => { const el = document.querySelector(` + jsQuote(sel) + `);
		if (!el || el.disabled) return false;
		el.focus(); el.value = ` + jsQuote(text) + `; el.dispatchEvent(new Event('input', {bubbles: true})); return true; })()`)
}

// press clicks the button sel once it is shown and enabled, finding it and
// clicking in one step in the page (a redraw cannot slip in between).
func press(sel string) chromedp.Action[chromedp.Void] {
	return inOneStep(`(() => { const el = document.querySelector(` + jsQuote(sel) + `);
		if (!el || el.disabled || !el.offsetParent) return false;
		el.click(); return true; })()`)
}

// inOneStep polls expr (which acts and answers true once it could) for 10 s.
func inOneStep(expr string) chromedp.Action[chromedp.Void] {
	poll := chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(10*time.Second))
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := poll(ctx, t)
		return chromedp.Void{}, err
	}
}

// jsQuote is s as a JavaScript string literal.
func jsQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
