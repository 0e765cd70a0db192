// Package board serves the approval board, the reference web client, from
// assets embedded in the binary at /app/: a page that signs in with OpenID
// Connect (authorization code with PKCE) and then uses only the public
// GraphQL API, over HTTP and the websocket. The assets are built from
// web/src by `make web` (docs/board.md).
package board

import (
	"embed"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/usergroups/usergroups/internal/webassets"
)

// Path is where the board is served: its page is Path itself, its assets
// and its configuration (config.json) sit beside it.
const Path = "/app/"

//go:embed assets
var assets embed.FS

// Provider is one way to sign in that the board offers.
type Provider struct {
	// Issuer is the OpenID Connect issuer URL; the board reads its
	// discovery document.
	Issuer string `json:"issuer"`
	// ClientID is the board's public client id there.
	ClientID string `json:"clientId"`
	// Dev marks the development provider (a picker of demo people).
	Dev bool `json:"dev"`
}

// Config is what the board's page is told about the server.
type Config struct {
	// SignIn lists the providers to offer for a request (the development
	// provider's issuer is the origin the request came to).
	SignIn func(r *http.Request) []Provider
}

// settings is config.json: what the page needs before it signs in.
type settings struct {
	GraphQL   string     `json:"graphql"`
	Providers []Provider `json:"providers"`
}

// Handler serves the board's page at Path, its assets and config.json under
// it; anything else under Path is 404. Mount it at Path.
func Handler(cfg Config) http.Handler {
	files, err := webassets.Load(assets, "assets")
	if err != nil {
		panic("board: reading the embedded assets: " + err.Error()) // they are compiled in: a build mistake
	}
	files[""] = files["index.html"]
	delete(files, "index.html")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		var providers []Provider
		if cfg.SignIn != nil {
			providers = cfg.SignIn(r)
		}
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy(providers))
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		name, ok := strings.CutPrefix(r.URL.Path, Path)
		if ok && name == "config.json" {
			h.Set("Content-Type", "application/json")
			h.Set("Cache-Control", "no-store")
			if providers == nil {
				providers = []Provider{}
			}
			_ = json.NewEncoder(w).Encode(settings{GraphQL: "/graphql", Providers: providers})
			return
		}
		f, found := files[name]
		if !ok || !found {
			http.NotFound(w, r)
			return
		}
		webassets.Serve(w, r, f)
	})
}

// contentSecurityPolicy keeps the page to its own origin, except that it
// may fetch from the identity providers it signs in with (discovery and the
// token endpoint); it runs no inline script.
func contentSecurityPolicy(providers []Provider) string {
	connect := []string{"'self'", "ws:", "wss:"}
	for _, p := range providers {
		if u, err := url.Parse(p.Issuer); err == nil && u.Host != "" {
			connect = append(connect, u.Scheme+"://"+u.Host)
		}
	}
	return "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
		"connect-src " + strings.Join(connect, " ") + "; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
}
