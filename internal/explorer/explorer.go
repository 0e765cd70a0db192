// Package explorer serves GraphiQL, the in-browser GraphQL explorer, from
// assets embedded in the binary: the page works where no CDN is reachable,
// and it talks only to the server it came from (/graphql over HTTP and the
// websocket). The assets are built from pinned npm packages by
// `make explorer-assets` (see web/ and docs/explorer.md).
package explorer

import (
	"embed"
	"net/http"
	"strings"

	"github.com/usergroups/usergroups/internal/webassets"
)

// Path is where the explorer is served; its page is Path itself and its
// assets sit beside it.
const Path = "/explorer/"

//go:embed assets
var assets embed.FS

// contentSecurityPolicy keeps the page to its own origin: scripts, styles
// and connections (HTTP and websocket) go to the server that served it, and
// fonts and images may only be data: URIs (GraphiQL's fonts are inlined).
// Styles allow 'unsafe-inline' because the editor positions its elements
// with style attributes.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data:; font-src 'self' data:; connect-src 'self' ws: wss:; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// Handler serves the explorer's page at Path and its assets under it;
// anything else under Path is 404. Mount it at Path.
func Handler() http.Handler {
	files, err := webassets.Load(assets, "assets")
	if err != nil {
		panic("explorer: reading the embedded assets: " + err.Error()) // they are compiled in: a build mistake
	}
	files[""] = files["index.html"]
	delete(files, "index.html")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		name, ok := strings.CutPrefix(r.URL.Path, Path)
		f, found := files[name]
		if !ok || !found {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		webassets.Serve(w, r, f)
	})
}
