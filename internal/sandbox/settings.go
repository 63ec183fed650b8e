package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/pi-forge/pi-forge/internal/atomicfile"
)

// SettingsFile is the name of the settings file in FORGE_DATA_DIR.
const SettingsFile = "sandbox-settings.json"

// Limits of the tool environment (features §3).
const (
	MaxToolEnvVars  = 100
	MaxToolEnvValue = 16 << 10
)

var toolEnvName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// ErrInvalidSettings wraps every validation failure of PUT /config/sandbox.
var ErrInvalidSettings = errors.New("invalid sandbox settings")

// Settings is the content of sandbox-settings.json.
type Settings struct {
	// ToolEnv is merged into the environment of future agent bash, process
	// and terminal children, in any mode.
	ToolEnv map[string]string `json:"toolEnv"`
}

// Store keeps the sandbox settings in memory and in the file. Reads are
// lock-free (every child spawn asks for ToolEnv); writes are serialised
// and atomic. The file is 0600: values often are tokens.
type Store struct {
	path string
	mu   sync.Mutex // serialises SetToolEnv
	env  atomic.Pointer[map[string]string]
}

// OpenStore loads path (missing means empty). A file that cannot be parsed
// or breaks the limits is logged and ignored rather than stopping the
// server; the next save replaces it.
func OpenStore(path string, log *slog.Logger) (*Store, error) {
	s := &Store{path: path}
	empty := map[string]string{}
	s.env.Store(&empty)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return nil, fmt.Errorf("sandbox settings: %w", err)
	}
	var st Settings
	if err := json.Unmarshal(data, &st); err != nil {
		log.Warn("sandbox settings: ignoring an unreadable file", "path", path, "error", err)
		return s, nil
	}
	if err := ValidateToolEnv(st.ToolEnv); err != nil {
		log.Warn("sandbox settings: ignoring an invalid file", "path", path, "error", err)
		return s, nil
	}
	if st.ToolEnv != nil {
		s.env.Store(&st.ToolEnv)
	}
	return s, nil
}

// ToolEnv returns the current tool environment. The map is shared and must
// not be modified; it is proc.Config.ToolEnv.
func (s *Store) ToolEnv() map[string]string { return *s.env.Load() }

// SetToolEnv validates env, writes it and makes it current for children
// started from now on.
func (s *Store) SetToolEnv(env map[string]string) error {
	if err := ValidateToolEnv(env); err != nil {
		return err
	}
	env = maps.Clone(env)
	if env == nil {
		env = map[string]string{}
	}
	data, err := json.MarshalIndent(Settings{ToolEnv: env}, "", "  ")
	if err != nil {
		return fmt.Errorf("sandbox settings: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := atomicfile.WriteFile(s.path, append(data, '\n'), 0o600); err != nil {
		return fmt.Errorf("sandbox settings: %w", err)
	}
	s.env.Store(&env)
	return nil
}

// ValidateToolEnv checks names (shell identifiers), the number of
// variables and each value's size; errors wrap ErrInvalidSettings and name
// the offending variable.
func ValidateToolEnv(env map[string]string) error {
	if len(env) > MaxToolEnvVars {
		return fmt.Errorf("%w: toolEnv has %d variables (at most %d)", ErrInvalidSettings, len(env), MaxToolEnvVars)
	}
	names := make([]string, 0, len(env))
	for k := range env {
		names = append(names, k)
	}
	sort.Strings(names) // the first offender in a stable order
	for _, k := range names {
		if !toolEnvName.MatchString(k) {
			return fmt.Errorf("%w: %q is not a valid variable name", ErrInvalidSettings, k)
		}
		if strings.IndexByte(env[k], 0) >= 0 {
			return fmt.Errorf("%w: the value of %s contains a NUL byte", ErrInvalidSettings, k)
		}
		if len(env[k]) > MaxToolEnvValue {
			return fmt.Errorf("%w: the value of %s is longer than %d bytes", ErrInvalidSettings, k, MaxToolEnvValue)
		}
	}
	return nil
}
