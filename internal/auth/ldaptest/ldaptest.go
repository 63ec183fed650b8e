// Package ldaptest runs a real OpenLDAP server (Debian's slapd) on a
// loopback port for LDAP login tests, with a small directory: two people
// in a group (memberOf maintained by the memberof overlay), one outside
// it, two that share an e-mail address, and a read-only service account.
//
// slapd must be installed (apt-get install slapd); the tests fail, not
// skip, without it.
package ldaptest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"
)

// Directory layout and credentials.
const (
	BaseDN       = "dc=example,dc=org"
	PeopleDN     = "ou=people," + BaseDN
	GroupDN      = "cn=forge-users,ou=groups," + BaseDN
	ServiceDN    = "cn=reader," + BaseDN
	ServicePass  = "reader-secret"
	rootDN       = "cn=admin," + BaseDN
	rootPassword = "root-secret"
)

// Users in the directory: uid → password. alice and bob are in GroupDN,
// carol is not; dave and erin share the mail address shared@example.org.
var Users = map[string]string{
	"alice": "alice-pass",
	"bob":   "bob (pass)*",
	"carol": "carol-pass",
	"dave":  "dave-pass",
	"erin":  "erin-pass",
}

// Server is a running slapd.
type Server struct {
	URL string // ldap://127.0.0.1:port or ldaps://127.0.0.1:port
}

// Start runs slapd until the test ends. With tls it listens on ldaps://
// with a self-signed certificate (which a verifying client must refuse).
func Start(t testing.TB, useTLS bool) *Server {
	t.Helper()
	bin := findSlapd(t)
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "db"), 0o700); err != nil {
		t.Fatal(err)
	}
	conf := slapdConf(dir)
	scheme := "ldap"
	if useTLS {
		writeCert(t, dir)
		conf += fmt.Sprintf("TLSCertificateFile %s\nTLSCertificateKeyFile %s\n",
			filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem"))
		scheme = "ldaps"
	}
	confPath := filepath.Join(dir, "slapd.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	url := fmt.Sprintf("%s://127.0.0.1:%d/", scheme, port)
	// -d 0: stay in the foreground (our child, killed by PID at cleanup)
	// without debug output.
	cmd := exec.Command(bin, "-h", url, "-f", confPath, "-d", "0")
	out, err := os.Create(filepath.Join(dir, "slapd.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting slapd: %v", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
		out.Close()
	})
	s := &Server{URL: fmt.Sprintf("%s://127.0.0.1:%d", scheme, port)}
	conn := s.waitReady(t, exited, filepath.Join(dir, "slapd.log"))
	defer conn.Close()
	populate(t, conn)
	return s
}

func findSlapd(t testing.TB) string {
	for _, p := range []string{"/usr/sbin/slapd", "/usr/local/sbin/slapd", "/usr/local/libexec/slapd"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("slapd"); err == nil {
		return p
	}
	t.Fatal("slapd not found: the LDAP tests need OpenLDAP's server (apt-get install slapd)")
	return ""
}

func slapdConf(dir string) string {
	return fmt.Sprintf(`include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload memberof
pidfile %[1]s/slapd.pid
database mdb
maxsize 10485760
suffix "%[2]s"
rootdn "%[3]s"
rootpw %[4]s
directory %[1]s/db
overlay memberof
access to attrs=userPassword by anonymous auth by * none
access to * by users read by * none
`, dir, BaseDN, rootDN, rootPassword)
}

// freePort finds a loopback port that was free a moment ago.
func freePort(t testing.TB) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// waitReady polls until slapd accepts a root bind: there is no readiness
// event to wait for, so poll with a deadline.
func (s *Server) waitReady(t testing.TB, exited <-chan struct{}, logPath string) *ldap.Conn {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		conn, err := Dial(s.URL)
		if err == nil {
			if err = conn.Bind(rootDN, rootPassword); err == nil {
				return conn
			}
			conn.Close()
		}
		select {
		case <-exited:
			log, _ := os.ReadFile(logPath)
			t.Fatalf("slapd exited: %s", log)
		default:
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(logPath)
			t.Fatalf("slapd not ready: %v\n%s", err, log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Dial connects without verifying the test certificate.
func Dial(url string) (*ldap.Conn, error) {
	return ldap.DialURL(url, ldap.DialWithTLSConfig(insecureTLS()))
}

// insecureTLS: the fixture's own connection trusts its self-signed
// certificate; pi-forge's must not, unless told to.
func insecureTLS() *tls.Config { return &tls.Config{InsecureSkipVerify: true} }

func populate(t testing.TB, conn *ldap.Conn) {
	t.Helper()
	add := func(dn string, attrs map[string][]string) {
		req := ldap.NewAddRequest(dn, nil)
		for k, v := range attrs {
			req.Attribute(k, v)
		}
		if err := conn.Add(req); err != nil {
			t.Fatalf("adding %s: %v", dn, err)
		}
	}
	add(BaseDN, map[string][]string{"objectClass": {"dcObject", "organization"}, "dc": {"example"}, "o": {"Example"}})
	add("ou=people,"+BaseDN, map[string][]string{"objectClass": {"organizationalUnit"}, "ou": {"people"}})
	add("ou=groups,"+BaseDN, map[string][]string{"objectClass": {"organizationalUnit"}, "ou": {"groups"}})
	add(ServiceDN, map[string][]string{"objectClass": {"person", "simpleSecurityObject"}, "cn": {"reader"}, "sn": {"reader"},
		"userPassword": {ServicePass}})
	for _, uid := range []string{"alice", "bob", "carol", "dave", "erin"} {
		mail := uid + "@example.org"
		if uid == "dave" || uid == "erin" {
			mail = "shared@example.org"
		}
		add(UserDN(uid), map[string][]string{"objectClass": {"inetOrgPerson"}, "uid": {uid}, "cn": {uid}, "sn": {uid},
			"mail": {mail}, "userPassword": {Users[uid]}})
	}
	add(GroupDN, map[string][]string{"objectClass": {"groupOfNames"}, "cn": {"forge-users"},
		"member": {UserDN("alice"), UserDN("bob")}})
}

// UserDN is the DN of a user in the test directory.
func UserDN(uid string) string { return "uid=" + uid + "," + PeopleDN }

func writeCert(t testing.TB, dir string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name, typ string, b []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: b}), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("cert.pem", "CERTIFICATE", der)
	write("key.pem", "EC PRIVATE KEY", keyDER)
}

// Env returns the LDAP_* settings that point pi-forge at this server.
func (s *Server) Env() map[string]string {
	return map[string]string{
		"LDAP_ENABLED":       "true",
		"LDAP_URL":           s.URL,
		"LDAP_BIND_DN":       ServiceDN,
		"LDAP_BIND_PASSWORD": ServicePass,
		"LDAP_BASE_DN":       BaseDN,
		"LDAP_TIMEOUT_MS":    strconv.Itoa(5000),
	}
}
