package auth_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/pi-forge/pi-forge/internal/auth"
	"github.com/pi-forge/pi-forge/internal/auth/ldaptest"
	"github.com/pi-forge/pi-forge/internal/server"
)

func ldapOptions(t *testing.T, srv *ldaptest.Server) auth.Options {
	return auth.Options{
		DataDir:               t.TempDir(),
		UIPassword:            "local-admin-pass",
		RequirePasswordChange: true, // must never apply to LDAP logins
		LockoutMax:            3,
		LockoutDuration:       time.Minute,
		LDAP: auth.LDAPOptions{
			Enabled:               true,
			URL:                   srv.URL,
			BindDN:                ldaptest.ServiceDN,
			BindPassword:          ldaptest.ServicePass,
			BaseDN:                ldaptest.BaseDN,
			UserFilter:            "(|(uid={{username}})(sAMAccountName={{username}})(mail={{username}}))",
			RequiredGroupDN:       ldaptest.GroupDN,
			GroupAttribute:        "memberOf",
			Timeout:               5 * time.Second,
			TLSRejectUnauthorized: true,
		},
	}
}

// errCode is the stable code of a login error ("" for success).
func errCode(t *testing.T, err error) string {
	t.Helper()
	if err == nil {
		return ""
	}
	var e *server.Error
	if !errors.As(err, &e) {
		t.Fatalf("not an API error: %v", err)
	}
	return e.Code
}

func TestLDAPLoginAgainstSlapd(t *testing.T) {
	srv := ldaptest.Start(t, false)
	svc, err := auth.New(ldapOptions(t, srv))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, user, pass, want string
	}{
		{"member", "alice", ldaptest.Users["alice"], ""},
		{"uid matches case-insensitively", "ALICE", ldaptest.Users["alice"], ""},
		{"by mail with the default filter", "alice@example.org", ldaptest.Users["alice"], ""},
		{"password with filter metacharacters", "bob", ldaptest.Users["bob"], ""},
		{"wrong password", "alice", "nope", "invalid_password"},
		{"outside the required group", "carol", ldaptest.Users["carol"], "invalid_password"},
		{"unknown user", "mallory", "whatever", "invalid_password"},
		{"ambiguous filter match", "shared@example.org", ldaptest.Users["dave"], "invalid_password"},
		{"wildcard is escaped", "alic*", ldaptest.Users["alice"], "invalid_password"},
		{"filter injection is escaped", "alice)(mail=alice@example.org", ldaptest.Users["alice"], "invalid_password"},
		{"admin name uses the local password", "Admin", "local-admin-pass", ""},
		{"no username uses the local password", "", "local-admin-pass", ""},
		{"admin name is not looked up in LDAP", "admin", ldaptest.Users["alice"], "invalid_password"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tok, err := svc.Login(context.Background(), tc.user, tc.pass)
			if got := errCode(t, err); got != tc.want {
				t.Fatalf("Login(%q) = %q, want %q", tc.user, got, tc.want)
			}
			if err == nil {
				wantScoped := tc.user == "" || tc.user == "Admin" // env password + REQUIRE_PASSWORD_CHANGE
				if tok.Token == "" || tok.MustChangePassword != wantScoped {
					t.Fatalf("token %+v, want mustChangePassword=%v", tok, wantScoped)
				}
			}
		})
	}
}

func TestLDAPWithoutRequiredGroupAdmitsEveryUser(t *testing.T) {
	srv := ldaptest.Start(t, false)
	opts := ldapOptions(t, srv)
	opts.LDAP.RequiredGroupDN = ""
	svc, err := auth.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Login(context.Background(), "carol", ldaptest.Users["carol"]); err != nil {
		t.Fatalf("carol: %v", err)
	}
}

func TestLDAPLockoutIsPerUsername(t *testing.T) {
	srv := ldaptest.Start(t, false)
	svc, err := auth.New(ldapOptions(t, srv))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		if code := errCode(t, must(svc.Login(ctx, "alice", "wrong"))); code != "invalid_password" {
			t.Fatalf("attempt %d: %s", i, code)
		}
	}
	if code := errCode(t, must(svc.Login(ctx, "ALICE", ldaptest.Users["alice"]))); code != "login_locked" {
		t.Fatalf("locked alice with the right password: %q", code)
	}
	if code := errCode(t, must(svc.Login(ctx, "bob", ldaptest.Users["bob"]))); code != "" {
		t.Fatalf("bob is locked by alice's failures: %q", code)
	}
	if code := errCode(t, must(svc.Login(ctx, "", "local-admin-pass"))); code != "" {
		t.Fatalf("the local admin is locked by alice's failures: %q", code)
	}
}

func must(_ auth.Token, err error) error { return err }

func TestLDAPMisconfigurationAndOutages(t *testing.T) {
	srv := ldaptest.Start(t, false)
	cases := []struct {
		name   string
		change func(*auth.Options)
		want   string
	}{
		{"no base DN", func(o *auth.Options) { o.LDAP.BaseDN = "" }, "ldap_not_configured"},
		{"no URL", func(o *auth.Options) { o.LDAP.URL = "" }, "ldap_not_configured"},
		{"filter without placeholder", func(o *auth.Options) { o.LDAP.UserFilter = "(uid=alice)" }, "ldap_not_configured"},
		{"wrong service password", func(o *auth.Options) { o.LDAP.BindPassword = "wrong" }, "ldap_unavailable"},
		{"server down", func(o *auth.Options) { o.LDAP.URL = "ldap://127.0.0.1:1" }, "ldap_unavailable"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			opts := ldapOptions(t, srv)
			tc.change(&opts)
			svc, err := auth.New(opts)
			if err != nil {
				t.Fatal(err)
			}
			if code := errCode(t, must(svc.Login(context.Background(), "alice", ldaptest.Users["alice"]))); code != tc.want {
				t.Fatalf("got %q, want %q", code, tc.want)
			}
			// Neither counts as a failed attempt: the directory, not the
			// user, is at fault.
			for i := 0; i < 3; i++ {
				_ = must(svc.Login(context.Background(), "alice", ldaptest.Users["alice"]))
			}
			if code := errCode(t, must(svc.Login(context.Background(), "alice", ldaptest.Users["alice"]))); code == "login_locked" {
				t.Fatal("an unusable directory locked the user out")
			}
		})
	}
}

func TestLDAPSVerifiesTheCertificateUnlessTold(t *testing.T) {
	srv := ldaptest.Start(t, true)
	for _, reject := range []bool{true, false} {
		opts := ldapOptions(t, srv)
		opts.LDAP.TLSRejectUnauthorized = reject
		svc, err := auth.New(opts)
		if err != nil {
			t.Fatal(err)
		}
		want := ""
		if reject {
			want = "ldap_unavailable" // self-signed: refused
		}
		if code := errCode(t, must(svc.Login(context.Background(), "alice", ldaptest.Users["alice"]))); code != want {
			t.Fatalf("reject=%v: got %q, want %q", reject, code, want)
		}
	}
}
