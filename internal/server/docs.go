package server

import (
	"encoding/json"
	"net/http"
)

// mountDocs serves the OpenAPI document and the interactive docs page.
// They are public (the page's own API calls still carry a token) and
// disappear entirely with EXPOSE_DOCS=false.
func (s *Server) mountDocs() {
	if !s.opts.ExposeDocs {
		return
	}
	s.mux.HandleFunc("GET /api/docs/json", func(w http.ResponseWriter, r *http.Request) {
		b, err := json.Marshal(s.api.OpenAPI())
		if err != nil {
			WriteError(w, err)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(b)
	})
	s.mux.HandleFunc("GET /api/docs/yaml", func(w http.ResponseWriter, r *http.Request) {
		b, err := s.api.OpenAPI().YAML()
		if err != nil {
			WriteError(w, err)
			return
		}
		w.Header().Set("Content-Type", "application/yaml")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(b)
	})
	page := newStaticFiles(s.opts.DocsUI)
	s.mux.Handle("GET /api/docs/", http.StripPrefix("/api/docs", page))
	s.mux.HandleFunc("GET /api/docs", func(w http.ResponseWriter, r *http.Request) {
		r2 := r.Clone(r.Context())
		r2.URL.Path = "/"
		page.ServeHTTP(w, r2)
	})
}
