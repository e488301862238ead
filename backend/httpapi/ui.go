package httpapi

import (
	"io/fs"
	"net/http"
	"path"
	"strings"
)

// uiHandler serves the web UI: cfg.UI when set, else an SPA over cfg.UIFS,
// else 404 JSON.
func uiHandler(cfg Config) http.Handler {
	if cfg.UI != nil {
		return cfg.UI
	}
	if cfg.UIFS == nil {
		return http.HandlerFunc(notFound)
	}
	return &spa{fsys: cfg.UIFS, files: http.FileServerFS(cfg.UIFS)}
}

// spa serves files of fsys by path and index.html for "/". The UI routes
// in the URL fragment (#/library), so every other path that is not a file
// gets 404 JSON, as unknown routes must (API.md §5). index.html is never
// cached (it names the hashed assets); hashed assets under assets/ are
// cached for a year.
type spa struct {
	fsys  fs.FS
	files http.Handler
}

func (h *spa) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
	if name == "" || name == "index.html" {
		h.index(w, r)
		return
	}
	if st, err := fs.Stat(h.fsys, name); err == nil && !st.IsDir() {
		if strings.HasPrefix(name, "assets/") {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "no-cache")
		}
		h.files.ServeHTTP(w, r)
		return
	}
	notFound(w, r)
}

func (h *spa) index(w http.ResponseWriter, r *http.Request) {
	b, err := fs.ReadFile(h.fsys, "index.html")
	if err != nil {
		notFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(b)
	}
}
