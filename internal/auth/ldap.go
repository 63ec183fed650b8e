package auth

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/go-ldap/ldap/v3"
)

// LDAPOptions configure LDAP logins (LDAP_* options).
type LDAPOptions struct {
	Enabled               bool
	URL                   string // ldap://host:port or ldaps://host:port
	BindDN                string // service account; "" searches anonymously
	BindPassword          string
	BaseDN                string
	UserFilter            string // {{username}} is replaced by the RFC 4515-escaped name
	RequiredGroupDN       string // "" = any user found may log in
	GroupAttribute        string // user attribute listing group DNs (memberOf)
	Timeout               time.Duration
	TLSRejectUnauthorized bool
}

// complete reports what an enabled LDAP setup lacks.
func (o LDAPOptions) complete() error {
	var missing []string
	if o.URL == "" {
		missing = append(missing, "LDAP_URL")
	}
	if o.BaseDN == "" {
		missing = append(missing, "LDAP_BASE_DN")
	}
	if !strings.Contains(o.UserFilter, "{{username}}") {
		missing = append(missing, "LDAP_USER_FILTER with {{username}}")
	}
	if o.BindDN != "" && o.BindPassword == "" {
		missing = append(missing, "LDAP_BIND_PASSWORD")
	}
	if len(missing) > 0 {
		return fmt.Errorf("lacks %s", strings.Join(missing, ", "))
	}
	return nil
}

// ldapLogin runs the reference's flow: service bind, find exactly one user
// with the filter under the base DN, check the required group, then bind
// as that user with the password. ok is false for wrong credentials, an
// unknown or ambiguous user and a user outside the group; err is for a
// directory that cannot be reached or refuses the service account.
func (s *Service) ldapLogin(ctx context.Context, username, password string) (ok bool, err error) {
	o := s.opts.LDAP
	if password == "" {
		return false, nil // an empty password would be an unauthenticated bind, which succeeds
	}
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	conn, err := ldap.DialURL(o.URL,
		ldap.DialWithDialer(&net.Dialer{Timeout: timeout}),
		ldap.DialWithTLSConfig(&tls.Config{InsecureSkipVerify: !o.TLSRejectUnauthorized, MinVersion: tls.VersionTLS12}), // LDAP_TLS_REJECT_UNAUTHORIZED=false is the operator's explicit choice
	)
	if err != nil {
		return false, fmt.Errorf("ldap dial: %w", err)
	}
	defer conn.Close()
	conn.SetTimeout(timeout)
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()

	if o.BindDN != "" {
		if err := conn.Bind(o.BindDN, o.BindPassword); err != nil {
			return false, fmt.Errorf("ldap service bind: %w", err)
		}
	}
	userDN, groups, err := s.findUser(conn, username)
	if err != nil || userDN == "" {
		return false, err
	}
	if o.RequiredGroupDN != "" && !memberOf(groups, o.RequiredGroupDN) {
		s.log.Info("ldap login refused: user not in the required group", "user", strings.ToLower(username))
		return false, nil
	}
	if err := conn.Bind(userDN, password); err != nil {
		if ldap.IsErrorWithCode(err, ldap.LDAPResultInvalidCredentials) {
			return false, nil
		}
		return false, fmt.Errorf("ldap user bind: %w", err)
	}
	return true, nil
}

// findUser returns the DN and group attribute values of the one entry the
// filter matches; "" when none or several match.
func (s *Service) findUser(conn *ldap.Conn, username string) (string, []string, error) {
	o := s.opts.LDAP
	filter := strings.ReplaceAll(o.UserFilter, "{{username}}", ldap.EscapeFilter(username))
	attrs := []string{"dn"}
	if o.GroupAttribute != "" {
		attrs = append(attrs, o.GroupAttribute)
	}
	timeLimit := int(o.Timeout / time.Second)
	req := ldap.NewSearchRequest(o.BaseDN, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 2, timeLimit, false, filter, attrs, nil)
	res, err := conn.Search(req)
	if ldap.IsErrorWithCode(err, ldap.LDAPResultSizeLimitExceeded) {
		return "", nil, nil // more than one match: ambiguous, refuse
	}
	var lerr *ldap.Error
	if errors.As(err, &lerr) && lerr.ResultCode == ldap.LDAPResultNoSuchObject {
		return "", nil, nil
	}
	if err != nil {
		return "", nil, fmt.Errorf("ldap search: %w", err)
	}
	if len(res.Entries) != 1 {
		return "", nil, nil
	}
	e := res.Entries[0]
	return e.DN, e.GetAttributeValues(o.GroupAttribute), nil
}

// memberOf compares DNs as DNs (case and spacing do not matter).
func memberOf(groups []string, want string) bool {
	wantDN, err := ldap.ParseDN(want)
	for _, g := range groups {
		if err != nil {
			if strings.EqualFold(strings.TrimSpace(g), strings.TrimSpace(want)) {
				return true
			}
			continue
		}
		if dn, perr := ldap.ParseDN(g); perr == nil && dn.EqualFold(wantDN) {
			return true
		}
	}
	return false
}
