package workspace

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// Download is a file or folder ready to stream. Open it with
// Root.Download, send ContentType, ContentDisposition and (when Size >= 0)
// Content-Length, then call Stream; always Close it.
type Download struct {
	Name        string // the file name offered to the browser
	Size        int64  // bytes for a file; -1 for a folder archive
	ContentType string
	file        *os.File
	dir         string // realpath of the folder
	dirName     string // top-level folder name inside the archive
}

// Download opens path (a file, or a folder streamed as <name>.tar.gz);
// "" is the whole project.
func (r *Root) Download(path string) (*Download, error) {
	const op = "download"
	p, err := r.resolve(op, path)
	if err != nil {
		return nil, err
	}
	st, err := os.Stat(p.real)
	if err != nil {
		return nil, fsError(op, p.lex, err)
	}
	switch {
	case st.Mode().IsRegular():
		f, err := os.Open(p.real)
		if err != nil {
			return nil, fsError(op, p.lex, err)
		}
		return &Download{Name: filepath.Base(p.lex), Size: st.Size(), ContentType: "application/octet-stream", file: f}, nil
	case st.IsDir():
		name := filepath.Base(p.lex)
		if name == "" || name == "." || name == string(filepath.Separator) {
			name = "project"
		}
		return &Download{Name: name + ".tar.gz", Size: -1, ContentType: "application/gzip", dir: p.real, dirName: name}, nil
	}
	return nil, newError(CodeNotAFile, op, p.lex, "target is neither a file nor a directory")
}

// ContentDisposition is the attachment header: an ASCII fallback name
// plus the exact name as RFC 5987 filename*.
func (d *Download) ContentDisposition() string {
	ascii := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return '_'
		}
		return r
	}, d.Name)
	return `attachment; filename="` + ascii + `"; filename*=UTF-8''` + pathEscape(d.Name)
}

// pathEscape percent-encodes everything outside RFC 5987's attr-char set.
func pathEscape(s string) string {
	e := url.PathEscape(s)
	// PathEscape leaves some sub-delims that attr-char does not allow.
	r := strings.NewReplacer("'", "%27", "(", "%28", ")", "%29", "*", "%2A", ";", "%3B", ",", "%2C", "=", "%3D", "@", "%40", ":", "%3A", "&", "%26", "+", "%2B", "$", "%24")
	return r.Replace(e)
}

// Stream writes the file, or the folder as a gzipped tar whose entries
// start with "<dirName>/". The archive leaves out the skipped directories,
// stores symlinks as links (never their targets) and skips entries that
// vanish or can not be read while it streams. Cancel ctx to stop early.
func (d *Download) Stream(ctx context.Context, w io.Writer) (int64, error) {
	if d.file != nil {
		return io.Copy(w, ctxReader{ctx, d.file})
	}
	cw := &countingWriter{w: w}
	gz := gzip.NewWriter(cw)
	tw := tar.NewWriter(gz)
	err := filepath.WalkDir(d.dir, func(p string, de fs.DirEntry, err error) error {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		if err != nil {
			if de != nil && de.IsDir() && p != d.dir {
				return fs.SkipDir
			}
			return nil
		}
		if de.IsDir() && p != d.dir && skipDirs[de.Name()] {
			return fs.SkipDir
		}
		name := d.dirName
		if p != d.dir {
			name += "/" + filepath.ToSlash(p[len(d.dir)+1:])
		}
		return addTarEntry(tw, p, name, de)
	})
	if err == nil {
		err = tw.Close()
	}
	if err == nil {
		err = gz.Close()
	}
	return cw.n, err
}

func addTarEntry(tw *tar.Writer, p, name string, de fs.DirEntry) error {
	info, err := de.Info()
	if err != nil {
		return nil // vanished
	}
	link := ""
	if info.Mode()&os.ModeSymlink != 0 {
		if link, err = os.Readlink(p); err != nil {
			return nil
		}
	} else if !info.IsDir() && !info.Mode().IsRegular() {
		return nil // sockets, fifos, devices
	}
	hdr, err := tar.FileInfoHeader(info, link)
	if err != nil {
		return nil
	}
	hdr.Name = name
	if info.IsDir() {
		hdr.Name += "/"
	}
	// Portable archive: no owner names or ids from this machine.
	hdr.Uid, hdr.Gid, hdr.Uname, hdr.Gname = 0, 0, "", ""
	if !info.Mode().IsRegular() {
		return tw.WriteHeader(hdr)
	}
	f, err := os.Open(p)
	if err != nil {
		return nil // unreadable: leave it out
	}
	defer f.Close()
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	// A file that shrinks while streaming is padded by tar's error;
	// copying exactly hdr.Size bytes keeps the archive well-formed.
	n, err := io.CopyN(tw, f, hdr.Size)
	if err != nil && n < hdr.Size {
		_, err = io.CopyN(tw, zeroReader{}, hdr.Size-n)
	}
	return err
}

// Close releases the open file, if any.
func (d *Download) Close() error {
	if d.file != nil {
		return d.file.Close()
	}
	return nil
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
