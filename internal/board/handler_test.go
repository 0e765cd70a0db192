package board

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestHandler: the page, its assets and config.json are served under
// /app/ with a CSP that allows connections to the configured issuer only;
// anything else is 404, and unchanged assets revalidate with 304.
func TestHandler(t *testing.T) {
	h := Handler(Config{SignIn: func(*http.Request) []Provider {
		return []Provider{{Issuer: "https://id.example.org/realms/x", ClientID: "board"}}
	}})
	get := func(path string, header ...string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	page := get("/app/")
	if page.Code != 200 || !strings.HasPrefix(page.Header().Get("Content-Type"), "text/html") || !strings.Contains(page.Body.String(), `src="board.js"`) {
		t.Fatalf("page: %d %s", page.Code, page.Header())
	}
	csp := page.Header().Get("Content-Security-Policy")
	for _, want := range []string{"script-src 'self';", "style-src 'self';", "connect-src 'self' ws: wss: https://id.example.org;", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	for _, asset := range []string{"/app/board.js", "/app/board.css", "/app/THIRD_PARTY_LICENSES.txt"} {
		rec := get(asset)
		if rec.Code != 200 || rec.Body.Len() == 0 {
			t.Errorf("%s: %d", asset, rec.Code)
		}
		if again := get(asset, "If-None-Match", rec.Header().Get("ETag")); again.Code != http.StatusNotModified {
			t.Errorf("%s revalidated: %d", asset, again.Code)
		}
	}
	var cfg struct {
		GraphQL   string     `json:"graphql"`
		Providers []Provider `json:"providers"`
	}
	rec := get("/app/config.json")
	if err := json.Unmarshal(rec.Body.Bytes(), &cfg); err != nil || cfg.GraphQL != "/graphql" || len(cfg.Providers) != 1 || cfg.Providers[0].ClientID != "board" {
		t.Fatalf("config.json: %s %v", rec.Body, err)
	}
	for _, path := range []string{"/app/nothing.js", "/app/assets/board.js", "/app/../go.mod"} {
		if rec := get(path); rec.Code != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, rec.Code)
		}
	}
	req := httptest.NewRequest(http.MethodPost, "/app/", nil)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusMethodNotAllowed {
		t.Fatalf("POST: %d", rec.Code)
	}
}
