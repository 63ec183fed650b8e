// Command fakellm serves aitest's scripted fake LLM on a loopback address,
// speaking all four wire formats pi uses, for browser tests and local demos
// without a real model. It prints its URL on the first line of stdout.
//
//	go run ./internal/ai/aitest/cmd/fakellm --script script.json
//	go run ./internal/ai/aitest/cmd/fakellm --mode lorem --words 80 --delay 30
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/pi-forge/pi-forge/internal/ai"
	"github.com/pi-forge/pi-forge/internal/ai/aitest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("fakellm", flag.ContinueOnError)
	fs.SetOutput(stderr)
	scriptPath := fs.String("script", "", "JSON script of responses (see README.md); without one every prompt gets the canned reply")
	addr := fs.String("addr", "127.0.0.1:0", "listen address (port 0 picks a free port)")
	mode := fs.String("mode", "echo", `canned reply once the script is used up: "echo" or "lorem"`)
	words := fs.Int("words", 50, "words in a lorem reply")
	delay := fs.Int("delay", 20, "milliseconds between streamed events of a canned reply")
	chunk := fs.Int("chunk", 0, "characters per text delta of a canned reply (0 = one word each)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *mode != "echo" && *mode != "lorem" {
		fmt.Fprintf(stderr, "fakellm: --mode must be echo or lorem, not %q\n", *mode)
		return 2
	}
	script := aitest.Script{}
	if *scriptPath != "" {
		s, err := aitest.LoadScript(*scriptPath)
		if err != nil {
			fmt.Fprintf(stderr, "fakellm: %v\n", err)
			return 1
		}
		script = s
	}
	if script.Fallback == nil {
		script.Fallback = &aitest.Canned{Mode: *mode, Words: *words, DelayMS: *delay, ChunkSize: *chunk}
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "fakellm: %v\n", err)
		return 1
	}
	root := "http://" + ln.Addr().String()
	fmt.Fprintln(stdout, root)
	log := slog.New(slog.NewTextHandler(stderr, nil))
	for _, api := range []string{ai.APIAnthropicMessages, ai.APIOpenAICompletions, ai.APIOpenAIResponses, ai.APIGoogleGenerativeAI} {
		log.Info("serving", "api", api, "baseUrl", aitest.BaseURL(root, api))
	}

	handler := aitest.NewHandler(script)
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			log.Info("request", "method", r.Method, "path", r.URL.Path)
			handler.ServeHTTP(w, r)
		}),
		ReadHeaderTimeout: 10 * time.Second,
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		fmt.Fprintf(stderr, "fakellm: %v\n", err)
		return 1
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		_ = srv.Close()
	}
	if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(stderr, "fakellm: %v\n", err)
		return 1
	}
	return 0
}
