// Package web embeds the built web app (web/dist) into the binary and serves
// it as a single-page app.
package web

import (
	"embed"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

//go:embed all:dist
var dist embed.FS

// Built reports whether the web app was built into this binary.
func Built() bool { return built(dist) }

func built(fsys fs.FS) bool {
	_, err := fs.Stat(fsys, "dist/index.html")
	return err == nil
}

// Handler serves the web app: files under dist, with long caching for the
// content-hashed assets, and index.html for every other path so that client
// routes (/sessions/…, /u/…) load the app. Without a build it says so.
func Handler() http.Handler { return handler(dist) }

func handler(fsys fs.FS) http.Handler {
	if !built(fsys) {
		return http.HandlerFunc(notBuilt)
	}
	sub, _ := fs.Sub(fsys, "dist")
	files := http.FileServerFS(sub)
	index, _ := fs.ReadFile(sub, "index.html")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := strings.TrimPrefix(path.Clean(r.URL.Path), "/")
		if p != "" && p != "index.html" {
			if st, err := fs.Stat(sub, p); err == nil && !st.IsDir() {
				if strings.HasPrefix(p, "assets/") {
					w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
				}
				files.ServeHTTP(w, r)
				return
			}
			if path.Ext(p) != "" {
				http.NotFound(w, r)
				return
			}
		}
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Cache-Control", "no-cache")
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "+
			"connect-src 'self' ws: wss:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'self'")
		_, _ = w.Write(index)
	})
}

func notBuilt(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusServiceUnavailable)
	_, _ = w.Write([]byte("The web app was not built into this binary.\n\n" +
		"Run `make web` (or `npm --prefix web ci && npm --prefix web run build`) and rebuild.\n" +
		"The API is available under /api/v1 (documentation at /api/docs).\n"))
}
