package projects_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pi-forge/pi-forge/internal/projects"
)

func newStore(t *testing.T) (*projects.Store, string, string) {
	t.Helper()
	root := t.TempDir()
	ws, sessions := filepath.Join(root, "ws"), filepath.Join(root, "ws", ".pi", "sessions")
	if err := os.MkdirAll(sessions, 0o700); err != nil {
		t.Fatal(err)
	}
	s := projects.New(projects.Options{
		File: filepath.Join(root, "projects.json"), Workspace: ws, SessionDir: sessions,
		Now: func() time.Time { return time.Date(2030, 1, 2, 3, 4, 5, 6e6, time.FixedZone("X", 3600)) },
	})
	return s, ws, filepath.Join(root, "projects.json")
}

// TestDeleteNeverFollowsAHandEditedID: an id that is not a UUID (a
// hand-edited file could say "..") must not pick the directory to remove.
func TestDeleteNeverFollowsAHandEditedID(t *testing.T) {
	s, ws, file := newStore(t)
	sessions := filepath.Join(ws, ".pi", "sessions")
	keep := filepath.Join(sessions, "keep.jsonl")
	if err := os.WriteFile(keep, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	data := `[{"id":"..","name":"evil","path":"/tmp","createdAt":"2020-01-01T00:00:00.000Z"},` +
		`{"id":"","name":"empty","path":"/tmp","createdAt":"2020-01-01T00:00:00.000Z"}]`
	if err := os.WriteFile(file, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	cascaded, err := s.Delete(context.Background(), "..")
	if err != nil || cascaded {
		t.Fatalf("Delete = %v, %v", cascaded, err)
	}
	if _, err := os.Stat(keep); err != nil {
		t.Fatalf("sessions root damaged: %v", err)
	}
	if _, err := s.Get(""); !errors.Is(err, projects.ErrNotFound) {
		t.Fatalf("an entry with an empty id was loaded: %v", err)
	}
}

func TestLookupAndDeleteHooks(t *testing.T) {
	s, ws, _ := newStore(t)
	if err := os.MkdirAll(filepath.Join(ws, "app"), 0o755); err != nil {
		t.Fatal(err)
	}
	p, err := s.Create("app", filepath.Join(ws, "app"))
	if err != nil {
		t.Fatal(err)
	}
	if p.CreatedAt != "2030-01-02T02:04:05.006Z" {
		t.Fatalf("createdAt %s", p.CreatedAt)
	}
	got, err := s.Get(p.ID)
	if err != nil || got != p {
		t.Fatalf("Get = %+v, %v", got, err)
	}
	var deleted []string
	s.OnDelete(func(_ context.Context, d projects.Project) { deleted = append(deleted, d.ID) })
	if _, err := s.Delete(context.Background(), p.ID); err != nil {
		t.Fatal(err)
	}
	if len(deleted) != 1 || deleted[0] != p.ID {
		t.Fatalf("hooks saw %v", deleted)
	}
	if _, err := s.Get(p.ID); !errors.Is(err, projects.ErrNotFound) {
		t.Fatalf("Get after delete: %v", err)
	}
}
