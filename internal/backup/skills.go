package backup

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// Limits of a skills import. The reference bounds each uploaded part; we
// also bound what an archive expands to, so a small gzip bomb cannot fill
// the disk or keep the server busy.
const (
	// MaxSkillsPartBytes bounds one uploaded part (an archive or a file).
	MaxSkillsPartBytes = 50 << 20
	// maxSkillsBytes bounds the files one import writes, in total.
	maxSkillsBytes = 256 << 20
	// maxSkillsStream bounds a decompressed archive stream (file data plus
	// headers and the data of skipped entries).
	maxSkillsStream = maxSkillsBytes + 16<<20
	// maxSkillsEntries bounds the files and folders one import creates.
	maxSkillsEntries = 10_000
)

// Skills backs up and restores the skills folder (PI_CONFIG_DIR/skills).
type Skills struct {
	Dir string
	// GroupWritable (sandbox mode) gives new files 0664 and folders 0775,
	// so the agent's tool user, in the server's group, can edit them;
	// otherwise 0666 and 0777 narrowed by the umask, as pi creates files.
	GroupWritable bool

	limits skillsLimits // zero: the defaults (tests lower them)
}

type skillsLimits struct {
	bytes, stream int64
	entries       int
}

func (s *Skills) limit() skillsLimits {
	if s.limits == (skillsLimits{}) {
		return skillsLimits{bytes: maxSkillsBytes, stream: maxSkillsStream, entries: maxSkillsEntries}
	}
	return s.limits
}

func (s *Skills) fileMode(exec bool) fs.FileMode {
	switch {
	case s.GroupWritable && exec:
		return 0o775
	case s.GroupWritable:
		return 0o664
	case exec:
		return 0o777
	}
	return 0o666
}

func (s *Skills) dirMode() fs.FileMode {
	if s.GroupWritable {
		return 0o775
	}
	return 0o777
}

// SkillsExport is a skills archive ready to stream: the folders and files
// below the skills folder, listed when it was opened.
type SkillsExport struct {
	root    *os.Root
	entries []skillEntry
	files   int
}

type skillEntry struct {
	name string
	dir  bool
}

// OpenExport lists the skills folder: folders and regular files, without
// following symlinks (a link may point anywhere; it is left out).
// ErrNoSkills when the folder is missing or holds no file. Close the result.
func (s *Skills) OpenExport() (*SkillsExport, error) {
	root, err := os.OpenRoot(s.Dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNoSkills
	}
	if err != nil {
		return nil, fmt.Errorf("export skills: %w", err)
	}
	e := &SkillsExport{root: root}
	err = fs.WalkDir(root.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case p == ".":
		case d.IsDir():
			e.entries = append(e.entries, skillEntry{name: p, dir: true})
		case d.Type().IsRegular():
			e.entries = append(e.entries, skillEntry{name: p})
			e.files++
		}
		return nil
	})
	if err == nil && e.files == 0 {
		err = ErrNoSkills
	}
	if err != nil {
		root.Close()
		if errors.Is(err, ErrNoSkills) {
			return nil, err
		}
		return nil, fmt.Errorf("export skills: %w", err)
	}
	return e, nil
}

// Files is the number of files in the archive.
func (e *SkillsExport) Files() int { return e.files }

// Write streams the archive: paths relative to the skills folder, folders
// before their contents, gzip-compressed. A file deleted since OpenExport
// is left out.
func (e *SkillsExport) Write(w io.Writer) error {
	gz := gzip.NewWriter(w)
	tw := tar.NewWriter(gz)
	for _, ent := range e.entries {
		if err := e.writeEntry(tw, ent); err != nil {
			return fmt.Errorf("export skills %s: %w", ent.name, err)
		}
	}
	if err := tw.Close(); err != nil {
		return fmt.Errorf("export skills: %w", err)
	}
	if err := gz.Close(); err != nil {
		return fmt.Errorf("export skills: %w", err)
	}
	return nil
}

func (e *SkillsExport) writeEntry(tw *tar.Writer, ent skillEntry) error {
	if ent.dir {
		st, err := e.root.Lstat(ent.name)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		return tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: ent.name + "/", Mode: int64(st.Mode().Perm()), ModTime: st.ModTime(), Format: tar.FormatPAX})
	}
	f, err := e.root.Open(ent.name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return nil // replaced by something else since the listing
	}
	hdr := &tar.Header{Typeflag: tar.TypeReg, Name: ent.name, Mode: int64(st.Mode().Perm()), Size: st.Size(), ModTime: st.ModTime(), Format: tar.FormatPAX}
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	_, err = io.CopyN(tw, f, st.Size())
	return err
}

// Close releases the folder.
func (e *SkillsExport) Close() { e.root.Close() }
