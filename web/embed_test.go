package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

func get(h http.Handler, path string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	return rec
}

func TestNotBuiltSaysSo(t *testing.T) {
	h := handler(fstest.MapFS{"dist/.gitkeep": {}})
	rec := get(h, "/")
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "not built") {
		t.Fatalf("got %d %q", rec.Code, rec.Body.String())
	}
}

func TestServesAppAndFallsBackToIndex(t *testing.T) {
	h := handler(fstest.MapFS{
		"dist/index.html":        {Data: []byte("<html>app</html>")},
		"dist/assets/app-1a2.js": {Data: []byte("console.log(1)")},
	})
	if rec := get(h, "/"); rec.Code != 200 || rec.Body.String() != "<html>app</html>" {
		t.Fatalf("/: %d %q", rec.Code, rec.Body.String())
	}
	if rec := get(h, "/sessions/abc"); rec.Code != 200 || !strings.Contains(rec.Body.String(), "app") {
		t.Fatalf("client route: %d", rec.Code)
	}
	rec := get(h, "/assets/app-1a2.js")
	if rec.Code != 200 || !strings.Contains(rec.Header().Get("Cache-Control"), "immutable") {
		t.Fatalf("asset: %d %q", rec.Code, rec.Header().Get("Cache-Control"))
	}
	if rec := get(h, "/assets/missing.js"); rec.Code != 404 {
		t.Fatalf("missing asset: %d", rec.Code)
	}
}
