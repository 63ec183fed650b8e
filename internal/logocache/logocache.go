// Package logocache fetches the custom logos (LOGO_URL_MODE=cache) once
// into ${FORGE_DATA_DIR}/cache/logos/ and serves them same-origin at
// /cache/logos/<file>, so the browser never contacts the logo host and the
// CSP stays 'self'.
//
// A logo is fetched with a 5 s timeout, at most 3 redirects and 2 MiB, and
// must be an image (svg, png, jpeg, gif, webp, avif by Content-Type or URL
// extension). Any failure means the built-in logo, unless an earlier run
// cached the same URL. Fetching runs in the background so start-up does
// not wait for a remote host.
package logocache

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/pi-forge/pi-forge/internal/atomicfile"
)

// URLPrefix is where cached logos are served.
const URLPrefix = "/cache/logos/"

const (
	fetchTimeout = 5 * time.Second
	maxRedirects = 3
	maxBytes     = 2 << 20
)

// Kinds of logo, in the order of the ui-config fields.
const (
	Auth     = "auth"
	AppDark  = "app-dark"
	AppLight = "app-light"
)

// extensions maps image content types to the file extension stored.
var extensions = map[string]string{
	"image/svg+xml": ".svg", "image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif",
	"image/webp": ".webp", "image/avif": ".avif",
}

// Cache holds the logos of one instance. It is safe for concurrent use.
type Cache struct {
	dir    string
	log    *slog.Logger
	client *http.Client

	mu    sync.Mutex
	urls  map[string]string // kind → /cache/logos/<file>
	ready chan struct{}
}

// New returns a cache storing files in dir (created on demand).
func New(dir string, log *slog.Logger) *Cache {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c := &Cache{dir: dir, log: log, urls: map[string]string{}, ready: make(chan struct{})}
	c.client = &http.Client{
		Timeout: fetchTimeout,
		CheckRedirect: func(_ *http.Request, via []*http.Request) error {
			if len(via) > maxRedirects {
				return fmt.Errorf("more than %d redirects", maxRedirects)
			}
			return nil
		},
	}
	return c
}

// Fetch caches every configured logo (kind → remote URL, "" skipped) and
// then closes Ready. Run it once, in its own goroutine; ctx cancels it.
func (c *Cache) Fetch(ctx context.Context, sources map[string]string) {
	defer close(c.ready)
	for kind, src := range sources {
		if src == "" {
			continue
		}
		name, err := c.fetchOne(ctx, kind, src)
		if err != nil {
			name = c.previous(kind, src)
			c.log.Warn("logo not cached; using the built-in logo unless an earlier copy exists",
				"kind", kind, "url", src, "error", err.Error(), "earlier", name != "")
		}
		if name != "" {
			c.mu.Lock()
			c.urls[kind] = URLPrefix + name
			c.mu.Unlock()
		}
	}
}

// Ready is closed when Fetch has finished.
func (c *Cache) Ready() <-chan struct{} { return c.ready }

// URL returns the same-origin URL of kind's cached logo, or "".
func (c *Cache) URL(kind string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.urls[kind]
}

// baseName is the stable file name stem for one kind and remote URL.
func baseName(kind, src string) string {
	sum := sha256.Sum256([]byte(src))
	return kind + "-" + hex.EncodeToString(sum[:8])
}

func (c *Cache) fetchOne(ctx context.Context, kind, src string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, src, nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Accept", "image/*")
	resp, err := c.client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("status %d", resp.StatusCode)
	}
	if resp.ContentLength > maxBytes {
		return "", fmt.Errorf("larger than %d bytes", maxBytes)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBytes+1))
	if err != nil {
		return "", err
	}
	if len(data) > maxBytes {
		return "", fmt.Errorf("larger than %d bytes", maxBytes)
	}
	ext := imageExtension(resp.Header.Get("Content-Type"), resp.Request.URL)
	if ext == "" {
		return "", errors.New("not an image (svg, png, jpeg, gif, webp or avif)")
	}
	if err := os.MkdirAll(c.dir, 0o755); err != nil {
		return "", err
	}
	name := baseName(kind, src) + ext
	if err := atomicfile.WriteFile(filepath.Join(c.dir, name), data, 0o644); err != nil {
		return "", err
	}
	return name, nil
}

// imageExtension decides the type by Content-Type, else by the final
// URL's extension (servers often send application/octet-stream).
func imageExtension(contentType string, u *url.URL) string {
	if mt, _, err := mime.ParseMediaType(contentType); err == nil {
		if ext, ok := extensions[mt]; ok {
			return ext
		}
		if strings.HasPrefix(mt, "text/") {
			return "" // an HTML error page named logo.png is not a logo
		}
	}
	ext := strings.ToLower(path.Ext(u.Path))
	if ext == ".jpeg" {
		ext = ".jpg"
	}
	for _, e := range extensions {
		if e == ext {
			return ext
		}
	}
	return ""
}

// previous finds a file an earlier run cached for the same URL.
func (c *Cache) previous(kind, src string) string {
	stem := baseName(kind, src)
	for _, ext := range extensions {
		if _, err := os.Stat(filepath.Join(c.dir, stem+ext)); err == nil {
			return stem + ext
		}
	}
	return ""
}

var safeName = regexp.MustCompile(`^[a-z-]+-[0-9a-f]{16}\.(svg|png|jpg|gif|webp|avif)$`)

// ServeHTTP serves GET /cache/logos/{name}. Logos are public (the login
// page shows one). SVGs are served under a sandboxing CSP so opening one
// directly cannot run script on this origin.
func (c *Cache) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	var data []byte
	var err error
	if safeName.MatchString(name) {
		data, err = os.ReadFile(filepath.Join(c.dir, name))
	}
	if !safeName.MatchString(name) || err != nil {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"error":"not_found"}`))
		return
	}
	h := w.Header()
	for ct, ext := range extensions {
		if strings.HasSuffix(name, ext) {
			h.Set("Content-Type", ct)
		}
	}
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox")
	h.Set("Cache-Control", "public, max-age=86400")
	_, _ = w.Write(data)
}
