package tools

import (
	"os"
	"path/filepath"
	"strings"
)

// PathPolicy decides whether the file tools may touch a path. Check gets
// the absolute path a tool resolved; a nil policy allows everything (the
// reference without sandbox).
type PathPolicy interface {
	Check(abs string) error
}

// PathDeniedError is what a tool returns for a path its policy refuses.
type PathDeniedError struct {
	Path   string
	Reason string
}

func (e *PathDeniedError) Error() string { return "agent_tool_path_denied: " + e.Reason }

// SandboxPolicy is the path scope of sandbox mode (features §3): the
// workspace (all of it, sibling projects included) and the pi config
// directory minus its secret files, never system or credential locations
// nor pi-forge's own data, checked on both the lexical path and the real
// path of its nearest existing ancestor so symlinks cannot escape.
type SandboxPolicy struct {
	Workspace    string // WORKSPACE_PATH
	PiConfigDir  string // PI_CONFIG_DIR
	ForgeDataDir string // FORGE_DATA_DIR
	Home         string // the server user's home ($HOME)
}

var deniedSystemRoots = []string{"/proc", "/etc", "/run/secrets", "/var/run/secrets"}

var credentialDirs = []string{".ssh", ".aws", ".kube", ".gnupg"}

var protectedConfigFiles = map[string]bool{"auth.json": true, "models.json": true, "settings.json": true}

// Check implements PathPolicy.
func (p *SandboxPolicy) Check(abs string) error {
	deny := func(reason string) error { return &PathDeniedError{Path: abs, Reason: reason} }
	if strings.TrimSpace(abs) == "" {
		return deny("empty path")
	}
	lexical := filepath.Clean(abs)
	real := realpathNearest(lexical)
	for _, form := range []string{lexical, real} {
		for _, root := range deniedSystemRoots {
			if within(form, root) {
				return deny("system path " + root + " is not accessible")
			}
		}
		if p.ForgeDataDir != "" && withinEither(form, p.ForgeDataDir) {
			return deny("pi-forge data directory is not accessible")
		}
		if p.Home != "" {
			for _, d := range credentialDirs {
				if withinEither(form, filepath.Join(p.Home, d)) && !p.inWorkspace(form) && !p.inConfig(form) {
					return deny("credential directory ~/" + d + " is not accessible")
				}
			}
		}
		if p.isProtectedConfigFile(form) {
			return deny("pi config file " + filepath.Base(form) + " is not accessible")
		}
	}
	if p.inWorkspace(real) {
		return nil
	}
	if p.inConfig(real) {
		return nil
	}
	return deny("outside allowed roots")
}

func (p *SandboxPolicy) inWorkspace(path string) bool {
	return p.Workspace != "" && withinEither(path, p.Workspace)
}

func (p *SandboxPolicy) inConfig(path string) bool {
	return p.PiConfigDir != "" && withinEither(path, p.PiConfigDir)
}

// isProtectedConfigFile matches auth.json, models.json and settings.json
// directly inside the pi config directory (deeper files are allowed).
func (p *SandboxPolicy) isProtectedConfigFile(path string) bool {
	if p.PiConfigDir == "" || !protectedConfigFiles[filepath.Base(path)] {
		return false
	}
	dir := filepath.Dir(path)
	return dir == filepath.Clean(p.PiConfigDir) || dir == realpathNearest(p.PiConfigDir)
}

// withinEither reports whether path is root or below it, comparing against
// both the lexical and the real form of root.
func withinEither(path, root string) bool {
	return within(path, filepath.Clean(root)) || within(path, realpathNearest(root))
}

// within reports whether path equals root or lies below it (lexically).
func within(path, root string) bool {
	if root == "/" {
		return true
	}
	return path == root || strings.HasPrefix(path, root+string(filepath.Separator))
}

// realpathNearest resolves symlinks in the nearest existing ancestor of p
// and re-appends the missing tail, so paths that do not exist yet (a file
// about to be written) still resolve. A dangling symlink is followed to its
// target, since writing through it would create the target.
func realpathNearest(p string) string { return realpathDepth(filepath.Clean(p), 0) }

func realpathDepth(p string, depth int) string {
	var tail []string
	cur := p
	for {
		if r, err := filepath.EvalSymlinks(cur); err == nil {
			return joinTail(r, tail)
		}
		if fi, err := os.Lstat(cur); err == nil && fi.Mode()&os.ModeSymlink != 0 && depth < 40 {
			target, err := os.Readlink(cur)
			if err == nil {
				if !filepath.IsAbs(target) {
					target = filepath.Join(realpathDepth(filepath.Dir(cur), depth+1), target)
				}
				return joinTail(realpathDepth(filepath.Clean(target), depth+1), tail)
			}
		}
		parent := filepath.Dir(cur)
		if parent == cur {
			return p
		}
		tail = append(tail, filepath.Base(cur))
		cur = parent
	}
}

func joinTail(base string, tail []string) string {
	for i := len(tail) - 1; i >= 0; i-- {
		base = filepath.Join(base, tail[i])
	}
	return base
}
