package auth_test

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/pi-forge/pi-forge/internal/auth"
)

const fixturePassword = "correct horse battery staple"

// TestReferenceHashVerifies: testdata/node-password-hash was written by
// testdata/scrypt-node.mjs, which hashes as the reference does (Node's
// crypto.scrypt). pi-forge must accept it, so an upgraded instance keeps
// its changed password.
func TestReferenceHashVerifies(t *testing.T) {
	stored, err := os.ReadFile("testdata/node-password-hash")
	if err != nil {
		t.Fatal(err)
	}
	for pw, want := range map[string]bool{fixturePassword: true, fixturePassword + " ": false, "": false} {
		ok, err := auth.VerifyPassword(string(stored), pw)
		if err != nil || ok != want {
			t.Errorf("VerifyPassword(%q) = %v, %v; want %v", pw, ok, err, want)
		}
	}
}

// TestOurHashVerifiesInNode runs the reference's algorithm on a hash we
// wrote, so a downgrade (or a shared data dir) keeps working too.
func TestOurHashVerifiesInNode(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node not found on PATH: this test checks compatibility with the reference's Node scrypt")
	}
	hash, err := auth.HashPassword("pässwörd with spaces")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^scrypt\$16384\$8\$1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{86}==$`).MatchString(hash) {
		t.Fatalf("hash not in the reference format: %s", hash)
	}
	for pw, want := range map[string]string{"pässwörd with spaces": "true", "password with spaces": "false"} {
		out, err := exec.Command(node, "testdata/scrypt-node.mjs", "verify", hash, pw).CombinedOutput()
		if err != nil {
			t.Fatalf("node: %v\n%s", err, out)
		}
		if got := strings.TrimSpace(string(out)); got != want {
			t.Errorf("node verify(%q) = %s, want %s", pw, got, want)
		}
	}
}

func TestVerifyHonoursStoredParameters(t *testing.T) {
	// N=1024 r=4 p=2, 32-byte key: produced with crypto.scryptSync in Node.
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node not found on PATH")
	}
	script := `const c=require("node:crypto");const s=Buffer.from("0123456789abcdef");` +
		`process.stdout.write("scrypt$1024$4$2$"+s.toString("base64")+"$"+c.scryptSync("pw",s,32,{N:1024,r:4,p:2}).toString("base64"))`
	out, err := exec.Command(node, "-e", script).Output()
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := auth.VerifyPassword(string(out), "pw"); !ok || err != nil {
		t.Fatalf("custom parameters: %v %v (%s)", ok, err, out)
	}
}

func TestMalformedHashesAreErrorsNotMatches(t *testing.T) {
	for _, stored := range []string{
		"",
		"plaintext",
		"bcrypt$16384$8$1$c2FsdA==$aGFzaA==",
		"scrypt$16384$8$1$c2FsdA==",
		"scrypt$abc$8$1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA==",
		"scrypt$1000$8$1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA==",     // N not a power of two
		"scrypt$1048576$64$1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA==", // 8 GiB of memory
		"scrypt$16384$8$1$!!!$aGFzaGhhc2hoYXNoaGFzaA==",
		"scrypt$16384$8$1$c2FsdHNhbHRzYWx0$aA==", // key too short to mean anything
	} {
		if ok, err := auth.VerifyPassword(stored, ""); ok || err == nil {
			t.Errorf("VerifyPassword(%q) = %v, %v; want an error", stored, ok, err)
		}
	}
}
