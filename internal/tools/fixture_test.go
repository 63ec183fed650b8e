package tools

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pi-forge/pi-forge/internal/agent"
	"github.com/pi-forge/pi-forge/internal/proc"
	"github.com/pi-forge/pi-forge/internal/testutil/filetree"
)

// writeFixture builds the tree most tests (and the comparison with pi)
// run against.
func writeFixture(t testing.TB, root string) {
	t.Helper()
	var long, wide, many strings.Builder
	for i := 1; i <= 3000; i++ {
		fmt.Fprintf(&long, "line %d\n", i)
	}
	for i := 1; i <= 1000; i++ {
		fmt.Fprintf(&wide, "%04d %s\n", i, strings.Repeat("w", 95))
	}
	for i := 1; i <= 150; i++ {
		fmt.Fprintf(&many, "needle %d\n", i)
	}
	files := map[string]string{
		"small.txt":          "alpha\nbeta\ngamma\ndelta\nepsilon\n",
		"long.txt":           long.String(),
		"wide.txt":           wide.String(),
		"huge-line.txt":      strings.Repeat("x", 60*1024) + "\nsecond\n",
		"crlf.txt":           "\uFEFFfirst line\r\nsecond line\r\nthird line\r\n",
		"quotes.txt":         "say \u201chello\u201d   \nit\u2019s \u2014 fine\nend\n",
		"dup.txt":            "same\nother\nsame\n",
		"invalid.txt":        "ok \xff\xfe bad \xe2\x82 cut\nnext\n",
		"code.go":            codeSample(),
		"grep/many.txt":      many.String(),
		"grep/long.txt":      "short needle\n" + strings.Repeat("n", 600) + " needle\n",
		"grep/ctx.txt":       "one\ntwo\nneedle three\nfour\nfive\n",
		"grep/crlf.txt":      "needle a\r\nb\r\n",
		"grep/binary.bin":    "needle\x00binary",
		"dir/B.txt":          "",
		"dir/a.txt":          "",
		"dir/_under":         "",
		"dir/.hidden":        "",
		"dir/10.txt":         "",
		"dir/2.txt":          "",
		"dir/sub/inner.txt":  "",
		"empty/.keep":        "",
		"names/.keep":        "",
		"tree/src/a.ts":      "",
		"tree/src/b.spec.ts": "",
		"tree/src/deep/c.ts": "",
		"tree/README.md":     "",
		"tree/skip.log":      "",
		"tree/.gitignore":    "*.log\n",
	}
	filetree.Write(t, root, files)
	if err := os.MkdirAll(filepath.Join(root, "void"), 0o755); err != nil {
		t.Fatal(err)
	}
	images := map[string][]byte{
		"pixel.png":   tinyPNG(t, 3, 2),
		"wide.png":    tinyPNG(t, 3000, 1000),
		"rotated.jpg": exifJPEG(t, 2400, 100, 6),
		"mirror.jpg":  exifJPEG(t, 300, 200, 2),
		"broken.png":  append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR"), make([]byte, 40)...),
	}
	for name, data := range images {
		if err := os.WriteFile(filepath.Join(root, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	names := []string{"Zeta", "alpha", "Alpha", "_private", "-dash", "10-ten", "9-nine", "ébène", "beta.TXT", "beta.txt2", ".dot", "~tilde", "a b"}
	for _, n := range names {
		if err := os.WriteFile(filepath.Join(root, "names", n), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// exifJPEG encodes a w x h JPEG carrying an EXIF orientation tag.
func exifJPEG(t testing.TB, w, h, orientation int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), uint8(x + y), 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	// APP1: "Exif\0\0" + big-endian TIFF header + IFD0 with one entry.
	tiff := []byte{'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, byte(orientation), 0, 0, 0, 0, 0, 0}
	seg := append([]byte("Exif\x00\x00"), tiff...)
	app1 := append([]byte{0xFF, 0xE1, byte((len(seg) + 2) >> 8), byte(len(seg) + 2)}, seg...)
	data := buf.Bytes()
	return append(append(append([]byte{}, data[:2]...), app1...), data[2:]...)
}

func codeSample() string {
	var b strings.Builder
	for i := 1; i <= 40; i++ {
		fmt.Fprintf(&b, "func f%d() int { return %d }\n", i, i)
	}
	return b.String()
}

func tinyPNG(t testing.TB, w, h int) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.NRGBA{uint8(x * 80), uint8(y * 120), 200, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// testTools builds every tool for cwd with a real launcher.
func testTools(t testing.TB, cwd string, mutate func(*Options)) map[string]agent.Tool {
	t.Helper()
	l, err := proc.New(proc.Config{ServerEnv: os.Environ()})
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{Cwd: cwd, Launcher: l, TempDir: t.TempDir()}
	if mutate != nil {
		mutate(&opts)
	}
	list, err := New(nil, opts)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]agent.Tool{}
	for _, tool := range list {
		m[tool.Spec().Name] = tool
	}
	return m
}

// run executes one call and returns the result and error.
func run(t testing.TB, tools map[string]agent.Tool, name string, args any) (agent.ToolResult, error) {
	t.Helper()
	raw, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	return tools[name].Execute(context.Background(), agent.ToolCall{ID: "c", Name: name, Args: raw}, func(agent.ToolResult) {})
}

// text returns the concatenated text blocks of a result.
func text(r agent.ToolResult) string {
	var b strings.Builder
	for _, c := range r.Content {
		b.WriteString(c.Text)
	}
	return b.String()
}
