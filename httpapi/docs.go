package httpapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/swaggest/swgui/v5emb"
)

// docsHandler serves Swagger UI (embedded in the binary: its scripts,
// styles and icons come from /api/docs/ itself) under a
// Content-Security-Policy that allows exactly that: this site's files, the
// page's own inline scripts by hash, inline styles (Swagger UI sets style
// attributes), data: images (its icons), and requests to this site (the
// document and "try it out"). Nothing else runs, loads or frames it.
func docsHandler() http.Handler {
	ui := v5emb.New("ask2live API", "/api/openapi.json", "/api/docs/")
	csp := "default-src 'none'; script-src 'self' " + strings.Join(inlineScriptHashes(ui, "/api/docs/"), " ") +
		"; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'" +
		"; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", csp)
		ui.ServeHTTP(w, r)
	})
}

var inlineScript = regexp.MustCompile(`(?s)<script>(.*?)</script>`)

// inlineScriptHashes renders the page at path once and returns the CSP
// sources ('sha256-…') of its inline scripts. The page is the same for
// every request, so the hashes are made once at start-up.
func inlineScriptHashes(h http.Handler, path string) []string {
	page := &pageRecorder{header: http.Header{}}
	h.ServeHTTP(page, &http.Request{Method: "GET", URL: &url.URL{Path: path}, Header: http.Header{}})
	var out []string
	for _, m := range inlineScript.FindAllSubmatch(page.body.Bytes(), -1) {
		sum := sha256.Sum256(m[1])
		out = append(out, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'")
	}
	return out
}

// pageRecorder keeps a response in memory.
type pageRecorder struct {
	header http.Header
	body   bytes.Buffer
}

func (p *pageRecorder) Header() http.Header         { return p.header }
func (p *pageRecorder) Write(b []byte) (int, error) { return p.body.Write(b) }
func (p *pageRecorder) WriteHeader(int)             {}
