package workspace

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// names renders a tree as "dir/" and "file" lines, indented by depth, with
// "!" on truncated directories.
func names(n *TreeNode, depth int, out *[]string) {
	for _, c := range n.Children {
		s := strings.Repeat("  ", depth) + c.Name
		if c.Type == KindDirectory {
			s += "/"
		}
		if c.Truncated {
			s += "!"
		}
		*out = append(*out, s)
		names(c, depth+1, out)
	}
}

func TestTreeOrderSkipsAndSymlinks(t *testing.T) {
	outside := layout(t, map[string]string{"o.txt": "o"})
	dir := layout(t, map[string]string{
		"b.txt": "", "A.txt": "", "a.md": "", "Zed/": "", "alpha/x.go": "",
		"node_modules/m.js": "", ".git/HEAD": "", "dist/out.js": "", "build": "a file named build is kept",
		".env": "", "src/.cache/c": "", "src/deep/er/leaf.txt": "",
	})
	mustSymlink(t, "alpha", filepath.Join(dir, "link-dir"))
	mustSymlink(t, "b.txt", filepath.Join(dir, "link-file"))
	mustSymlink(t, filepath.Join(outside, "o.txt"), filepath.Join(dir, "out-link"))
	mustSymlink(t, "missing", filepath.Join(dir, "broken"))
	mustSymlink(t, "..", filepath.Join(dir, "alpha", "up"))
	r := openRoot(t, dir, Options{})

	tree, err := r.Tree(0)
	if err != nil {
		t.Fatal(err)
	}
	if tree.Name != "" || tree.Path != "" || tree.Type != KindDirectory {
		t.Fatalf("root node %+v", tree)
	}
	var got []string
	names(tree, 0, &got)
	want := []string{
		"alpha/",
		"  up/!", // a link back to the root is listed, not expanded
		"  x.go",
		"link-dir/",
		"  up/!",
		"  x.go",
		"src/",
		"  deep/",
		"    er/",
		"      leaf.txt",
		"Zed/",
		".env",
		"a.md",
		"A.txt",
		"b.txt",
		"build",
		"link-file",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("tree:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	leaf := tree.Children[2].Children[0].Children[0].Children[0]
	if leaf.Path != filepath.Join("src", "deep", "er", "leaf.txt") {
		t.Fatalf("leaf path %q", leaf.Path)
	}
}

func TestTreeDepthClamp(t *testing.T) {
	dir := layout(t, map[string]string{"a/b/c/d.txt": "", "top.txt": ""})
	r := openRoot(t, dir, Options{})
	tree, _ := r.Tree(1)
	var got []string
	names(tree, 0, &got)
	if strings.Join(got, ",") != "a/!,top.txt" {
		t.Fatalf("depth 1: %v", got)
	}
	tree, _ = r.Tree(2)
	got = nil
	names(tree, 0, &got)
	if strings.Join(got, ",") != "a/,  b/!,top.txt" {
		t.Fatalf("depth 2: %v", got)
	}
	for in, want := range map[int]int{0: 32, -5: 1, 1: 1, 31: 31, 99: 32} {
		if got := ClampTreeDepth(in); got != want {
			t.Errorf("clamp %d = %d, want %d", in, got, want)
		}
	}
	b, _ := json.Marshal(tree.Children[0].Children[0])
	if string(b) != `{"name":"b","path":"a/b","type":"directory","truncated":true}` {
		t.Fatalf("json %s", b)
	}
	if err := os.Mkdir(filepath.Join(dir, "empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	tree, _ = r.Tree(1)
	b, _ = json.Marshal(tree)
	want := `{"name":"","path":"","type":"directory","children":[` +
		`{"name":"a","path":"a","type":"directory","truncated":true},` +
		`{"name":"empty","path":"empty","type":"directory","truncated":true},` +
		`{"name":"top.txt","path":"top.txt","type":"file"}]}`
	if string(b) != want {
		t.Fatalf("json\n got %s\nwant %s", b, want)
	}
	tree, _ = r.Tree(2)
	if b, _ = json.Marshal(tree.Children[1]); string(b) != `{"name":"empty","path":"empty","type":"directory","children":[]}` {
		t.Fatalf("an empty folder must carry children:[]: %s", b)
	}
}

func TestTreeOfRemovedRoot(t *testing.T) {
	dir := layout(t, map[string]string{"x/": ""})
	r := openRoot(t, filepath.Join(dir, "x"), Options{})
	if err := os.Remove(filepath.Join(dir, "x")); err != nil {
		t.Fatal(err)
	}
	_, err := r.Tree(0)
	wantCode(t, err, CodeNotFound)
}

func TestComplete(t *testing.T) {
	dir := layout(t, map[string]string{
		"main.go": "", "cmd/main/main.go": "", "internal/domain/remains.go": "",
		"docs/remain.md": "", "node_modules/main.js": "", "zzz/": "",
	})
	mustSymlink(t, "main.go", filepath.Join(dir, "main-link.go"))
	r := openRoot(t, dir, Options{})
	ctx := context.Background()

	got, err := r.Complete(ctx, "MAIN", 50)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"cmd/main/",                  // basename exact
		"main.go",                    // basename prefix, shortest
		"cmd/main/main.go",           // basename prefix
		"docs/remain.md",             // basename contains
		"internal/domain/",           // basename contains, longer
		"internal/domain/remains.go", // basename contains, longer still
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v\nwant %v", got, want)
	}
	got, _ = r.Complete(ctx, "", 3)
	if !reflect.DeepEqual(got, []string{"cmd/", "cmd/main/", "cmd/main/main.go"}) {
		t.Fatalf("empty query: %v", got)
	}
	got, _ = r.Complete(ctx, "domain/r", 50)
	if !reflect.DeepEqual(got, []string{"internal/domain/remains.go"}) {
		t.Fatalf("path contains: %v", got)
	}
	for in, want := range map[int]int{0: 50, -1: 50, 20: 20, 500: 200} {
		if got := ClampCompleteLimit(in); got != want {
			t.Errorf("clamp %d = %d", in, got)
		}
	}
}

func TestCloneTarget(t *testing.T) {
	outside := layout(t, nil)
	ws := layout(t, map[string]string{"parent/full/x": "", "parent/empty/": "", "parent/file": ""})
	mustSymlink(t, outside, filepath.Join(ws, "escape"))
	r := openRoot(t, ws, Options{})
	parent := filepath.Join(ws, "parent")

	if p, err := r.CloneTarget(parent, "repo"); err != nil || p != filepath.Join(parent, "repo") {
		t.Fatalf("fresh target: %q %v", p, err)
	}
	if p, err := r.CloneTarget(parent, "empty"); err != nil || p != filepath.Join(parent, "empty") {
		t.Fatalf("empty target: %q %v", p, err)
	}
	_, err := r.CloneTarget(parent, "full")
	wantCode(t, err, CodeTargetNotEmpty)
	_, err = r.CloneTarget(parent, "file")
	wantCode(t, err, CodeTargetNotADirectory)
	_, err = r.CloneTarget(filepath.Join(parent, "file"), "x")
	wantCode(t, err, CodeTargetNotADirectory)
	_, err = r.CloneTarget(parent, "../x")
	wantCode(t, err, CodeInvalidDirectoryName)
	_, err = r.CloneTarget(parent, strings.Repeat("a", 101))
	wantCode(t, err, CodeInvalidDirectoryName)
	_, err = r.CloneTarget(filepath.Join(ws, "escape"), "x")
	wantCode(t, err, CodePathNotAllowed)
	_, err = r.CloneTarget(outside, "x")
	wantCode(t, err, CodePathNotAllowed)
	if !r.Contains(parent) || r.Contains(outside) || r.Contains(filepath.Join(ws, "escape", "x")) {
		t.Fatal("Contains is wrong")
	}
}
