package server

import (
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"
)

// mountFallbacks installs the handlers for everything no route claimed:
// unknown /api paths answer JSON, everything else is the web UI.
func (s *Server) mountFallbacks() {
	s.mux.HandleFunc("/api/", s.apiNotFound)
	ui := newStaticFiles(s.opts.UI)
	s.mux.Handle("/", ui)
}

// apiNotFound answers unknown API paths. With auth on, an unauthenticated
// caller learns nothing about which paths exist: 401, as the reference.
func (s *Server) apiNotFound(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, APIPrefix+"/") && s.opts.Auth != nil && s.opts.Auth.Enabled() {
		if _, err := s.opts.Auth.Authenticate(r); err != nil {
			WriteError(w, err)
			return
		}
	}
	WriteError(w, NewError(http.StatusNotFound, "not_found"))
}

// staticFiles serves the single-page app: hashed assets cached forever,
// HTML never cached, deep links (no file extension) answered with
// index.html, missing files 404. Compressible files are gzipped once and
// kept in memory.
type staticFiles struct {
	fsys fs.FS
	mu   sync.Mutex
	gz   map[string][]byte
}

func newStaticFiles(fsys fs.FS) *staticFiles {
	return &staticFiles{fsys: fsys, gz: map[string][]byte{}}
}

func (sf *staticFiles) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		WriteError(w, NewError(http.StatusNotFound, "not_found"))
		return
	}
	if sf.fsys == nil {
		WriteError(w, NewError(http.StatusNotFound, "not_found"))
		return
	}
	name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
	if name == "" {
		name = "index.html"
	}
	data, modTime, ok := sf.read(name)
	if !ok {
		if strings.Contains(path.Base(name), ".") {
			WriteError(w, NewError(http.StatusNotFound, "not_found"))
			return
		}
		name = "index.html"
		if data, modTime, ok = sf.read(name); !ok {
			WriteError(w, NewError(http.StatusNotFound, "not_found"))
			return
		}
	}
	h := w.Header()
	if strings.HasPrefix(name, "assets/") {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	ctype := mime.TypeByExtension(path.Ext(name))
	if ctype == "" {
		ctype = http.DetectContentType(data)
	}
	h.Set("Content-Type", ctype)
	h.Add("Vary", "Accept-Encoding")
	if compressible(ctype) && len(data) > 512 && strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") && r.Header.Get("Range") == "" {
		h.Set("Content-Encoding", "gzip")
		data = sf.gzipped(name, data)
	}
	http.ServeContent(w, r, name, modTime, bytes.NewReader(data))
}

func (sf *staticFiles) read(name string) ([]byte, time.Time, bool) {
	f, err := sf.fsys.Open(name)
	if err != nil {
		return nil, time.Time{}, false
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || st.IsDir() {
		return nil, time.Time{}, false
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, time.Time{}, false
	}
	return data, st.ModTime(), true
}

// gzipped returns the cached gzip of a file. The cache key includes the
// size so a file changed on disk (CLIENT_DIST_PATH) is compressed again.
func (sf *staticFiles) gzipped(name string, data []byte) []byte {
	key := name + "\x00" + strconv.Itoa(len(data))
	sf.mu.Lock()
	defer sf.mu.Unlock()
	if z, ok := sf.gz[key]; ok {
		return z
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	_, _ = zw.Write(data)
	_ = zw.Close()
	sf.gz[key] = buf.Bytes()
	return buf.Bytes()
}

func compressible(ctype string) bool {
	return strings.HasPrefix(ctype, "text/") || strings.Contains(ctype, "javascript") ||
		strings.Contains(ctype, "json") || strings.Contains(ctype, "svg") || strings.Contains(ctype, "manifest")
}
