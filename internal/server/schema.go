package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"time"

	"github.com/usergroups/usergroups/graph"
	"github.com/usergroups/usergroups/graph/sdl"
)

// schemaHandler serves the published schema's SDL, the file the repository
// commits as schema.graphql, for code generators and schema registries.
// Its ETag is the SDL's SHA-256, the hash CHANGELOG.md records; clients
// revalidate every time (no-cache) and get 304 until a deployment changes
// the schema.
func schemaHandler() http.Handler {
	text := sdl.Print(graph.Published())
	sum := sha256.Sum256(text)
	etag := `"` + hex.EncodeToString(sum[:]) + `"`
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/plain; charset=utf-8")
		h.Set("Cache-Control", "no-cache")
		h.Set("ETag", etag)
		// ServeContent answers If-None-Match, HEAD and ranges.
		http.ServeContent(w, r, "schema.graphql", time.Time{}, bytes.NewReader(text))
	})
}
