package explorer_test

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/usergroups/usergroups/internal/explorer"
)

func get(t *testing.T, h http.Handler, path string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// cdnHosts are the hosts a GraphiQL page commonly loads scripts, styles
// and fonts from; none may appear in what the explorer serves. (React's
// error text names "jsdelivr" in a sentence; a host is what would load.)
var cdnHosts = regexp.MustCompile(`(?i)unpkg\.com|cdn\.jsdelivr\.net|cdnjs\.cloudflare\.com|esm\.sh|cdn\.skypack\.dev|` +
	`[a-z]+\.googleapis\.com|fonts\.gstatic\.com|[a-z]+\.bootstrapcdn\.com|cdn\.graphql\.org`)

// remoteLoad is an absolute URL where HTML or CSS would load something:
// a src or href attribute, a CSS url() or @import.
var remoteLoad = regexp.MustCompile(`(?i)(src|href)\s*=\s*["']?\s*(https?:)?//|url\(\s*["']?\s*(https?:)?//|@import`)

// TestServesEmbeddedAssets: the page and its assets are served with their
// content types and the policy that keeps the page to its own origin, and
// nothing in them loads from another host.
func TestServesEmbeddedAssets(t *testing.T) {
	h := explorer.Handler()
	for _, c := range []struct{ path, contentType, contains string }{
		{"/explorer/", "text/html; charset=utf-8", `<script src="explorer.js">`},
		{"/explorer/explorer.js", "text/javascript; charset=utf-8", "graphql-transport-ws"},
		{"/explorer/explorer.css", "text/css; charset=utf-8", ".graphiql-container"},
		{"/explorer/THIRD_PARTY_LICENSES.txt", "text/plain; charset=utf-8", "graphiql@"},
	} {
		rec := get(t, h, c.path)
		body := rec.Body.String()
		if rec.Code != http.StatusOK {
			t.Errorf("GET %s = %d", c.path, rec.Code)
			continue
		}
		if got := rec.Header().Get("Content-Type"); got != c.contentType {
			t.Errorf("GET %s: Content-Type %q, want %q", c.path, got, c.contentType)
		}
		if !strings.Contains(body, c.contains) {
			t.Errorf("GET %s does not contain %q", c.path, c.contains)
		}
		if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") ||
			!strings.Contains(csp, "connect-src 'self' ws: wss:") {
			t.Errorf("GET %s: Content-Security-Policy %q", c.path, csp)
		}
		if rec.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s: no X-Content-Type-Options: nosniff", c.path)
		}
		if c.path == "/explorer/THIRD_PARTY_LICENSES.txt" {
			continue // license texts name their projects' sites
		}
		if m := cdnHosts.FindString(body); m != "" {
			t.Errorf("GET %s names a CDN host: %q", c.path, m)
		}
		if c.path != "/explorer/explorer.js" {
			if m := remoteLoad.FindString(body); m != "" {
				t.Errorf("GET %s loads from another host: %q", c.path, m)
			}
		}
	}
}

// TestRevalidates: an asset is cached until the binary changes, answered
// 304 to its ETag.
func TestRevalidates(t *testing.T) {
	h := explorer.Handler()
	rec := get(t, h, "/explorer/explorer.js")
	etag := rec.Header().Get("ETag")
	if etag == "" || rec.Header().Get("Cache-Control") != "no-cache" {
		t.Fatalf("ETag %q, Cache-Control %q", etag, rec.Header().Get("Cache-Control"))
	}
	if rec = get(t, h, "/explorer/explorer.js", "If-None-Match", etag); rec.Code != http.StatusNotModified {
		t.Errorf("If-None-Match its ETag = %d, want 304", rec.Code)
	}
}

// TestUnknownPaths: only the page and its assets are served.
func TestUnknownPaths(t *testing.T) {
	h := explorer.Handler()
	for _, p := range []string{"/explorer/index.html", "/explorer/nothing.js", "/explorer/assets/explorer.js", "/explorer", "/"} {
		if rec := get(t, h, p); rec.Code != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", p, rec.Code)
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/explorer/", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST /explorer/ = %d, want 405", rec.Code)
	}
}
