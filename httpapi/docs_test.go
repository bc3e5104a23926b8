package httpapi_test

import (
	"crypto/sha256"
	"encoding/base64"
	"regexp"
	"strings"
	"testing"
)

// TestDocsCSP: Swagger UI is served with a Content-Security-Policy that
// allows exactly what the page loads — its own scripts and styles and its
// inline scripts by hash — and nothing from elsewhere, no eval.
func TestDocsCSP(t *testing.T) {
	e := newEnv(t, "sqlite")
	r := e.do("GET", "/api/docs/", "", nil)
	csp := r.header.Get("Content-Security-Policy")
	if r.status != 200 || csp == "" {
		t.Fatalf("/api/docs/: %d, Content-Security-Policy %q", r.status, csp)
	}
	directives := map[string]string{}
	for _, d := range strings.Split(csp, ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(d), " ")
		directives[name] = value
	}
	if directives["default-src"] != "'none'" || directives["frame-ancestors"] != "'none'" {
		t.Errorf("policy %q: want default-src and frame-ancestors 'none'", csp)
	}
	scripts := directives["script-src"]
	if strings.Contains(scripts, "unsafe") || strings.Contains(scripts, "*") || strings.Contains(scripts, "http") {
		t.Errorf("script-src %q allows more than this site's files and hashed scripts", scripts)
	}
	inline := regexp.MustCompile(`(?s)<script>(.*?)</script>`).FindAllSubmatch(r.body, -1)
	if len(inline) == 0 {
		t.Fatal("no inline scripts found; the page changed")
	}
	for _, m := range inline {
		sum := sha256.Sum256(m[1])
		if h := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; !strings.Contains(scripts, h) {
			t.Errorf("inline script %.60q is not allowed by script-src (%s missing)", m[1], h)
		}
	}
	// The scripts and styles the page loads come from this server.
	for _, src := range regexp.MustCompile(`(?:src|href)="([^"]+)"`).FindAllSubmatch(r.body, -1) {
		if u := string(src[1]); !strings.HasPrefix(u, "/") {
			t.Errorf("the page loads %s from elsewhere", u)
		}
	}
	// The policy is Swagger UI's alone: the API keeps its own headers.
	if r := e.do("GET", "/api/v1/feed", "", nil); r.header.Get("Content-Security-Policy") != "" {
		t.Errorf("API responses carry the docs' policy")
	}
}
