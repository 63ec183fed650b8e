package session

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/google/renameio/v2"
)

// ArchiveRetention is how long an archived session is kept before the purge.
const ArchiveRetention = 7 * 24 * time.Hour

// ArchiveMetadata is metadata.json in an archive directory.
type ArchiveMetadata struct {
	Version             int    `json:"version"`
	SessionID           string `json:"sessionId"`
	ProjectID           string `json:"projectId,omitempty"`
	OriginalSessionPath string `json:"originalSessionPath"`
	ArchivedAt          string `json:"archivedAt"`
	PurgeAfter          string `json:"purgeAfter"`
	SessionFile         string `json:"sessionFile"`
	SubagentDir         string `json:"subagentDir,omitempty"`
}

// ArchiveDir returns ${FORGE_DATA_DIR}/archived-sessions.
func (st *Store) ArchiveDir() string { return filepath.Join(st.opts.DataDir, "archived-sessions") }

// Archive soft-deletes a session: its JSONL and, for a top-level session,
// the pi-subagents sibling dir <basename>/ move to
// archived-sessions/<stamp>-<sessionId>-<8hex>/ (as <file>.jsonl and
// subagents/) with a metadata.json. Moves across filesystems copy then
// remove. The caller disposes the live session first. Returns the archive
// directory.
func (st *Store) Archive(loc Location, sessionID string) (string, error) {
	now := st.opts.Now().UTC()
	var suffix [4]byte
	if err := st.random(suffix[:]); err != nil {
		return "", fmt.Errorf("session: archive %s: %w", sessionID, err)
	}
	dir := filepath.Join(st.ArchiveDir(), fmt.Sprintf("%s-%s-%x", fileStamp(isoTime(now)), sessionID, suffix))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("session: archive %s: %w", sessionID, err)
	}
	meta := ArchiveMetadata{Version: 1, SessionID: sessionID, ProjectID: loc.ProjectID, OriginalSessionPath: loc.Path,
		ArchivedAt: isoTime(now), PurgeAfter: isoTime(now.Add(ArchiveRetention)), SessionFile: filepath.Base(loc.Path)}
	if err := movePath(loc.Path, filepath.Join(dir, meta.SessionFile)); err != nil {
		return "", fmt.Errorf("session: archive %s: %w", sessionID, err)
	}
	if loc.ParentSessionID == "" {
		sub := strings.TrimSuffix(loc.Path, ".jsonl")
		if fi, err := os.Stat(sub); err == nil && fi.IsDir() {
			if err := movePath(sub, filepath.Join(dir, "subagents")); err != nil {
				return "", fmt.Errorf("session: archive subagents of %s: %w", sessionID, err)
			}
			meta.SubagentDir = "subagents"
		}
	}
	b, _ := json.MarshalIndent(meta, "", "  ")
	if err := renameio.WriteFile(filepath.Join(dir, "metadata.json"), append(b, '\n'), 0o600); err != nil {
		return "", fmt.Errorf("session: archive metadata of %s: %w", sessionID, err)
	}
	st.cache.forget(loc.Path)
	return dir, nil
}

// movePath renames, or copies and removes when src and dst are on different
// filesystems.
func movePath(src, dst string) error {
	err := os.Rename(src, dst)
	if !errors.Is(err, syscall.EXDEV) {
		return err
	}
	return copyThenRemove(src, dst)
}

func copyThenRemove(src, dst string) error {
	fi, err := os.Stat(src)
	if err != nil {
		return err
	}
	if fi.IsDir() {
		if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
			return err
		}
		return os.RemoveAll(src)
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, fi.Mode().Perm())
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	return os.Remove(src)
}

// PurgeArchives removes archives whose purgeAfter has passed (or, without
// readable metadata, whose directory is older than the retention) and
// returns how many it removed. pi-forge runs it once at boot.
func (st *Store) PurgeArchives() (int, error) {
	root := st.ArchiveDir()
	ents, err := os.ReadDir(root)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("session: purge archives: %w", err)
	}
	now := st.opts.Now()
	removed := 0
	var errs []error
	for _, e := range ents {
		if !e.IsDir() {
			continue
		}
		dir := filepath.Join(root, e.Name())
		if !expired(dir, now) {
			continue
		}
		if err := os.RemoveAll(dir); err != nil {
			errs = append(errs, err)
			continue
		}
		removed++
	}
	return removed, errors.Join(errs...)
}

func expired(dir string, now time.Time) bool {
	var meta ArchiveMetadata
	b, err := os.ReadFile(filepath.Join(dir, "metadata.json"))
	if err == nil && json.Unmarshal(b, &meta) == nil {
		if t, err := time.Parse(time.RFC3339Nano, meta.PurgeAfter); err == nil {
			return !t.After(now)
		}
	}
	fi, err := os.Stat(dir)
	return err == nil && now.Sub(fi.ModTime()) >= ArchiveRetention
}
