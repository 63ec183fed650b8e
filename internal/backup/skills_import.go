package backup

import (
	"archive/tar"
	"compress/gzip"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"syscall"
)

// SkippedEntry is an archive entry or uploaded file an import left out.
type SkippedEntry struct {
	Name   string `json:"name"`
	Reason string `json:"reason"`
}

// SkillsResult is the outcome of a skills import.
type SkillsResult struct {
	Imported []string       `json:"imported" doc:"files written, relative to the skills folder"`
	Skipped  []SkippedEntry `json:"skipped"`
}

// SkillsImport stages one import. Every file is written to a temporary
// name beside its destination and only Commit renames them into place, so
// an import refused halfway (too large, a broken upload) leaves the skills
// folder as it was. All access goes through an os.Root: neither an entry
// name nor a symlink already in the folder can lead a write outside it.
// One goroutine uses an import; call Commit or Abort exactly once (Abort
// after Commit does nothing).
type SkillsImport struct {
	s       *Skills
	lim     skillsLimits
	root    *os.Root
	staged  map[string]string // destination → temporary name
	order   []string          // destinations, first staging order
	made    []string          // folders this import created, parents first
	skipped []SkippedEntry
	entries int
	bytes   int64
	done    bool
}

// BeginImport opens (creating it if needed) the skills folder for an import.
func (s *Skills) BeginImport() (*SkillsImport, error) {
	if err := os.MkdirAll(filepath.Dir(s.Dir), 0o700); err != nil {
		return nil, fmt.Errorf("import skills: %w", err)
	}
	err := os.Mkdir(s.Dir, s.dirMode())
	if err == nil && s.GroupWritable {
		err = os.Chmod(s.Dir, s.dirMode()) // the umask narrowed it
	}
	if err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("import skills: %w", err)
	}
	root, err := os.OpenRoot(s.Dir)
	if err != nil {
		return nil, fmt.Errorf("import skills: %w", err)
	}
	return &SkillsImport{s: s, lim: s.limit(), root: root, staged: map[string]string{}, skipped: []SkippedEntry{}}, nil
}

// readError marks a failure to read the source (as opposed to writing the
// destination) while a file is copied.
type readError struct{ err error }

func (e *readError) Error() string { return e.err.Error() }

type taggedReader struct{ r io.Reader }

func (t taggedReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if err != nil && err != io.EOF {
		err = &readError{err}
	}
	return n, err
}

// AddArchive stages the entries of a gzip tar archive: folders and regular
// files; symlinks, links, devices and unsafe paths are skipped.
func (im *SkillsImport) AddArchive(r io.Reader) error {
	src := &sourceReader{r: r}
	gz, err := gzip.NewReader(src)
	if err != nil {
		return src.fail(err)
	}
	defer gz.Close()
	stream := LimitReader(gz, im.lim.stream)
	tr := tar.NewReader(stream)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return src.fail(err)
		}
		if err := im.addEntry(hdr, tr); err != nil {
			var re *readError
			if errors.As(err, &re) {
				return src.fail(re.err)
			}
			return err
		}
	}
	if _, err := io.Copy(io.Discard, stream); err != nil {
		return src.fail(err)
	}
	return nil
}

func (im *SkillsImport) addEntry(hdr *tar.Header, r io.Reader) error {
	if hdr.Typeflag == tar.TypeXGlobalHeader {
		return nil
	}
	rel, ok := cleanRel(hdr.Name)
	switch {
	case !ok:
		im.skip(hdr.Name, "unsafe path")
		return nil
	case hdr.Typeflag == tar.TypeDir:
		if err := im.mkdirs(hdr.Name, rel); err != nil && !errors.Is(err, errSkipped) {
			return err
		}
		return nil
	case hdr.Typeflag == tar.TypeSymlink:
		im.skip(hdr.Name, "symlinks are not imported")
		return nil
	case hdr.Typeflag == tar.TypeLink:
		im.skip(hdr.Name, "hard links are not imported")
		return nil
	case hdr.Typeflag != tar.TypeReg:
		im.skip(hdr.Name, "not a regular file or folder")
		return nil
	case rel == "":
		im.skip(hdr.Name, "unsafe path")
		return nil
	case hdr.Size > im.lim.bytes-im.bytes:
		return fmt.Errorf("%s: %w", rel, ErrTooLarge)
	}
	return im.stage(hdr.Name, rel, r, hdr.Mode&0o111 != 0)
}

// AddFile stages one uploaded file; name is its path relative to the
// skills folder ("my-skill/SKILL.md").
func (im *SkillsImport) AddFile(name string, r io.Reader) error {
	rel, ok := cleanRel(name)
	if !ok || rel == "" {
		im.skip(name, "unsafe path")
		return nil
	}
	src := &sourceReader{r: r}
	err := im.stage(name, rel, src, false)
	var re *readError
	if errors.As(err, &re) {
		return src.fail(re.err)
	}
	return err
}

func (im *SkillsImport) skip(name, reason string) {
	im.skipped = append(im.skipped, SkippedEntry{Name: name, Reason: reason})
}

func (im *SkillsImport) count() error {
	if im.entries++; im.entries > im.lim.entries {
		return fmt.Errorf("more than %d files and folders: %w", im.lim.entries, ErrTooLarge)
	}
	return nil
}

// mkdirs makes the folder rel and its parents, recording the ones it
// creates; an existing file (or a symlink to one, or out of the folder) in
// the way skips the entry called name.
func (im *SkillsImport) mkdirs(name, rel string) error {
	cur := ""
	for _, part := range splitPath(rel) {
		cur = path.Join(cur, part)
		if _, ok := im.staged[cur]; ok {
			im.skip(name, cur+" is in the way: a file of this import")
			return errSkipped
		}
		st, err := im.root.Stat(cur) // follows symlinks, only within the folder
		switch {
		case err == nil && st.IsDir():
			continue
		case err == nil || !errors.Is(err, fs.ErrNotExist):
			im.skip(name, cur+" is in the way: not a folder inside the skills folder")
			return errSkipped
		}
		if err := im.count(); err != nil {
			return err
		}
		if err := im.root.Mkdir(cur, im.s.dirMode()); errors.Is(err, fs.ErrExist) {
			im.skip(name, cur+" is in the way: not a folder inside the skills folder") // a dangling symlink
			return errSkipped
		} else if err != nil {
			return fmt.Errorf("import skills %s: %w", cur, err)
		}
		im.made = append(im.made, cur)
		if im.s.GroupWritable {
			if err := im.root.Chmod(cur, im.s.dirMode()); err != nil { // the umask narrowed it
				return fmt.Errorf("import skills %s: %w", cur, err)
			}
		}
	}
	return nil
}

// errSkipped tells stage that mkdirs skipped the entry (not a failure).
var errSkipped = errors.New("skipped")

func splitPath(rel string) []string {
	var parts []string
	for rel != "." && rel != "" {
		parts = append([]string{path.Base(rel)}, parts...)
		rel = path.Dir(rel)
	}
	return parts
}

// stage writes r to a temporary file beside rel. A later file for the same
// destination replaces an earlier one.
func (im *SkillsImport) stage(name, rel string, r io.Reader, exec bool) error {
	if err := im.mkdirs(name, path.Dir(rel)); err != nil {
		if errors.Is(err, errSkipped) {
			return nil
		}
		return err
	}
	if st, err := im.root.Lstat(rel); err == nil && st.IsDir() {
		im.skip(name, "a folder with this name exists")
		return nil
	}
	if err := im.count(); err != nil {
		return err
	}
	tmp := path.Join(path.Dir(rel), tempName())
	mode := im.s.fileMode(exec)
	f, err := im.root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return fmt.Errorf("import skills %s: %w", rel, err)
	}
	err = im.fill(f, r, mode)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = im.root.Remove(tmp)
		return err
	}
	if old, ok := im.staged[rel]; ok {
		_ = im.root.Remove(old)
	} else {
		im.order = append(im.order, rel)
	}
	im.staged[rel] = tmp
	return nil
}

// fill copies r into f within the import's byte budget and syncs it.
func (im *SkillsImport) fill(f *os.File, r io.Reader, mode fs.FileMode) error {
	n, err := io.Copy(f, LimitReader(taggedReader{r}, im.lim.bytes-im.bytes))
	im.bytes += n
	switch {
	case errors.Is(err, ErrTooLarge): // the budget; the source's errors are readErrors
		return fmt.Errorf("more than %d bytes of files: %w", im.lim.bytes, ErrTooLarge)
	case err != nil:
		return err
	}
	if im.s.GroupWritable {
		if err := f.Chmod(mode); err != nil { // the umask narrowed it
			return err
		}
	}
	return f.Sync()
}

func tempName() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return ".pi-forge-import-" + hex.EncodeToString(b[:]) + ".tmp"
}

// Commit renames every staged file into place (replacing what was there)
// and reports what was imported and skipped.
func (im *SkillsImport) Commit() (*SkillsResult, error) {
	if im.done {
		return nil, errors.New("import skills: already finished")
	}
	im.done = true
	defer im.root.Close()
	res := &SkillsResult{Imported: []string{}, Skipped: im.skipped}
	dirs := map[string]bool{}
	var failed error
	for _, rel := range im.order {
		tmp := im.staged[rel]
		if failed != nil {
			_ = im.root.Remove(tmp)
			continue
		}
		err := im.root.Rename(tmp, rel)
		switch {
		case err == nil:
			res.Imported = append(res.Imported, rel)
			dirs[path.Dir(rel)] = true
		case errors.Is(err, syscall.EISDIR), errors.Is(err, syscall.ENOTEMPTY), errors.Is(err, fs.ErrExist):
			_ = im.root.Remove(tmp)
			res.Skipped = append(res.Skipped, SkippedEntry{Name: rel, Reason: "a folder with this name exists"})
		default:
			_ = im.root.Remove(tmp)
			failed = fmt.Errorf("import skills %s: %w", rel, err)
		}
	}
	for d := range dirs {
		if f, err := im.root.Open(d); err == nil {
			_ = f.Sync() // make the renames durable
			f.Close()
		}
	}
	if failed != nil {
		return nil, failed
	}
	return res, nil
}

// Abort removes the staged files and the folders the import created.
func (im *SkillsImport) Abort() {
	if im.done {
		return
	}
	im.done = true
	for _, tmp := range im.staged {
		_ = im.root.Remove(tmp)
	}
	for i := len(im.made) - 1; i >= 0; i-- {
		_ = im.root.Remove(im.made[i]) // only if still empty
	}
	im.root.Close()
}
