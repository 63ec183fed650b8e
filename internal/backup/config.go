package backup

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pi-forge/pi-forge/internal/atomicfile"
	"github.com/pi-forge/pi-forge/internal/piconfig"
)

// Limits of a configuration import.
const (
	// MaxConfigArchiveBytes bounds the uploaded archive (the reference's).
	MaxConfigArchiveBytes = 5 << 20
	// maxConfigFileBytes bounds one file inside it.
	maxConfigFileBytes = 5 << 20
	// maxConfigExpanded bounds the decompressed stream, so a gzip bomb of
	// entries we would skip costs little.
	maxConfigExpanded = 64 << 20
)

// configFile is one file a configuration backup may hold.
type configFile struct {
	name  string
	pi    bool // in PI_CONFIG_DIR (else FORGE_DATA_DIR)
	array bool // a JSON array (else an object)
}

// configFiles lists them in archive order. auth.json (provider keys and
// OAuth tokens), projects.json (paths of this machine), jwt-secret and
// password-hash are left out on purpose; nothing else can be exported,
// because only these names are ever opened.
func configFiles() []configFile {
	return []configFile{
		{name: "mcp.json"},
		{name: "settings.json", pi: true},
		{name: "models.json", pi: true},
		{name: "skills-overrides.json"},
		{name: "tool-overrides.json"},
		{name: "theme.json"},
		{name: "quick-actions.json", array: true},
	}
}

func lookupConfigFile(name string) (configFile, bool) {
	for _, f := range configFiles() {
		if f.name == name {
			return f, true
		}
	}
	return configFile{}, false
}

// Config backs up and restores pi-forge's configuration files.
type Config struct {
	// Pi holds settings.json and models.json; restoring them goes through
	// its stores, so pi's lock is honoured and models.json is validated.
	Pi *piconfig.Config
	// DataDir is FORGE_DATA_DIR, where the other files live.
	DataDir string

	maxExpanded int64 // zero: maxConfigExpanded (tests lower it)
}

func (c *Config) path(f configFile) string {
	if f.pi {
		switch f.name {
		case "settings.json":
			return c.Pi.Settings.Path()
		case "models.json":
			return c.Pi.Models.Path()
		}
	}
	return filepath.Join(c.DataDir, f.name)
}

// Export is a configuration archive ready to stream: the files that exist,
// opened, so the list is known before the first byte is sent and a file
// replaced meanwhile is exported as it was when opened.
type Export struct{ files []exportFile }

type exportFile struct {
	name string
	f    *os.File
	size int64
	mod  time.Time
}

// OpenExport opens the configuration files that exist. Close the result.
func (c *Config) OpenExport() (*Export, error) {
	e := &Export{}
	for _, cf := range configFiles() {
		f, err := os.Open(c.path(cf))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			e.Close()
			return nil, fmt.Errorf("export %s: %w", cf.name, err)
		}
		st, err := f.Stat()
		if err != nil || !st.Mode().IsRegular() {
			f.Close()
			if err != nil {
				e.Close()
				return nil, fmt.Errorf("export %s: %w", cf.name, err)
			}
			continue // a directory or device under that name is no backup
		}
		e.files = append(e.files, exportFile{name: cf.name, f: f, size: st.Size(), mod: st.ModTime()})
	}
	return e, nil
}

// Names lists the files in the archive, in order.
func (e *Export) Names() []string {
	out := make([]string, len(e.files))
	for i, f := range e.files {
		out[i] = f.name
	}
	return out
}

// Write streams the archive: a flat tar, gzip-compressed.
func (e *Export) Write(w io.Writer) error {
	gz := gzip.NewWriter(w)
	tw := tar.NewWriter(gz)
	for _, f := range e.files {
		hdr := &tar.Header{Typeflag: tar.TypeReg, Name: f.name, Mode: 0o600, Size: f.size, ModTime: f.mod, Format: tar.FormatPAX}
		if err := tw.WriteHeader(hdr); err != nil {
			return fmt.Errorf("export %s: %w", f.name, err)
		}
		if _, err := io.CopyN(tw, f.f, f.size); err != nil {
			return fmt.Errorf("export %s: %w", f.name, err)
		}
	}
	if err := tw.Close(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err := gz.Close(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}

// Close closes the opened files.
func (e *Export) Close() {
	for _, f := range e.files {
		f.f.Close()
	}
	e.files = nil
}

// ConfigImport is the outcome of a configuration import. When Errors is
// not empty nothing was written.
type ConfigImport struct {
	Imported []string    `json:"imported" doc:"files written"`
	Skipped  []string    `json:"skipped" doc:"archive entries ignored: not a regular file, not a plain name, or not a configuration file"`
	Errors   []FileError `json:"errors" doc:"files that failed validation; any error means nothing was written"`
}

// FileError says why one file was refused.
type FileError struct {
	File   string `json:"file"`
	Reason string `json:"reason"`
}

type importedFile struct {
	cf   configFile
	data []byte
}

// Import reads a configuration archive from r and, when every accepted
// file is valid, writes them all, each atomically. r is read to its end
// before anything is written, so a caller's size limit (LimitReader)
// fails the import before it changes anything.
func (c *Config) Import(ctx context.Context, r io.Reader) (*ConfigImport, error) {
	res := &ConfigImport{Imported: []string{}, Skipped: []string{}, Errors: []FileError{}}
	limit := c.maxExpanded
	if limit == 0 {
		limit = maxConfigExpanded
	}
	files, err := readConfigArchive(r, limit, res)
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		if reason := checkConfigJSON(f); reason != "" {
			res.Errors = append(res.Errors, FileError{File: f.cf.name, Reason: reason})
		}
	}
	if len(res.Errors) > 0 {
		return res, nil
	}
	if err := c.write(ctx, files, res); err != nil {
		return nil, err
	}
	return res, nil
}

// readConfigArchive returns the allowlisted files of the archive in
// configFiles order (a name given twice keeps its last content), listing
// everything else in res.Skipped.
func readConfigArchive(r io.Reader, limit int64, res *ConfigImport) ([]importedFile, error) {
	src := &sourceReader{r: r}
	gz, err := gzip.NewReader(src)
	if err != nil {
		return nil, src.fail(err)
	}
	defer gz.Close()
	stream := LimitReader(gz, limit)
	tr := tar.NewReader(stream)
	found := map[string][]byte{}
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, src.fail(err)
		}
		name := strings.TrimPrefix(hdr.Name, "./")
		if hdr.Typeflag == tar.TypeXGlobalHeader || (hdr.Typeflag == tar.TypeDir && name == "") {
			continue // archive metadata, or the "./" a `tar -C dir .` starts with
		}
		cf, ok := lookupConfigFile(name)
		if hdr.Typeflag != tar.TypeReg || !ok {
			res.Skipped = append(res.Skipped, hdr.Name)
			continue
		}
		if hdr.Size > maxConfigFileBytes {
			return nil, fmt.Errorf("%s is %d bytes: %w", cf.name, hdr.Size, ErrTooLarge)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			return nil, src.fail(err)
		}
		found[cf.name] = data
	}
	// Read to the end: the gzip checksum is only checked there, and the
	// caller's size limit must see every byte.
	if _, err := io.Copy(io.Discard, stream); err != nil {
		return nil, src.fail(err)
	}
	var files []importedFile
	for _, cf := range configFiles() {
		if data, ok := found[cf.name]; ok {
			files = append(files, importedFile{cf: cf, data: data})
		}
	}
	return files, nil
}

// checkConfigJSON returns why a file cannot be restored, or "".
func checkConfigJSON(f importedFile) string {
	var v any
	if err := json.Unmarshal(f.data, &v); err != nil {
		return "not valid JSON: " + err.Error()
	}
	want := map[bool]string{false: "must be a JSON object", true: "must be a JSON array"}[f.cf.array]
	switch v.(type) {
	case map[string]any:
		if f.cf.array {
			return want
		}
	case []any:
		if !f.cf.array {
			return want
		}
	default:
		return want
	}
	return ""
}

// write restores the files. models.json goes first: it is the one pi's
// rules can still refuse (ErrInvalidModels, a redacted key with nothing
// stored), and a refusal must leave every file as it was.
func (c *Config) write(ctx context.Context, files []importedFile, res *ConfigImport) error {
	for _, f := range files {
		if f.cf.name != "models.json" {
			continue
		}
		_, err := c.Pi.Models.WriteFromAPI(ctx, f.data)
		switch {
		case errors.Is(err, piconfig.ErrInvalidModels), errors.Is(err, piconfig.ErrNoProviders), errors.Is(err, piconfig.ErrSentinelWithoutSecret):
			res.Errors = append(res.Errors, FileError{File: f.cf.name, Reason: err.Error()})
			return nil
		case err != nil:
			return fmt.Errorf("import models.json: %w", err)
		}
	}
	for _, f := range files {
		var err error
		switch f.cf.name {
		case "models.json":
		case "settings.json":
			err = c.replaceSettings(ctx, f.data)
		default:
			err = c.writeDataFile(f)
		}
		if err != nil {
			return fmt.Errorf("import %s: %w", f.cf.name, err)
		}
	}
	for _, f := range files {
		res.Imported = append(res.Imported, f.cf.name)
	}
	return nil
}

// replaceSettings swaps settings.json's content under pi's lock. A stored
// file that does not parse (which pi refuses to write over, so no pi is
// writing it) is replaced without the lock: restoring a backup is how a
// user repairs it.
func (c *Config) replaceSettings(ctx context.Context, data []byte) error {
	next, err := piconfig.ParseObject(data)
	if err != nil {
		return err
	}
	_, err = c.Pi.Settings.Update(ctx, func(current *piconfig.Object) error {
		for _, k := range current.Keys() {
			current.Delete(k)
		}
		for _, k := range next.Keys() {
			v, _ := next.Raw(k)
			current.SetRaw(k, v)
		}
		return nil
	})
	if !errors.Is(err, piconfig.ErrCorrupt) {
		return err
	}
	target := c.Pi.Settings.Path()
	if resolved, err := filepath.EvalSymlinks(target); err == nil {
		target = resolved
	}
	perm := os.FileMode(0o644)
	if st, err := os.Stat(target); err == nil {
		perm = st.Mode().Perm()
	}
	return atomicfile.WriteFile(target, data, perm)
}

// writeDataFile replaces one FORGE_DATA_DIR file (0600: several hold
// secrets, such as MCP headers).
func (c *Config) writeDataFile(f importedFile) error {
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return err
	}
	data := f.data
	if !bytes.HasSuffix(data, []byte("\n")) {
		data = append(data, '\n')
	}
	return atomicfile.WriteFile(c.path(f.cf), data, 0o600)
}
