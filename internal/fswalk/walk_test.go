package fswalk

import (
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/pi-forge/pi-forge/internal/testutil/filetree"
)

func gitInit(t *testing.T, dir string) {
	t.Helper()
	if out, err := exec.Command("git", "init", "-q", dir).CombinedOutput(); err != nil {
		t.Fatalf("git init: %v\n%s", err, out)
	}
}

// rankFixture is a project inside a repository inside a folder, with
// ignore files of every kind at every level, a nested repository, a
// whitelisted dotfile and a symlink. It returns the project.
func rankFixture(t *testing.T) string {
	t.Helper()
	base, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	outer := filepath.Join(base, "outer")
	repo := filepath.Join(outer, "repo")
	proj := filepath.Join(repo, "proj")
	filetree.Write(t, outer, map[string]string{
		".gitignore": "from-outer.txt\n",
		".ignore":    "outer-ig.txt\n",
	})
	gitInit(t, repo)
	filetree.Write(t, repo, map[string]string{
		".git/info/exclude": "excluded.txt\n",
		".gitignore":        "*.log\n!keep.log\nbuild/\ndocs/**\n!docs/keep.md\n/rooted.txt\nfd-back.txt\n",
		".rgignore":         "!rg-back.log\n",
		".fdignore":         "!fd-back.txt\n",
	})
	filetree.Write(t, proj, map[string]string{
		".ignore":          "ig.txt\n!.shown\nsub/over.txt\n",
		".gitignore":       "sub/deep.txt\n",
		"sub/.gitignore":   "!over.txt\n",
		"a.txt":            "",
		"ig.txt":           "",
		"x.log":            "",
		"keep.log":         "",
		"rg-back.log":      "",
		"fd-back.txt":      "",
		"excluded.txt":     "",
		"rooted.txt":       "",
		"from-outer.txt":   "",
		"outer-ig.txt":     "",
		"build/x.txt":      "",
		"docs/a.md":        "",
		"docs/keep.md":     "",
		".hidden.txt":      "",
		".shown":           "",
		".hid/h.txt":       "",
		"sub/deep.txt":     "",
		"sub/other.txt":    "",
		"sub/over.txt":     "",
		"sub/two/deep.txt": "",
		"braces/{x}":       "",
		"spaced/a b.txt":   "",
	})
	nested := filepath.Join(proj, "nested")
	gitInit(t, nested)
	filetree.Write(t, nested, map[string]string{
		".gitignore": "n.txt\n",
		"n.txt":      "",
		"x.log":      "",
		"ig.txt":     "",
		"ok.txt":     "",
	})
	if err := os.Symlink(filepath.Join(proj, "a.txt"), filepath.Join(proj, "link.txt")); err != nil {
		t.Fatal(err)
	}
	return proj
}

// walkFiles lists the regular files a walk lets through.
func walkFiles(t *testing.T, root string, o Options) []string {
	t.Helper()
	var out []string
	err := Walk(context.Background(), root, o, func(e *Entry) error {
		if e.IsRegular() {
			out = append(out, e.Rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

func lines(t *testing.T, dir, name string, args ...string) []string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %v: %v", name, args, err)
	}
	ls := strings.Fields(strings.ReplaceAll(string(out), " ", "\x00"))
	for i, l := range ls {
		ls[i] = strings.TrimPrefix(strings.ReplaceAll(l, "\x00", " "), "./")
	}
	sort.Strings(ls)
	return ls
}

// The ripgrep rules list the files ripgrep itself searches, with and
// without --hidden.
func TestRipgrepRulesMatchRipgrep(t *testing.T) {
	if _, err := exec.LookPath("rg"); err != nil {
		t.Fatal("ripgrep (rg) must be on PATH for the parity tests")
	}
	proj := rankFixture(t)
	for _, hidden := range []bool{false, true} {
		args := []string{"--files", "--no-config", "--no-ignore-global"}
		if hidden {
			args = append(args, "--hidden")
		}
		want := lines(t, proj, "rg", args...)
		got := walkFiles(t, proj, Options{Rules: Ripgrep(), Hidden: hidden})
		if !reflect.DeepEqual(got, want) {
			t.Errorf("hidden %v\n got %q\nwant %q", hidden, got, want)
		}
	}
}

// The fd rules list what fd lists inside a repository, once the fixture
// holds nothing on which pi's --no-require-git makes a difference (a
// .gitignore above the repository, a nested repository): the fd on the
// test machines predates that flag.
func TestFdRulesMatchFd(t *testing.T) {
	fd, err := exec.LookPath("fd")
	if err != nil {
		if fd, err = exec.LookPath("fdfind"); err != nil {
			t.Fatal("fd (or fdfind) must be on PATH for the parity tests")
		}
	}
	proj := rankFixture(t)
	for _, p := range []string{"../../.gitignore", "nested/.git"} {
		if err := os.RemoveAll(filepath.Join(proj, p)); err != nil {
			t.Fatal(err)
		}
	}
	want := lines(t, proj, fd, "--hidden", "--type", "f", "--exclude", ".git")
	got := walkFiles(t, proj, Options{Rules: Fd(), Hidden: true, Skip: func(e *Entry) bool { return e.Name == ".git" }})
	if !reflect.DeepEqual(got, want) {
		t.Errorf("\n got %q\nwant %q", got, want)
	}
}

// pi's resource loader ranks all its ignore files alike, reads none above
// the root, and anchors a nested folder's lines to that folder.
func TestPiResourceRules(t *testing.T) {
	root := t.TempDir()
	filetree.Write(t, filepath.Join(root, ".."), map[string]string{".gitignore": "parent.md\n"})
	filetree.Write(t, root, map[string]string{
		".fdignore":       "x.md\n",
		".gitignore":      "!x.md\nlog/\n",
		"x.md":            "",
		"parent.md":       "",
		"log/a.md":        "",
		"sub/.ignore":     "*.md\n!keep.md\n  # indented comment\n",
		"sub/a.md":        "",
		"sub/keep.md":     "",
		"sub/deeper/b.md": "",
		"sub/x.md":        "",
	})
	if err := os.Symlink("sub", filepath.Join(root, "linked")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("nowhere", filepath.Join(root, "broken.md")); err != nil {
		t.Fatal(err)
	}
	noDots := func(e *Entry) bool { return strings.HasPrefix(e.Name, ".") }
	got := walkFiles(t, root, Options{Rules: PiResources(), Hidden: true, FollowLinks: true, Skip: noDots})
	want := []string{
		"linked/deeper/b.md", "linked/keep.md", // a folder's link is walked into, with the target's rules
		"parent.md", "sub/deeper/b.md", "sub/keep.md",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("\n got %q\nwant %q", got, want)
	}
}

// A visit can leave a folder unentered or end the walk; an ended context
// ends it with the context's error.
func TestWalkControl(t *testing.T) {
	root := t.TempDir()
	filetree.Write(t, root, map[string]string{"a/1": "", "b/2": "", "c/3": ""})
	var seen []string
	err := Walk(context.Background(), root, Options{}, func(e *Entry) error {
		seen = append(seen, e.Rel)
		switch e.Rel {
		case "a":
			return fs.SkipDir
		case "b/2":
			return fs.SkipAll
		}
		return nil
	})
	if err != nil || !reflect.DeepEqual(seen, []string{"a", "b", "b/2"}) {
		t.Fatalf("%v %q", err, seen)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Walk(ctx, root, Options{}, func(*Entry) error { return nil }); err != context.Canceled {
		t.Fatalf("cancelled walk: %v", err)
	}
}
