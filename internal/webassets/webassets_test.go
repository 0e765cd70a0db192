package webassets

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/fstest"
)

func TestLoadAndServe(t *testing.T) {
	files, err := Load(fstest.MapFS{"a/index.html": {Data: []byte("<p>hi")}, "a/x/app.js": {Data: []byte("1")}}, "a")
	if err != nil || len(files) != 2 || files["x/app.js"].ContentType != "text/javascript; charset=utf-8" {
		t.Fatalf("%v %v", files, err)
	}
	if _, err := Load(fstest.MapFS{"a/logo.bmp": {Data: []byte("x")}}, "a"); err == nil {
		t.Fatal("a file of unknown type loaded")
	}
	rec := httptest.NewRecorder()
	Serve(rec, httptest.NewRequest(http.MethodGet, "/", nil), files["index.html"])
	if rec.Code != 200 || rec.Body.String() != "<p>hi" || rec.Header().Get("ETag") == "" || rec.Header().Get("Cache-Control") != "no-cache" {
		t.Fatalf("%d %q %v", rec.Code, rec.Body, rec.Header())
	}
	again := httptest.NewRequest(http.MethodGet, "/", nil)
	again.Header.Set("If-None-Match", rec.Header().Get("ETag"))
	rec = httptest.NewRecorder()
	Serve(rec, again, files["index.html"])
	if rec.Code != http.StatusNotModified {
		t.Fatalf("revalidation: %d", rec.Code)
	}
}
