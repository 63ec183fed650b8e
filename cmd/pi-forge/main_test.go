package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func testEnv(t *testing.T) []string {
	home := t.TempDir()
	return []string{"HOME=" + home, "PORT=0"}
}

func TestVersionAndHelp(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}, {"-v"}} {
		var out bytes.Buffer
		if code := run(context.Background(), args, testEnv(t), &out, io.Discard); code != 0 || strings.TrimSpace(out.String()) == "" {
			t.Errorf("%v: code %d, out %q", args, code, out.String())
		}
	}
	var out bytes.Buffer
	if code := run(context.Background(), []string{"--help"}, testEnv(t), &out, io.Discard); code != 0 || !strings.Contains(out.String(), "--workspace-path") {
		t.Fatalf("--help: code %d", code)
	}
}

func TestUsageErrorsExit2(t *testing.T) {
	for _, args := range [][]string{{"--port", "x"}, {"bogus-command"}, {"serve", "--nope"}, {"serve", "stray"}} {
		var errOut bytes.Buffer
		if code := run(context.Background(), args, testEnv(t), io.Discard, &errOut); code != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", args, code, errOut.String())
		}
	}
}

// TestServeCreatesDirsAnswersAndStops runs the real serve path: data dirs
// appear, health answers, healthcheck agrees, and cancelling the context
// (what SIGTERM does) stops it with exit 0.
func TestServeCreatesDirsAnswersAndStops(t *testing.T) {
	env := testEnv(t)
	home := strings.TrimPrefix(env[0], "HOME=")
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, nil, env, pw, io.Discard)
		pw.Close()
	}()
	addr := waitListening(t, pr)
	go io.Copy(io.Discard, pr) //nolint:errcheck // drain the rest of the log

	for _, d := range []string{".pi-forge", ".pi-forge/workspace", ".pi-forge/workspace/.pi/sessions"} {
		if st, err := os.Stat(filepath.Join(home, d)); err != nil || !st.IsDir() {
			t.Errorf("%s not created: %v", d, err)
		}
	}
	_, port, _ := net.SplitHostPort(addr)
	if code := run(context.Background(), []string{"healthcheck", "--port", port}, env, io.Discard, io.Discard); code != 0 {
		t.Errorf("healthcheck against a running server: exit %d", code)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("serve exited %d", code)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop after cancel")
	}
	if code := run(context.Background(), []string{"healthcheck", "--port", port}, env, io.Discard, io.Discard); code == 0 {
		t.Error("healthcheck must fail when nothing listens")
	}
}

func waitListening(t *testing.T, r io.Reader) string {
	t.Helper()
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		var line struct {
			Msg string `json:"msg"`
			URL string `json:"url"`
		}
		if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "pi-forge listening" {
			u, err := url.Parse(line.URL)
			if err != nil {
				t.Fatal(err)
			}
			return u.Host
		}
	}
	t.Fatalf("server never logged that it listens: %v", sc.Err())
	return ""
}
