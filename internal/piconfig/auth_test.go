package piconfig

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

const oauthEntry = `{"type":"oauth","refresh":"r-token","access":"sk-ant-oat-1","expires":1900000000000,"extra":{"kept":[1,2]}}`

func writeFile(t *testing.T, path, content string, perm os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), perm); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestAuthSetCreatesPrivateFileInPiFormat(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "agent")
	s := NewAuthStore(filepath.Join(dir, "auth.json"))
	if err := s.SetAPIKey(context.Background(), "openai", "sk-<1>&"); err != nil {
		t.Fatal(err)
	}
	want := "{\n  \"openai\": {\n    \"type\": \"api_key\",\n    \"key\": \"sk-<1>&\"\n  }\n}"
	if got := readFile(t, s.Path()); got != want {
		t.Errorf("file =\n%s\nwant\n%s", got, want)
	}
	for path, perm := range map[string]os.FileMode{dir: 0o700, s.Path(): 0o600} {
		st, err := os.Stat(path)
		if err != nil || st.Mode().Perm() != perm {
			t.Errorf("%s mode = %v, want %v", path, st.Mode().Perm(), perm)
		}
	}
	if _, err := os.Stat(s.Path() + ".lock"); !errors.Is(err, os.ErrNotExist) {
		t.Error("lock left behind")
	}
}

func TestAuthWriteKeepsOtherProvidersVerbatim(t *testing.T) {
	path := filepath.Join(t.TempDir(), "auth.json")
	writeFile(t, path, `{"anthropic":`+oauthEntry+`,"custom":{"type":"mystery","x":1},"openai":{"type":"api_key","key":"old"}}`, 0o644)
	s := NewAuthStore(path)
	ctx := context.Background()
	if err := s.SetAPIKey(ctx, "openai", "new"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetAPIKey(ctx, "groq", "gsk"); err != nil {
		t.Fatal(err)
	}
	data, err := s.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(data.Providers()); got != "[anthropic custom openai groq]" {
		t.Errorf("providers = %s", got)
	}
	a, _ := data.Get("anthropic")
	if !equalJSONText(t, string(a.Raw), oauthEntry) || a.Access != "sk-ant-oat-1" || a.Expires != 1900000000000 {
		t.Errorf("oauth entry changed: %s", a.Raw)
	}
	if c, _ := data.Get("custom"); !equalJSONText(t, string(c.Raw), `{"type":"mystery","x":1}`) {
		t.Errorf("unknown entry changed: %s", c.Raw)
	}
	if o, _ := data.Get("openai"); o.Key != "new" {
		t.Errorf("openai = %+v", o)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v: a rewrite must make the file private", st.Mode().Perm())
	}
}

func TestAuthDelete(t *testing.T) {
	path := filepath.Join(t.TempDir(), "auth.json")
	writeFile(t, path, `{"a":{"type":"api_key","key":"1"},"b":{"type":"api_key","key":"2"}}`, 0o600)
	s := NewAuthStore(path)
	ctx := context.Background()
	if err := s.Delete(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, "a"); !errors.Is(err, ErrProviderNotFound) {
		t.Errorf("second delete: %v", err)
	}
	if got := readFile(t, path); got != "{\n  \"b\": {\n    \"type\": \"api_key\",\n    \"key\": \"2\"\n  }\n}" {
		t.Errorf("file = %s", got)
	}
	missing := NewAuthStore(filepath.Join(t.TempDir(), "nodir", "auth.json"))
	if err := missing.Delete(ctx, "a"); !errors.Is(err, ErrProviderNotFound) {
		t.Errorf("delete without a file: %v", err)
	}
}

func TestAuthCorruptFileIsNeverOverwritten(t *testing.T) {
	path := filepath.Join(t.TempDir(), "auth.json")
	writeFile(t, path, `{"openai": {"type":`, 0o600)
	s := NewAuthStore(path)
	ctx := context.Background()
	if _, err := s.Load(ctx); !errors.Is(err, ErrCorrupt) {
		t.Errorf("Load: %v", err)
	}
	if err := s.SetAPIKey(ctx, "groq", "k"); !errors.Is(err, ErrCorrupt) {
		t.Errorf("Set: %v", err)
	}
	if got := readFile(t, path); got != `{"openai": {"type":` {
		t.Errorf("corrupt file was rewritten: %s", got)
	}
}

func TestAuthEmptyOrMissingFileReadsEmpty(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "empty", "auth.json"), "", 0o600)
	for _, path := range []string{filepath.Join(dir, "empty", "auth.json"), filepath.Join(dir, "missing", "auth.json")} {
		data, err := NewAuthStore(path).Load(context.Background())
		if err != nil || len(data.Providers()) != 0 {
			t.Errorf("%s: %v %v", path, data, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Error("Load created the agent dir")
	}
}

func TestAuthRejectsBadNamesAndEntries(t *testing.T) {
	s := NewAuthStore(filepath.Join(t.TempDir(), "auth.json"))
	for _, name := range []string{"", "__proto__", "constructor", "prototype"} {
		if err := s.SetAPIKey(context.Background(), name, "k"); !errors.Is(err, ErrInvalidProvider) {
			t.Errorf("%q: %v", name, err)
		}
	}
	if err := s.Set(context.Background(), "x", []byte(`"not an object"`)); err == nil {
		t.Error("non-object entry accepted")
	}
	if err := s.SetAPIKey(context.Background(), "x", ""); err == nil {
		t.Error("empty key accepted")
	}
}

func TestAuthStatusNeverHoldsValues(t *testing.T) {
	path := filepath.Join(t.TempDir(), "auth.json")
	writeFile(t, path, `{"anthropic":`+oauthEntry+`,"openai":{"type":"api_key","key":"sk-secret"}}`, 0o600)
	data, err := NewAuthStore(path).Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got := data.Status()
	want := map[string]AuthStatus{
		"anthropic": {Configured: true, Source: "stored", Label: "OAuth"},
		"openai":    {Configured: true, Source: "stored", Label: "Stored API key"},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("status = %v", got)
	}
}

func TestAuthConcurrentWritersKeepEveryChange(t *testing.T) {
	path := filepath.Join(t.TempDir(), "auth.json")
	// Two stores on one file behave like two processes: only the lock
	// directory serialises them.
	stores := []*AuthStore{NewAuthStore(path), NewAuthStore(path)}
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			if err := stores[i%2].SetAPIKey(context.Background(), fmt.Sprintf("p%02d", i), "k"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	data, err := stores[0].Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n := len(data.Providers()); n != 20 {
		t.Errorf("%d of 20 providers kept: %v", n, data.Providers())
	}
}

func TestAuthWriteWaitsForAnotherHolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "auth.json")
	s := NewAuthStore(path)
	s.file.lock.retryFor = 100 * time.Millisecond
	if err := os.Mkdir(path+".lock", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := s.SetAPIKey(context.Background(), "openai", "k"); !errors.Is(err, ErrLocked) {
		t.Fatalf("err = %v, want ErrLocked", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Error("wrote without the lock")
	}
}

func TestAuthSymlinkedFileKeepsTheLink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "dotfiles", "auth.json")
	writeFile(t, target, `{"a":{"type":"api_key","key":"1"}}`, 0o600)
	link := filepath.Join(dir, "agent", "auth.json")
	_ = os.MkdirAll(filepath.Dir(link), 0o700)
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if err := NewAuthStore(link).SetAPIKey(context.Background(), "b", "2"); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Lstat(link); err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Fatal("symlink replaced by a file")
	}
	data, _ := NewAuthStore(target).Load(context.Background())
	if len(data.Providers()) != 2 {
		t.Errorf("target = %v", data.Providers())
	}
}

func TestAuthReadWaitsOutAHalfWrittenFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "auth.json")
	// pi is mid-write: it holds the lock and the file is truncated.
	if err := os.Mkdir(path+".lock", 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, `{"openai": {"type": "api`, 0o600)
	s := NewAuthStore(path)
	s.file.lock.retryFor = 100 * time.Millisecond
	if _, err := s.Load(context.Background()); !errors.Is(err, ErrLocked) {
		t.Fatalf("err = %v: a torn file must send the reader to the lock", err)
	}
	writeFile(t, path, `{"openai":{"type":"api_key","key":"complete"}}`, 0o600)
	if err := os.Remove(path + ".lock"); err != nil {
		t.Fatal(err)
	}
	data, err := s.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if c, ok := data.Get("openai"); !ok || c.Key != "complete" {
		t.Errorf("read %+v, want the finished file", c)
	}
}
