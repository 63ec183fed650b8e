package sandbox

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// ChownSubdirs are the PI_CONFIG_DIR folders AGENT_TOOL_SANDBOX_CHOWN_PATHS
// may name (besides the workspace and the tool home): non-secret pi
// resources the tool user may need to write.
var ChownSubdirs = []string{"skills", "npm", "git", "extensions", "prompts", "themes"}

// protectedConfigFiles are PI_CONFIG_DIR's secrets, never handed over.
var protectedConfigFiles = []string{"auth.json", "models.json", "settings.json"}

// Prepare runs once before the server listens. With the sandbox on it
// hands the workspace and each AGENT_TOOL_SANDBOX_CHOWN_PATHS entry to the
// tool identity, recursively and without following symlinks; any failure
// must stop start-up. With the sandbox off, a CHOWN_PATHS list only earns a
// warning.
func (s *Sandbox) Prepare(ctx context.Context) error {
	if !s.opts.Enabled {
		if len(s.opts.ChownPaths) > 0 {
			s.log.Warn("AGENT_TOOL_SANDBOX_CHOWN_PATHS is ignored: the agent tool sandbox is off")
		}
		return nil
	}
	if os.Geteuid() != 0 {
		return errors.New("sandbox: AGENT_TOOL_SANDBOX_ENABLED needs the server to run as root (with CAP_CHOWN, CAP_SETUID and CAP_SETGID) so tool children can run as the tool user")
	}
	extra, err := s.ChownTargets()
	if err != nil {
		return err
	}
	roots := append([]string{s.opts.Workspace}, extra...)
	for _, root := range roots {
		n, err := s.handTree(ctx, root)
		if err != nil {
			return err
		}
		s.log.Info("sandbox: handed to the tool user", "path", root, "entries", n, "uid", s.opts.UID)
	}
	return nil
}

// ChownTargets validates AGENT_TOOL_SANDBOX_CHOWN_PATHS: every entry must
// exist and lie, both as written and after resolving symlinks, inside the
// workspace, the tool home or one of PI_CONFIG_DIR's ChownSubdirs, and
// never inside FORGE_DATA_DIR or on a pi secret file. The error lists the
// allowed roots.
func (s *Sandbox) ChownTargets() ([]string, error) {
	allowed := s.allowedChownRoots()
	var out []string
	for _, raw := range s.opts.ChownPaths {
		p := strings.TrimSpace(raw)
		if p == "" {
			continue
		}
		if !filepath.IsAbs(p) {
			return nil, s.chownRefused(p, "is not an absolute path", allowed)
		}
		p = filepath.Clean(p)
		real, err := filepath.EvalSymlinks(p)
		if err != nil {
			return nil, s.chownRefused(p, "does not exist", allowed)
		}
		for _, form := range []string{p, real} {
			if s.protected(form) {
				return nil, s.chownRefused(p, "is protected (pi-forge data or a pi secret file)", allowed)
			}
			if !insideAny(form, allowed) {
				return nil, s.chownRefused(p, "is outside the allowed roots", allowed)
			}
		}
		out = append(out, real)
	}
	return out, nil
}

func (s *Sandbox) allowedChownRoots() []string {
	roots := []string{s.opts.Workspace, s.opts.Home}
	for _, d := range ChownSubdirs {
		roots = append(roots, filepath.Join(s.opts.PiConfigDir, d))
	}
	return roots
}

func (s *Sandbox) chownRefused(p, why string, allowed []string) error {
	return fmt.Errorf("sandbox: AGENT_TOOL_SANDBOX_CHOWN_PATHS entry %s %s; allowed roots: %s",
		p, why, strings.Join(allowed, ", "))
}

// protected reports whether p is pi-forge's data (or inside it) or one of
// pi's secret files, comparing against both forms of each location.
func (s *Sandbox) protected(p string) bool {
	if s.opts.ForgeDataDir != "" && insideAny(p, bothForms(s.opts.ForgeDataDir)) {
		return true
	}
	if s.opts.PiConfigDir == "" {
		return false
	}
	for _, dir := range bothForms(s.opts.PiConfigDir) {
		for _, f := range protectedConfigFiles {
			if p == filepath.Join(dir, f) {
				return true
			}
		}
	}
	return false
}

// handTree hands root and everything below it over, without following
// symlinks. pi-forge's data and the pi config directory are skipped when
// they happen to lie inside (a workspace holding FORGE_DATA_DIR must not
// give the tool user the JWT secret). It returns how many entries it saw.
func (s *Sandbox) handTree(ctx context.Context, root string) (int, error) {
	real, err := filepath.EvalSymlinks(root)
	if err != nil {
		return 0, fmt.Errorf("sandbox: preparing %s: %w", root, err)
	}
	var skip []string
	for _, form := range append(bothForms(s.opts.ForgeDataDir), bothForms(s.opts.PiConfigDir)...) {
		if !inside(real, form) { // a walk of PI_CONFIG_DIR/skills keeps its files
			skip = append(skip, form)
		}
	}
	n := 0
	err = filepath.WalkDir(real, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return ignoreMissing(p, err)
		}
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		if p != real && insideOne(p, skip) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		n++
		return s.handOne(p)
	})
	if err != nil {
		return n, fmt.Errorf("sandbox: preparing %s: %w", root, err)
	}
	return n, nil
}

// bothForms is p cleaned and, when it exists, its realpath.
func bothForms(p string) []string {
	if p == "" {
		return nil
	}
	out := []string{filepath.Clean(p)}
	if r, err := filepath.EvalSymlinks(p); err == nil && r != out[0] {
		out = append(out, r)
	}
	return out
}

// insideAny reports whether p is inside (or equal to) one of roots, each
// compared in its written and its real form.
func insideAny(p string, roots []string) bool {
	for _, r := range roots {
		if r == "" {
			continue
		}
		for _, form := range bothForms(r) {
			if inside(p, form) {
				return true
			}
		}
	}
	return false
}

// insideOne is insideAny for roots already in their final forms.
func insideOne(p string, roots []string) bool {
	for _, r := range roots {
		if inside(p, r) {
			return true
		}
	}
	return false
}
