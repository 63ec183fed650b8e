// Command terminal benchmarks pi-forge's integrated terminal against the
// real binary: throughput of `cat` of a large file through PTY → WebSocket
// → client (with the bare PTY's rate on this machine as the ceiling),
// keystroke round-trip latency, and the server's RSS per idle terminal.
//
//	go run ./bench/terminal -bin bin/pi-forge [-size 200] [-idle 100] [-keys 2000]
//
// bench/terminal.sh builds the binary and runs it.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/coder/websocket"
	"github.com/creack/pty"
)

func main() {
	bin := flag.String("bin", "bin/pi-forge", "pi-forge binary")
	sizeMB := flag.Int("size", 200, "size of the file to cat, MB")
	idle := flag.Int("idle", 100, "idle terminals for the memory measurement")
	keys := flag.Int("keys", 2000, "keystrokes for the latency measurement")
	runs := flag.Int("runs", 3, "throughput runs (the best is reported)")
	flag.Parse()
	if err := run(*bin, *sizeMB<<20, *idle, *keys, *runs); err != nil {
		fmt.Fprintln(os.Stderr, "bench/terminal:", err)
		os.Exit(1)
	}
}

func run(bin string, size, idle, keys, runs int) error {
	home, err := os.MkdirTemp("", "piforge-termbench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(home)
	proj := filepath.Join(home, "workspace", "proj")
	if err := os.MkdirAll(proj, 0o755); err != nil {
		return err
	}
	file := filepath.Join(proj, "big.txt")
	if err := writeTextFile(file, size); err != nil {
		return err
	}
	srv, err := startServer(bin, home)
	if err != nil {
		return err
	}
	defer srv.stop()
	projectID, err := srv.createProject(proj)
	if err != nil {
		return err
	}
	fmt.Printf("terminal benchmark (%s, %d CPUs)\n", bin, runtime.NumCPU())

	ceiling := 0.0
	for range runs {
		mbps, err := rawPTY(file, size)
		if err != nil {
			return err
		}
		ceiling = max(ceiling, mbps)
	}
	best := 0.0
	for range runs {
		mbps, err := srv.throughput(projectID, size)
		if err != nil {
			return err
		}
		best = max(best, mbps)
	}
	fmt.Printf("cat %d MB: bare PTY read loop %.1f MB/s; PTY → WebSocket → client %.1f MB/s (%.0f%% of the bare PTY), best of %d\n",
		size>>20, ceiling, best, 100*best/ceiling, runs)

	lat, err := srv.latency(projectID, keys)
	if err != nil {
		return err
	}
	fmt.Printf("keystroke round trip (%d keys): median %v, p99 %v\n", keys, lat[len(lat)/2], lat[len(lat)*99/100])

	attached, detached, err := srv.idleMemory(projectID, idle)
	if err != nil {
		return err
	}
	fmt.Printf("server RSS per idle terminal (%d terminals, shells not counted): %.0f KiB attached, %.0f KiB detached\n",
		idle, attached/1024, detached/1024)
	return nil
}

// writeTextFile writes size bytes of 100-byte text lines.
func writeTextFile(path string, size int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	line := []byte(strings.Repeat("abcdefghijklmnopqrstuvwxyz", 4)[:99] + "\n")
	for n := 0; n < size; n += len(line) {
		if _, err := w.Write(line[:min(len(line), size-n)]); err != nil {
			return err
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}

// rawPTY is the ceiling: cat on a PTY read by a plain loop, no WebSocket.
func rawPTY(file string, size int) (float64, error) {
	cmd := exec.Command("cat", file)
	f, err := pty.Start(cmd)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	buf := make([]byte, 64<<10)
	start := time.Now()
	for {
		if _, err := f.Read(buf); err != nil {
			break // EIO once cat is done
		}
	}
	d := time.Since(start)
	_ = cmd.Wait()
	return float64(size) / d.Seconds() / 1e6, nil
}

type server struct {
	cmd  *exec.Cmd
	base string
	ip   int // X-Forwarded-For counter: the upgrade limit is per client IP
}

func startServer(bin, home string) (*server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(),
		"HOME="+home, "WORKSPACE_PATH="+filepath.Join(home, "workspace"), "FORGE_DATA_DIR="+filepath.Join(home, "forge"),
		"PI_CONFIG_DIR="+filepath.Join(home, "pi"), "HOST=127.0.0.1", "PORT="+strconv.Itoa(port),
		"SHELL=/bin/bash", "TRUST_PROXY=true", "LOG_LEVEL=warn", "UI_PASSWORD=", "API_KEY=")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{cmd: cmd, base: "127.0.0.1:" + strconv.Itoa(port)}
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get("http://" + s.base + "/api/v1/health")
		if err == nil {
			resp.Body.Close()
			return s, nil
		}
		if time.Now().After(deadline) {
			s.stop()
			return nil, fmt.Errorf("server did not start: %w", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (s *server) stop() {
	_ = s.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		_ = s.cmd.Process.Kill()
		<-done
	}
}

func (s *server) createProject(path string) (string, error) {
	body, _ := json.Marshal(map[string]string{"name": "bench", "path": path})
	resp, err := http.Post("http://"+s.base+"/api/v1/projects", "application/json", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var p struct{ ID string }
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil || p.ID == "" {
		return "", fmt.Errorf("create project: %d %v", resp.StatusCode, err)
	}
	return p.ID, nil
}

// dial opens a terminal and waits for the shell to answer.
func (s *server) dial(projectID, tab string) (*websocket.Conn, error) {
	s.ip++
	hdr := http.Header{"X-Forwarded-For": {fmt.Sprintf("10.%d.%d.%d", s.ip>>16&255, s.ip>>8&255, s.ip&255)}}
	url := "ws://" + s.base + "/api/v1/terminal?projectId=" + projectID + "&tabId=" + tab
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: hdr})
	if err != nil {
		return nil, err
	}
	conn.SetReadLimit(-1)
	if err := input(conn, "PS1='$ '; echo ready-$((1+1))\n"); err != nil {
		return nil, err
	}
	if _, err := readUntil(conn, []byte("ready-2")); err != nil {
		return nil, err
	}
	return conn, nil
}

func input(conn *websocket.Conn, s string) error {
	msg, _ := json.Marshal(map[string]string{"type": "input", "data": s})
	return conn.Write(context.Background(), websocket.MessageText, msg)
}

// readUntil reads output until marker has been seen; it returns the bytes read.
func readUntil(conn *websocket.Conn, marker []byte) (int64, error) {
	buf := make([]byte, 64<<10)
	var tail []byte
	var n int64
	for {
		_, r, err := conn.Reader(context.Background())
		if err != nil {
			return n, err
		}
		for {
			k, err := r.Read(buf)
			n += int64(k)
			window := append(tail, buf[:k]...)
			if bytes.Contains(window, marker) {
				_, err := io.Copy(io.Discard, r)
				return n, err
			}
			tail = append(tail[:0], window[max(0, len(window)-len(marker)):]...)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return n, err
			}
		}
	}
}

func (s *server) throughput(projectID string, size int) (float64, error) {
	conn, err := s.dial(projectID, "cat-"+strconv.Itoa(s.ip))
	if err != nil {
		return 0, err
	}
	defer conn.Close(websocket.StatusNormalClosure, "tab_closed")
	start := time.Now()
	if err := input(conn, "cat big.txt; echo END-$((6*7))-MARK\n"); err != nil {
		return 0, err
	}
	if _, err := readUntil(conn, []byte("END-42-MARK")); err != nil {
		return 0, err
	}
	return float64(size) / time.Since(start).Seconds() / 1e6, nil
}

func (s *server) latency(projectID string, n int) ([]time.Duration, error) {
	conn, err := s.dial(projectID, "keys")
	if err != nil {
		return nil, err
	}
	defer conn.Close(websocket.StatusNormalClosure, "tab_closed")
	keys := []string{"x", "\x7f"} // type and erase: the line stays short
	out := make([]time.Duration, 0, n)
	for i := range n {
		start := time.Now()
		if err := input(conn, keys[i%2]); err != nil {
			return nil, err
		}
		if _, _, err := conn.Read(context.Background()); err != nil {
			return nil, err
		}
		out = append(out, time.Since(start))
	}
	slices.Sort(out)
	return out, nil
}

// idleMemory opens n terminals, waits for them to settle, and returns the
// server's RSS growth per terminal while attached and after every socket
// has gone (detached, within PTY_IDLE_REAP_MS).
func (s *server) idleMemory(projectID string, n int) (attached, detached float64, err error) {
	before, err := rss(s.cmd.Process.Pid)
	if err != nil {
		return 0, 0, err
	}
	conns := make([]*websocket.Conn, 0, n)
	for i := range n {
		c, err := s.dial(projectID, "idle-"+strconv.Itoa(i))
		if err != nil {
			return 0, 0, err
		}
		conns = append(conns, c)
	}
	time.Sleep(time.Second) // let the server settle; there is no event for "idle"
	withSockets, err := rss(s.cmd.Process.Pid)
	if err != nil {
		return 0, 0, err
	}
	for _, c := range conns {
		_ = c.Close(websocket.StatusGoingAway, "")
	}
	time.Sleep(time.Second)
	without, err := rss(s.cmd.Process.Pid)
	if err != nil {
		return 0, 0, err
	}
	return float64(withSockets-before) / float64(n), float64(without-before) / float64(n), nil
}

// rss is a process's resident set in bytes.
func rss(pid int) (int64, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, errors.New("no VmRSS")
}
