// Command startup measures pi-forge's cold start (process start to the
// first 200 from /api/v1/health, polled every 0.5 ms from this process,
// so no curl start-up is counted) and its RSS once idle.
//
//	go run ./bench/startup [-bin bin/pi-forge] [-runs 20]
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

func main() {
	bin := flag.String("bin", "bin/pi-forge", "pi-forge binary")
	runs := flag.Int("runs", 20, "cold starts to time")
	flag.Parse()
	abs, err := filepath.Abs(*bin)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	*bin = abs
	var times []time.Duration
	var rss int
	for i := range *runs {
		d, r, err := coldStart(*bin, i == *runs-1)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		times = append(times, d)
		if r > 0 {
			rss = r
		}
	}
	slices.Sort(times)
	var sum time.Duration
	for _, d := range times {
		sum += d
	}
	fmt.Printf("cold start to first 200: median %.1f ms, mean %.1f ms, min %.1f ms, max %.1f ms (%d runs)\n",
		ms(times[len(times)/2]), ms(sum/time.Duration(len(times))), ms(times[0]), ms(times[len(times)-1]), len(times))
	fmt.Printf("idle RSS 2 s after start: %.1f MiB\n", float64(rss)/1024)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func coldStart(bin string, measureRSS bool) (time.Duration, int, error) {
	home, err := os.MkdirTemp("", "pf-start-")
	if err != nil {
		return 0, 0, err
	}
	defer os.RemoveAll(home)
	port := freePort()
	cmd := exec.Command(bin, "--port", strconv.Itoa(port))
	cmd.Env = []string{"HOME=" + home, "PATH=" + os.Getenv("PATH"), "LOG_LEVEL=warn"}
	cmd.Dir = filepath.Dir(home)
	url := fmt.Sprintf("http://127.0.0.1:%d/api/v1/health", port)
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, 0, err
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	for time.Since(start) < 10*time.Second {
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				d := time.Since(start)
				rss := 0
				if measureRSS {
					time.Sleep(2 * time.Second)
					rss = readRSS(cmd.Process.Pid)
				}
				return d, rss, nil
			}
		}
		time.Sleep(500 * time.Microsecond)
	}
	return 0, 0, fmt.Errorf("no 200 from %s within 10 s", url)
}

func freePort() int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func readRSS(pid int) int {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			n, _ := strconv.Atoi(f[1])
			return n
		}
	}
	return 0
}
