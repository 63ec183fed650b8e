// Command pi-forge serves the pi-forge workbench: the web UI, the REST, SSE
// and WebSocket API, and the agent itself, from one binary.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/pi-forge/pi-forge/internal/app"
	"github.com/pi-forge/pi-forge/internal/buildinfo"
	"github.com/pi-forge/pi-forge/internal/config"
	"github.com/pi-forge/pi-forge/internal/logging"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Environ(), os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is main without the process: it parses args and env, runs the chosen
// subcommand until ctx ends and returns the exit code (2 for usage errors).
func run(ctx context.Context, args, env []string, stdout, stderr io.Writer) int {
	sub := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		sub, args = args[0], args[1:]
	}
	switch sub {
	case "serve", "healthcheck":
	case "version":
		fmt.Fprintln(stdout, buildinfo.Version())
		return 0
	case "help":
		config.WriteHelp(stdout, "pi-forge")
		return 0
	default:
		fmt.Fprintf(stderr, "pi-forge: unknown command %q (serve, healthcheck, version; see --help)\n", sub)
		return 2
	}
	res, err := config.Parse(args, config.EnvFromList(env))
	switch {
	case errors.Is(err, config.ErrHelp):
		config.WriteHelp(stdout, "pi-forge")
		return 0
	case errors.Is(err, config.ErrVersion):
		fmt.Fprintln(stdout, buildinfo.Version())
		return 0
	case err != nil:
		fmt.Fprintf(stderr, "pi-forge: %v\n", err)
		var ue *config.UsageError
		if errors.As(err, &ue) {
			return 2
		}
		return 1
	}
	if sub == "healthcheck" {
		return healthcheck(ctx, res.Config, stderr)
	}
	return serve(ctx, res, stdout, stderr)
}

func serve(ctx context.Context, res *config.Result, stdout, stderr io.Writer) int {
	cfg := res.Config
	out := logging.NewWriter(stdout)
	defer out.Close()
	log := logging.New(out, cfg.LogLevel)
	for _, w := range res.Warnings {
		log.Warn(w)
	}
	a, err := app.New(cfg, log)
	if err != nil {
		fmt.Fprintf(stderr, "pi-forge: %v\n", err)
		return 1
	}
	ln, err := net.Listen("tcp", cfg.Addr())
	if err != nil {
		fmt.Fprintf(stderr, "pi-forge: %v\n", err)
		return 1
	}
	log.Info("pi-forge listening", "url", "http://"+ln.Addr().String(), "version", buildinfo.Version(),
		"workspace", cfg.WorkspacePath, "auth", a.AuthEnabled())
	if err := a.Serve(ctx, ln); err != nil {
		log.Error("server stopped", "error", err)
		return 1
	}
	log.Info("pi-forge stopped")
	return 0
}

// healthcheck asks the local server for /api/v1/health: the Docker
// HEALTHCHECK uses it so the image needs no curl.
func healthcheck(ctx context.Context, cfg *config.Config, stderr io.Writer) int {
	host := cfg.Host
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	url := "http://" + net.JoinHostPort(host, fmt.Sprint(cfg.Port)) + "/api/v1/health"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		fmt.Fprintf(stderr, "healthcheck: %v\n", err)
		return 1
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintf(stderr, "healthcheck: %v\n", err)
		return 1
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(stderr, "healthcheck: %s answered %d\n", url, resp.StatusCode)
		return 1
	}
	return 0
}
