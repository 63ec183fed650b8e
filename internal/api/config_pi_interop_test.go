package api_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/pi-forge/pi-forge/internal/apitest"
	"github.com/pi-forge/pi-forge/internal/testutil/picli"
)

// TestProviderKeysWhilePiWritesAuthJSON stores keys through PUT
// /config/auth/{provider} for as long as the real pi stores its own keys in
// the same auth.json: with both sides honouring pi's lock, no key is lost.
func TestProviderKeysWhilePiWritesAuthJSON(t *testing.T) {
	cli := picli.Find(t)
	e := apitest.Start(t, nil)
	if err := os.MkdirAll(e.PiConfig, 0o700); err != nil {
		t.Fatal(err)
	}
	authFile := filepath.Join(e.PiConfig, "auth.json")
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	const piKeys = 30
	cmd := exec.CommandContext(ctx, cli.Node, filepath.Join("testdata", "pi_auth_keys.mjs"),
		filepath.Dir(filepath.Dir(cli.Script)), authFile, "pi-", fmt.Sprint(piKeys))
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + e.Home, "PI_CODING_AGENT_DIR=" + e.PiConfig, "PI_OFFLINE=1"}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	forgeKeys := 0
	for running := true; running; forgeKeys++ {
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("pi writer: %v\n%s", err, out.String())
			}
			running = false
		default:
		}
		name := fmt.Sprintf("forge-%d", forgeKeys)
		e.Expect(http.StatusOK, "PUT", "/api/v1/config/auth/"+name, map[string]string{"apiKey": "key-" + name})
	}
	stored := cfgReadJSON(t, authFile)
	var status struct {
		Providers map[string]struct{ Configured bool } `json:"providers"`
	}
	e.Expect(http.StatusOK, "GET", "/api/v1/config/auth", nil).JSON(t, &status)
	for prefix, n := range map[string]int{"pi-": piKeys, "forge-": forgeKeys} {
		for i := range n {
			name := fmt.Sprintf("%s%d", prefix, i)
			entry, _ := stored[name].(map[string]any)
			if entry["type"] != "api_key" || entry["key"] != "key-"+name {
				t.Errorf("%s lost or changed: %v", name, stored[name])
			}
			if !status.Providers[name].Configured {
				t.Errorf("GET /config/auth misses %s", name)
			}
		}
	}
	t.Logf("pi stored %d keys (%s), pi-forge %d over HTTP", piKeys, out.String(), forgeKeys)
}
