// Package theme stores the server-wide custom colour theme,
// ${FORGE_DATA_DIR}/theme.json: {enabled, colors{10 keys, #rrggbb}}.
package theme

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/pi-forge/pi-forge/internal/atomicfile"
)

// Keys are the ten colour slots, in the reference's order.
var Keys = []string{
	"appBackground", "panelBackground", "userBubbleBackground", "assistantBubbleBackground",
	"primaryText", "secondaryText", "mutedText", "highlightBackground", "highlightText", "selectionBackground",
}

var defaultColors = []string{
	"#0a0a0a", "#171717", "#262626", "#171717", "#f5f5f5",
	"#d4d4d4", "#a3a3a3", "#facc15", "#111827", "#525252",
}

// Defaults returns the built-in palette.
func Defaults() map[string]string {
	m := make(map[string]string, len(Keys))
	for i, k := range Keys {
		m[k] = defaultColors[i]
	}
	return m
}

var hexColor = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// Theme is the stored theme.
type Theme struct {
	Enabled bool              `json:"enabled"`
	Colors  map[string]string `json:"colors"`
}

// ErrInvalid reports a theme that is not ten #rrggbb colours.
var ErrInvalid = errors.New("invalid theme")

// Validate checks that t has exactly the ten keys, each #rrggbb, and
// lowercases the colours.
func Validate(t Theme) (Theme, error) {
	if len(t.Colors) != len(Keys) {
		return Theme{}, fmt.Errorf("%w: colors must have exactly the keys %s", ErrInvalid, strings.Join(Keys, ", "))
	}
	out := Theme{Enabled: t.Enabled, Colors: make(map[string]string, len(Keys))}
	var bad []string
	for _, k := range Keys {
		v, ok := t.Colors[k]
		if !ok || !hexColor.MatchString(v) {
			bad = append(bad, k)
			continue
		}
		out.Colors[k] = strings.ToLower(v)
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		return Theme{}, fmt.Errorf("%w: %s must be #rrggbb colours", ErrInvalid, strings.Join(bad, ", "))
	}
	return out, nil
}

// Store reads and writes theme.json. It is safe for concurrent use.
type Store struct {
	path string
	mu   sync.Mutex
}

// NewStore returns a store for the file at path.
func NewStore(path string) *Store { return &Store{path: path} }

// Get returns the stored theme, or the disabled default theme when the
// file is missing or unusable.
func (s *Store) Get() (Theme, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	data, err := os.ReadFile(s.path)
	if errors.Is(err, os.ErrNotExist) {
		return Theme{Colors: Defaults()}, nil
	}
	if err != nil {
		return Theme{}, fmt.Errorf("reading theme: %w", err)
	}
	var t Theme
	if json.Unmarshal(data, &t) != nil {
		return Theme{Colors: Defaults()}, nil
	}
	// Fill gaps from the defaults so a partial hand-edited file still works.
	colors := Defaults()
	for _, k := range Keys {
		if v, ok := t.Colors[k]; ok && hexColor.MatchString(v) {
			colors[k] = strings.ToLower(v)
		}
	}
	return Theme{Enabled: t.Enabled, Colors: colors}, nil
}

// Put validates and stores t.
func (s *Store) Put(t Theme) (Theme, error) {
	t, err := Validate(t)
	if err != nil {
		return Theme{}, err
	}
	data, err := json.MarshalIndent(t, "", "  ")
	if err != nil {
		return Theme{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := atomicfile.WriteFile(s.path, data, 0o644); err != nil {
		return Theme{}, fmt.Errorf("saving theme: %w", err)
	}
	return t, nil
}

// Reset removes the stored theme (back to the disabled default).
func (s *Store) Reset() (Theme, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := os.Remove(s.path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return Theme{}, fmt.Errorf("resetting theme: %w", err)
	}
	return Theme{Colors: Defaults()}, nil
}
