package workspace

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"mime"
	"mime/multipart"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// UploadLimits bound one POST /files/upload request.
type UploadLimits struct {
	MaxFileBytes  int64 // per file; default 500 MiB
	MaxTotalBytes int64 // all files of the request; default 2 GiB
	MaxFiles      int   // default 512
	MaxFields     int   // non-file parts; default 1032
	MaxFieldBytes int64 // one field's value; default 64 KiB
}

func (l UploadLimits) withDefaults() UploadLimits {
	if l.MaxFileBytes <= 0 {
		l.MaxFileBytes = 500 << 20
	}
	if l.MaxTotalBytes <= 0 {
		l.MaxTotalBytes = 2 << 30
	}
	if l.MaxFiles <= 0 {
		l.MaxFiles = 512
	}
	if l.MaxFields <= 0 {
		l.MaxFields = 1032
	}
	if l.MaxFieldBytes <= 0 {
		l.MaxFieldBytes = 64 << 10
	}
	return l
}

// UploadedFile is one entry of the upload response.
type UploadedFile struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// UploadResult is the POST /files/upload response.
type UploadResult struct {
	Files []UploadedFile `json:"files"`
}

// ProjectResolver maps the upload's projectId field to the project's root
// path. Its error is returned unchanged (the handler's 404).
type ProjectResolver func(ctx context.Context, projectID string) (string, error)

// Upload streams a multipart/form-data body to disk. Fields must precede
// the files they apply to: projectId, parentPath (absolute), overwrite
// ("1"/"true"), path:<idx> (a relative subpath for folder uploads) and
// sha256:<idx|relpath|filename> (hex; may also follow the file). File
// parts are named file:<idx> or anything else (then idx is their 0-based
// order). Each file goes to a temp file beside its target while it is
// hashed and counted; only when the whole request has arrived and every
// checksum matches are the temp files renamed into place. Any failure
// removes every temp file and directory the request made, so a request
// lands completely or not at all.
func (w *FS) Upload(ctx context.Context, contentType string, body io.Reader, resolve ProjectResolver) (*UploadResult, error) {
	const op = "upload"
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return nil, newError(CodeExpectedMultipart, op, "", "expected a multipart/form-data body")
	}
	u := &upload{fs: w, ctx: ctx, resolve: resolve, paths: map[string]string{}, sums: map[string]string{}, staged: map[string]int{}}
	defer u.cleanup()
	if err := u.readParts(multipart.NewReader(body, params["boundary"])); err != nil {
		return nil, err
	}
	if len(u.files) == 0 {
		return nil, newError(CodeNoFiles, op, "", "no file parts in the request")
	}
	if err := u.verify(); err != nil {
		return nil, err
	}
	return u.commit()
}

// upload is the state of one request.
type upload struct {
	fs        *FS
	ctx       context.Context
	resolve   ProjectResolver
	projectID string
	parent    string // parentPath field
	overwrite bool
	paths     map[string]string // path:<idx>
	sums      map[string]string // sha256:<key>, lower-case
	root      *Root
	parentDir resolved
	fields    int
	total     int64
	files     []*stagedFile
	staged    map[string]int // target realpath -> index in files
	created   []string       // directories made, outermost first
	committed []string       // new targets linked into place, for rollback
	done      bool
}

type stagedFile struct {
	idx, rel, name string
	lex, target    string
	tmp            string
	size           int64
	sum            string
	replace        bool // target existed and overwrite is on
	dropped        bool // superseded by a later part with the same target
}

func (u *upload) readParts(mr *multipart.Reader) error {
	const op = "upload"
	for ordinal := 0; ; {
		if err := u.ctx.Err(); err != nil {
			return err
		}
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return &Error{Code: CodeInvalidBody, Op: op, Message: "malformed multipart body", Err: err}
		}
		_, disp, _ := mime.ParseMediaType(part.Header.Get("Content-Disposition"))
		filename, isFile := disp["filename"]
		if !isFile {
			err = u.field(part)
		} else {
			err = u.file(part, filename, ordinal)
			ordinal++
		}
		part.Close()
		if err != nil {
			return err
		}
	}
}

func (u *upload) field(part *multipart.Part) error {
	const op = "upload"
	u.fields++
	if u.fields > u.fs.upload.MaxFields {
		return newError(CodeTooManyFields, op, "", fmt.Sprintf("more than %d form fields", u.fs.upload.MaxFields))
	}
	data, err := io.ReadAll(io.LimitReader(part, u.fs.upload.MaxFieldBytes+1))
	if err != nil {
		return &Error{Code: CodeInvalidBody, Op: op, Message: "malformed multipart body", Err: err}
	}
	if int64(len(data)) > u.fs.upload.MaxFieldBytes {
		return newError(CodeInvalidBody, op, "", "form field too long: "+part.FormName())
	}
	value := string(data)
	switch name := part.FormName(); {
	case name == "projectId":
		u.projectID = value
	case name == "parentPath":
		u.parent = value
	case name == "overwrite":
		u.overwrite = value == "1" || value == "true"
	case strings.HasPrefix(name, "path:"):
		u.paths[strings.TrimPrefix(name, "path:")] = value
	case strings.HasPrefix(name, "sha256:"):
		if key := strings.TrimPrefix(name, "sha256:"); key != "" {
			u.sums[key] = strings.ToLower(strings.TrimSpace(value))
		}
	}
	return nil
}

// open resolves the project and the parent folder at the first file part.
func (u *upload) open() error {
	const op = "upload"
	if u.root != nil {
		return nil
	}
	if u.projectID == "" {
		return newError(CodeMissingField, op, "", "projectId must precede file parts in the multipart body")
	}
	if u.parent == "" {
		return newError(CodeMissingField, op, "", "parentPath must precede file parts in the multipart body")
	}
	rootPath, err := u.resolve(u.ctx, u.projectID)
	if err != nil {
		return err
	}
	root, err := u.fs.Root(rootPath)
	if err != nil {
		return err
	}
	parent, err := root.resolve(op, u.parent)
	if err != nil {
		return err
	}
	u.root, u.parentDir = root, parent
	return nil
}

func (u *upload) file(part *multipart.Part, filename string, ordinal int) error {
	const op = "upload"
	if err := u.open(); err != nil {
		return err
	}
	if len(u.files) >= u.fs.upload.MaxFiles {
		return newError(CodeTooManyFiles, op, "", fmt.Sprintf("more than %d files in one upload", u.fs.upload.MaxFiles))
	}
	if filename == "" {
		return newError(CodeMissingFilename, op, "", "a file part has no filename")
	}
	sf := &stagedFile{idx: strconv.Itoa(ordinal), name: filename}
	if idx, ok := strings.CutPrefix(part.FormName(), "file:"); ok && idx != "" {
		sf.idx = idx
	}
	if err := u.place(sf); err != nil {
		return err
	}
	if err := u.receive(sf, part); err != nil {
		return err
	}
	if prev, ok := u.staged[sf.target]; ok {
		u.files[prev].dropped = true
		_ = os.Remove(u.files[prev].tmp)
	}
	u.staged[sf.target] = len(u.files)
	u.files = append(u.files, sf)
	return nil
}

// place decides the target of a file part and checks it.
func (u *upload) place(sf *stagedFile) error {
	const op = "upload"
	var parts []string
	var err error
	if rel, ok := u.paths[sf.idx]; ok && rel != "" {
		sf.rel = rel
		parts, err = splitRelative(op, rel)
	} else {
		var n string
		n, err = validName(op, sf.name)
		parts = []string{n}
	}
	if err != nil {
		return err
	}
	target, err := u.root.resolveLex(op, filepath.Join(append([]string{u.parentDir.lex}, parts...)...))
	if err != nil {
		return err
	}
	sf.lex, sf.target = target.lex, target.real
	if _, dup := u.staged[sf.target]; dup && !u.overwrite {
		return newError(CodeTargetExists, op, sf.lex, "the request uploads two files to the same path")
	}
	st, err := os.Lstat(sf.target)
	switch {
	case err == nil && !u.overwrite:
		return newError(CodeTargetExists, op, sf.lex, "destination already exists")
	case err == nil && !st.Mode().IsRegular():
		return newError(CodeInvalidName, op, sf.lex, "target exists and is not a regular file")
	case err == nil:
		sf.replace = true
	case !errors.Is(err, fs.ErrNotExist):
		return fsError(op, sf.lex, err)
	}
	created, err := mkdirAll(op, filepath.Dir(sf.target))
	u.created = append(u.created, created...)
	return err
}

// receive streams one part into a temp file beside its target, hashing
// and counting as it goes.
func (u *upload) receive(sf *stagedFile, part io.Reader) error {
	const op = "upload"
	// A short temp name: a long target name must not push it past NAME_MAX.
	f, err := os.OpenFile(filepath.Join(filepath.Dir(sf.target), ".upload-"+randomSuffix()), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fsError(op, sf.lex, err)
	}
	sf.tmp = f.Name()
	h := sha256.New()
	n, err := u.copy(f, h, part, sf)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil && cerr != nil {
		err = fsError(op, sf.lex, cerr)
	}
	if err != nil {
		_ = os.Remove(sf.tmp)
		return err
	}
	sf.size, sf.sum = n, hex.EncodeToString(h.Sum(nil))
	return nil
}

func (u *upload) copy(dst io.Writer, h hash.Hash, src io.Reader, sf *stagedFile) (int64, error) {
	const op = "upload"
	buf := make([]byte, 256<<10)
	var n int64
	for {
		if err := u.ctx.Err(); err != nil {
			return n, err
		}
		k, rerr := src.Read(buf)
		if k > 0 {
			n += int64(k)
			u.total += int64(k)
			if n > u.fs.upload.MaxFileBytes {
				return n, newError(CodeFileTooLarge, op, sf.lex, fmt.Sprintf("%q exceeds the %d MiB per-file limit", sf.name, u.fs.upload.MaxFileBytes>>20))
			}
			if u.total > u.fs.upload.MaxTotalBytes {
				return n, newError(CodeAggregateTooLarge, op, sf.lex, fmt.Sprintf("the upload exceeds the %d MiB total limit", u.fs.upload.MaxTotalBytes>>20))
			}
			h.Write(buf[:k])
			if _, err := dst.Write(buf[:k]); err != nil {
				return n, fsError(op, sf.lex, err)
			}
		}
		if errors.Is(rerr, io.EOF) {
			return n, nil
		}
		if rerr != nil {
			return n, &Error{Code: CodeInvalidBody, Op: op, Path: sf.lex, Message: "upload interrupted", Err: rerr}
		}
	}
}

// verify checks every client-supplied checksum (keyed by index, relative
// path or file name, in that order of preference).
func (u *upload) verify() error {
	for _, sf := range u.files {
		if sf.dropped {
			continue
		}
		want, ok := u.sums[sf.idx]
		if !ok && sf.rel != "" {
			want, ok = u.sums[sf.rel]
		}
		if !ok {
			want, ok = u.sums[sf.name]
		}
		if ok && want != sf.sum {
			return newError(CodeChecksumMismatch, "upload", sf.lex, fmt.Sprintf("expected sha256 %s, computed %s", want, sf.sum))
		}
	}
	return nil
}

// commit moves every temp file into place. New files are hard-linked so an
// entry that appeared meanwhile is never replaced (target_exists);
// overwrites are renamed over the old file.
func (u *upload) commit() (*UploadResult, error) {
	const op = "upload"
	res := &UploadResult{Files: []UploadedFile{}}
	for _, sf := range u.files {
		if sf.dropped {
			continue
		}
		var err error
		if sf.replace {
			if st, serr := os.Stat(sf.target); serr == nil {
				_ = os.Chmod(sf.tmp, st.Mode().Perm())
			}
			err = os.Rename(sf.tmp, sf.target)
		} else if err = linkNew(sf.tmp, sf.target); err == nil {
			u.committed = append(u.committed, sf.target)
		}
		if err != nil {
			return nil, fsError(op, sf.lex, err)
		}
		res.Files = append(res.Files, UploadedFile{Path: sf.lex, Size: sf.size, SHA256: sf.sum})
	}
	u.done = true
	for _, sf := range u.files {
		if sf.dropped {
			continue
		}
		if err := u.root.handoff(op, sf.target); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// linkNew moves tmp to a target that must not exist. link(2) fails
// instead of replacing; filesystems without hard links get a checked
// rename.
func linkNew(tmp, target string) error {
	err := os.Link(tmp, target)
	if err == nil {
		return os.Remove(tmp)
	}
	if errors.Is(err, fs.ErrExist) {
		return err
	}
	if _, serr := os.Lstat(target); serr == nil {
		return fs.ErrExist
	}
	return os.Rename(tmp, target)
}

// cleanup undoes a request that did not complete.
func (u *upload) cleanup() {
	if u.done {
		return
	}
	for _, sf := range u.files {
		_ = os.Remove(sf.tmp)
	}
	for _, p := range u.committed {
		_ = os.Remove(p)
	}
	removeDirs(u.created)
}
