// Command sessions benchmarks the session API on the real binary: a long
// reply streamed to 1 and 50 SSE clients (time to agent_end on the slowest
// client, bytes per client, drops, server peak RSS and CPU seconds), GET
// /sessions over 10,000 session files, and resuming a 5,000-message session
// through the first snapshot of its stream.
//
//	go run ./bench/sessions [-bin bin/pi-forge] [-words 2000] [-clients 1,50] [-list 10000] [-resume 5000]
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/pi-forge/pi-forge/internal/ai"
	"github.com/pi-forge/pi-forge/internal/ai/aitest"
)

func main() {
	bin := flag.String("bin", "", "pi-forge binary (default: go build ./cmd/pi-forge into a temp dir)")
	words := flag.Int("words", 2000, "words in the streamed reply")
	clients := flag.String("clients", "1,50", "SSE client counts to run")
	framings := flag.String("framings", "compact,reference", "stream framings to run")
	list := flag.Int("list", 10000, "session files for the list benchmark (0 skips)")
	resume := flag.Int("resume", 5000, "messages in the session for the resume benchmark (0 skips)")
	flag.Parse()
	tmp, err := os.MkdirTemp("", "pi-forge-bench-")
	check(err)
	defer os.RemoveAll(tmp)
	if *bin == "" {
		*bin = filepath.Join(tmp, "pi-forge")
		out, err := exec.Command("go", "build", "-o", *bin, "./cmd/pi-forge").CombinedOutput()
		if err != nil {
			fail("go build: %v\n%s", err, out)
		}
	}
	fmt.Printf("reply: %d words, one delta per word, no delay\n", *words)
	fmt.Printf("%-9s %7s %12s %14s %6s %12s %9s\n", "framing", "clients", "slowest (ms)", "bytes/client", "drops", "peak RSS", "CPU (s)")
	for _, framing := range strings.Split(*framings, ",") {
		for _, c := range strings.Split(*clients, ",") {
			n, err := strconv.Atoi(c)
			check(err)
			r := streamBench(*bin, filepath.Join(tmp, fmt.Sprintf("stream-%s-%d", framing, n)), *words, n, framing)
			fmt.Printf("%-9s %7d %12.1f %14d %6d %9.1f MiB %9.2f\n", framing, n, r.slowest.Seconds()*1000, r.bytesPerClient, r.drops,
				float64(r.peakRSS)/1024, r.cpu)
		}
	}
	if *list > 0 {
		r := listBench(*bin, filepath.Join(tmp, "list"), *list)
		fmt.Printf("GET /sessions over %d files: first ever %.1f ms, first after a restart %.1f ms, warm %.1f ms (median of 5; server CPU %.0f ms per warm request)\n",
			*list, ms(r.firstEver), ms(r.afterRestart), ms(r.warm), r.cpuPerRequest*1000)
	}
	if *resume > 0 {
		d, size, cpu := resumeBench(*bin, filepath.Join(tmp, "resume"), *resume)
		fmt.Printf("resume of a %d-message session to the first snapshot: %.1f ms (server CPU %.0f ms; snapshot %d bytes)\n",
			*resume, ms(d), cpu*1000, size)
	}
}

func ms(d time.Duration) float64 { return d.Seconds() * 1000 }

func check(err error) {
	if err != nil {
		fail("%v", err)
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
	os.Exit(1)
}

// server is a running pi-forge.
type server struct {
	cmd  *exec.Cmd
	url  string
	home string
}

func start(bin, home string, fakeURL string) *server {
	for _, d := range []string{"pi", "ws/proj"} {
		check(os.MkdirAll(filepath.Join(home, d), 0o755))
	}
	if fakeURL != "" {
		models := map[string]any{"providers": map[string]any{"fake": map[string]any{
			"baseUrl": aitest.BaseURL(fakeURL, ai.APIOpenAICompletions), "api": ai.APIOpenAICompletions, "apiKey": "k",
			"models": []map[string]any{{"id": "fake-model", "contextWindow": 1000000}}}}}
		b, _ := json.Marshal(models)
		check(os.WriteFile(filepath.Join(home, "pi", "models.json"), b, 0o600))
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	check(err)
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command(bin, "--port", strconv.Itoa(port))
	cmd.Env = []string{"HOME=" + home, "PATH=" + os.Getenv("PATH"), "WORKSPACE_PATH=" + filepath.Join(home, "ws"),
		"PI_CONFIG_DIR=" + filepath.Join(home, "pi"), "FORGE_DATA_DIR=" + filepath.Join(home, "forge"), "LOG_LEVEL=warn"}
	cmd.Stderr = os.Stderr
	check(cmd.Start())
	s := &server{cmd: cmd, url: fmt.Sprintf("http://127.0.0.1:%d/api/v1", port), home: home}
	for i := 0; ; i++ {
		resp, err := http.Get(s.url + "/health")
		if err == nil {
			resp.Body.Close()
			return s
		}
		if i > 1000 {
			fail("server did not start: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// shutdown stops the server with SIGTERM, as an orchestrator does, and
// waits for it to exit.
func (s *server) shutdown() {
	check(s.cmd.Process.Signal(syscall.SIGTERM))
	_ = s.cmd.Wait()
}

func (s *server) stop() {
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
}

func (s *server) post(path string, body any, out any) {
	b, _ := json.Marshal(body)
	resp, err := http.Post(s.url+path, "application/json", bytes.NewReader(b))
	check(err)
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		fail("POST %s: %d %s", path, resp.StatusCode, data)
	}
	if out != nil {
		check(json.Unmarshal(data, out))
	}
}

func (s *server) project() string {
	var p struct{ ID string }
	s.post("/projects", map[string]string{"name": "proj", "path": filepath.Join(s.home, "ws", "proj")}, &p)
	return p.ID
}

// procStats reads peak RSS (KiB) and CPU seconds of pid.
func procStats(pid int) (peakKiB int, cpu float64) {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	check(err)
	for _, l := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			peakKiB, _ = strconv.Atoi(strings.Fields(v)[0])
		}
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	check(err)
	f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+2:]))
	ut, _ := strconv.Atoi(f[11])
	st, _ := strconv.Atoi(f[12])
	return peakKiB, float64(ut+st) / 100
}

type streamResult struct {
	slowest        time.Duration
	bytesPerClient int64
	drops          int
	peakRSS        int
	cpu            float64
}

// streamBench streams one reply of n words to clients SSE clients.
func streamBench(bin, home string, words, clients int, framing string) streamResult {
	text := make([]string, words)
	for i := range text {
		text[i] = "word" + strconv.Itoa(i%97)
	}
	fake := httptest.NewServer(aitest.NewHandler(aitest.Script{Responses: []aitest.Response{aitest.Text(strings.Join(text, " "))}}))
	defer fake.Close()
	s := start(bin, home, fake.URL)
	defer s.stop()
	var sess struct{ SessionID string }
	s.post("/sessions", map[string]string{"projectId": s.project()}, &sess)
	url := s.url + "/sessions/" + sess.SessionID + "/stream"
	if framing == "reference" {
		url += "?framing=reference"
	}
	type result struct {
		end   time.Time
		bytes int64
		ok    bool
	}
	results := make([]result, clients)
	var ready, done sync.WaitGroup
	for i := range clients {
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			resp, err := http.Get(url)
			check(err)
			defer resp.Body.Close()
			br := bufio.NewReaderSize(resp.Body, 64<<10)
			first := true
			for {
				line, err := br.ReadSlice('\n')
				results[i].bytes += int64(len(line))
				if err == bufio.ErrBufferFull {
					continue
				}
				if err != nil {
					return // ended before agent_end: dropped
				}
				if first && bytes.HasPrefix(line, []byte("data: ")) {
					first = false
					ready.Done()
				}
				if bytes.HasPrefix(line, []byte(`data: {"type":"agent_end"`)) {
					results[i].end, results[i].ok = time.Now(), true
					return
				}
			}
		}()
	}
	ready.Wait()
	_, cpuBefore := procStats(s.cmd.Process.Pid)
	start := time.Now()
	s.post("/sessions/"+sess.SessionID+"/prompt", map[string]string{"text": "talk"}, nil)
	done.Wait()
	var r streamResult
	for _, x := range results {
		if !x.ok {
			r.drops++
			continue
		}
		r.slowest = max(r.slowest, x.end.Sub(start))
		r.bytesPerClient = max(r.bytesPerClient, x.bytes)
	}
	var cpu float64
	r.peakRSS, cpu = procStats(s.cmd.Process.Pid)
	r.cpu = cpu - cpuBefore
	return r
}

type listResult struct {
	firstEver     time.Duration // no list cache yet: every file is read
	afterRestart  time.Duration // the cache saved at shutdown: a stat per file
	warm          time.Duration
	cpuPerRequest float64
}

// listBench writes n small session files and times GET /sessions: the
// first request of a server that never saw them, warm requests, and the
// first request after a graceful restart.
func listBench(bin, home string, n int) listResult {
	s := start(bin, home, "")
	pid := s.project()
	s.stop()
	dir := filepath.Join(home, "ws", ".pi", "sessions", pid)
	check(os.MkdirAll(dir, 0o700))
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		ts := base.Add(time.Duration(i) * time.Minute)
		id := fmt.Sprintf("0190a000-0000-7000-8000-%012d", i)
		check(os.WriteFile(filepath.Join(dir, strings.NewReplacer(":", "-", ".", "-").Replace(ts.Format("2006-01-02T15:04:05.000Z"))+"_"+id+".jsonl"),
			sessionFile(id, ts, 8), 0o600))
	}
	syscall.Sync() // the fixture's writeback is not what is measured
	s = start(bin, home, "")
	defer func() { s.stop() }() // s is replaced by the restart
	// get times a request to its last byte; checking the body comes after.
	get := func() time.Duration {
		t0 := time.Now()
		resp, err := http.Get(s.url + "/sessions?projectId=" + pid)
		check(err)
		data, err := io.ReadAll(resp.Body)
		check(err)
		resp.Body.Close()
		took := time.Since(t0)
		var body struct{ Sessions []json.RawMessage }
		check(json.Unmarshal(data, &body))
		if len(body.Sessions) != n {
			fail("listed %d sessions, want %d", len(body.Sessions), n)
		}
		return took
	}
	var r listResult
	r.firstEver = get()
	var times []time.Duration
	_, cpu0 := procStats(s.cmd.Process.Pid)
	for range 5 {
		times = append(times, get())
	}
	_, cpu1 := procStats(s.cmd.Process.Pid)
	slices.Sort(times)
	r.warm, r.cpuPerRequest = times[2], (cpu1-cpu0)/5
	s.shutdown()
	s = start(bin, home, "")
	r.afterRestart = get()
	return r
}

// sessionFile is a session of msgs messages (user and assistant in turn).
func sessionFile(id string, ts time.Time, msgs int) []byte {
	var b bytes.Buffer
	iso := func(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
	fmt.Fprintf(&b, `{"type":"session","version":3,"id":%q,"timestamp":%q,"cwd":"/w"}`+"\n", id, iso(ts))
	parent := "null"
	text := strings.Repeat("Some realistic message text about the code base. ", 4)
	for i := range msgs {
		eid := fmt.Sprintf("%08x", i+1)
		t := ts.Add(time.Duration(i) * time.Second)
		if i%2 == 0 {
			fmt.Fprintf(&b, `{"type":"message","id":%q,"parentId":%s,"timestamp":%q,"message":{"role":"user","content":[{"type":"text","text":%q}],"timestamp":%d}}`+"\n",
				eid, parent, iso(t), text, t.UnixMilli())
		} else {
			fmt.Fprintf(&b, `{"type":"message","id":%q,"parentId":%s,"timestamp":%q,"message":{"role":"assistant","content":[{"type":"text","text":%q}],"api":"openai-completions","provider":"fake","model":"fake-model","usage":{"input":1000,"output":100,"cacheRead":0,"cacheWrite":0,"totalTokens":1100,"cost":{"input":0,"output":0,"cacheRead":0,"cacheWrite":0,"total":0}},"stopReason":"stop","timestamp":%d}}`+"\n",
				eid, parent, iso(t), text+text, t.UnixMilli())
		}
		parent = strconv.Quote(eid)
	}
	return b.Bytes()
}

// resumeBench writes one session of msgs messages and times a cold
// GET /stream until its snapshot frame has been read.
func resumeBench(bin, home string, msgs int) (time.Duration, int, float64) {
	s := start(bin, home, "")
	pid := s.project()
	s.stop()
	dir := filepath.Join(home, "ws", ".pi", "sessions", pid)
	check(os.MkdirAll(dir, 0o700))
	id := "0190a000-0000-7000-8000-000000000001"
	check(os.WriteFile(filepath.Join(dir, "2026-01-01T00-00-00-000Z_"+id+".jsonl"), sessionFile(id, time.Now().Add(-time.Hour), msgs), 0o600))
	s = start(bin, home, "")
	defer s.stop()
	_, cpu0 := procStats(s.cmd.Process.Pid)
	t0 := time.Now()
	resp, err := http.Get(s.url + "/sessions/" + id + "/stream")
	check(err)
	defer resp.Body.Close()
	br := bufio.NewReaderSize(resp.Body, 1<<20)
	size := 0
	for {
		line, err := br.ReadBytes('\n')
		check(err)
		size += len(line)
		if bytes.HasPrefix(line, []byte(`data: {"type":"snapshot"`)) {
			d := time.Since(t0)
			_, cpu1 := procStats(s.cmd.Process.Pid)
			return d, size, cpu1 - cpu0
		}
	}
}
