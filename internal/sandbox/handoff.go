package sandbox

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// Handoff gives path, and every directory from root down to it, to the tool
// identity (features §3 "Write handoff"): owner AGENT_TOOL_UID, group the
// server's gid, group read/write added (and execute for directories and
// for files that already had an execute bit). It is workspace.Handoff and
// does nothing when the sandbox is off. Paths that vanished are skipped.
//
// Directories also get the setgid bit, which is our addition: files and
// folders the tool user creates inside then keep the server's group, so a
// server without DAC_OVERRIDE can still open what the agent's shell made
// (with the image's umask 002, also write it: an edit-tool change of a
// file `npm init` created).
func (s *Sandbox) Handoff(root, path string) error {
	if !s.opts.Enabled {
		return nil
	}
	for _, p := range chain(root, path) {
		if err := s.handOne(p); err != nil {
			return err
		}
	}
	return nil
}

// chain lists root, each directory below it and path itself, when path is
// inside root; otherwise only path.
func chain(root, path string) []string {
	path = filepath.Clean(path)
	if root == "" || !inside(path, root) {
		return []string{path}
	}
	root = filepath.Clean(root)
	out := []string{root}
	rel, _ := filepath.Rel(root, path)
	if rel == "." {
		return out
	}
	cur := root
	for _, part := range strings.Split(rel, string(filepath.Separator)) {
		cur = filepath.Join(cur, part)
		out = append(out, cur)
	}
	return out
}

// handOne hands one entry over. The order matters for a root server that
// holds CAP_CHOWN but neither FOWNER nor DAC_OVERRIDE: only an owner may
// chmod, so the entry first becomes the server's, gets its mode, and only
// then goes to the tool uid. Entries already right are
// left alone, which makes the start-up walk of a prepared workspace cheap.
func (s *Sandbox) handOne(p string) error {
	fi, err := os.Lstat(p)
	if err != nil {
		return ignoreMissing(p, err)
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fmt.Errorf("sandbox handoff %s: no ownership information", p)
	}
	uid, gid := s.opts.UID, s.serverGID
	owned := int(st.Uid) == uid && int(st.Gid) == gid
	if fi.Mode()&fs.ModeSymlink != 0 {
		if owned {
			return nil
		}
		return ignoreMissing(p, os.Lchown(p, uid, gid))
	}
	want := handoffMode(fi.Mode())
	if owned && fi.Mode() == want {
		return nil
	}
	if fi.Mode() != want {
		// The group becomes the server's already here: without FSETID a
		// chmod by a non-member of the entry's group silently drops setgid.
		if int(st.Uid) != s.serverUID || int(st.Gid) != gid {
			if err := os.Lchown(p, s.serverUID, gid); err != nil {
				return ignoreMissing(p, err)
			}
		}
		// The entry was not a symlink a moment ago; a tool user racing to
		// swap it for one could only add group bits for the server's group
		// to the target, which the tool user is not a member of.
		if err := os.Chmod(p, want); err != nil {
			return ignoreMissing(p, err)
		}
	}
	return ignoreMissing(p, os.Lchown(p, uid, gid))
}

// handoffMode is m with the group bits the tool identity's files need.
func handoffMode(m fs.FileMode) fs.FileMode {
	switch {
	case m.IsDir():
		return m | 0o070 | fs.ModeSetgid
	case m.IsRegular() && m&0o111 != 0:
		return m | 0o070
	case m.IsRegular():
		return m | 0o060
	}
	return m // sockets, fifos, devices: ownership only
}

func ignoreMissing(p string, err error) error {
	if err == nil || errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return fmt.Errorf("sandbox handoff %s: %w", p, err)
}
