// Package webassets serves the files of a web page embedded in the binary
// (the explorer, the approval board): content types fixed here rather than
// taken from the host's MIME tables, which differ between machines, and an
// ETag from each file's content, so a new release's files are never mixed
// with an old page.
package webassets

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

// contentTypes are the types of the extensions a page's files may have.
var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".txt":  "text/plain; charset=utf-8",
	".svg":  "image/svg+xml",
}

// File is one embedded file, ready to serve.
type File struct {
	Body        []byte
	ContentType string
	ETag        string
}

// Load reads every file under dir of fsys, keyed by its path below dir;
// a file whose extension has no known type is an error.
func Load(fsys fs.FS, dir string) (map[string]File, error) {
	files := map[string]File{}
	err := fs.WalkDir(fsys, dir, func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		ct, ok := contentTypes[path.Ext(name)]
		if !ok {
			return fmt.Errorf("%s: no content type for its extension", name)
		}
		sum := sha256.Sum256(body)
		files[strings.TrimPrefix(name, dir+"/")] = File{body, ct, `"` + hex.EncodeToString(sum[:12]) + `"`}
		return nil
	})
	return files, err
}

// Serve answers with f, revalidated on every load (a 304 while the binary
// is the same).
func Serve(w http.ResponseWriter, r *http.Request, f File) {
	h := w.Header()
	h.Set("Content-Type", f.ContentType)
	h.Set("Cache-Control", "no-cache")
	h.Set("ETag", f.ETag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(f.Body))
}
