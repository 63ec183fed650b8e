package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// value parses one option's text into its Config field.
type value struct {
	kind string
	set  func(c *Config, s string) error
	// bounded values fall back to the default when out of range instead of
	// failing start-up, as the reference does.
	bounded bool
}

var errOutOfRange = errors.New("out of range")

func itoa(n int) string { return strconv.Itoa(n) }

func joinHostPort(host string, port int) string { return net.JoinHostPort(host, itoa(port)) }

func strValue(field func(*Config) *string) value {
	return value{kind: "string", set: func(c *Config, s string) error { *field(c) = s; return nil }}
}

// pathValue stores the text as given; Parse expands ~ and makes it absolute.
func pathValue(field func(*Config) *string) value {
	v := strValue(field)
	v.kind = "path"
	return v
}

// ParseBool accepts the spellings the reference accepts.
func ParseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "true", "yes", "on":
		return true, nil
	case "0", "false", "no", "off":
		return false, nil
	}
	return false, fmt.Errorf("%q is not a boolean (use true/false, on/off, yes/no, 1/0)", s)
}

func boolValue(field func(*Config) *bool) value {
	return value{kind: "bool", set: func(c *Config, s string) error {
		b, err := ParseBool(s)
		*field(c) = b
		return err
	}}
}

func parseNonNegative(s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%q is not a non-negative integer", s)
	}
	return n, nil
}

func intValue(field func(*Config) *int) value {
	return value{kind: "int", set: func(c *Config, s string) error {
		n, err := parseNonNegative(s)
		*field(c) = n
		return err
	}}
}

func portValue(field func(*Config) *int) value {
	return value{kind: "port", set: func(c *Config, s string) error {
		n, err := parseNonNegative(s)
		if err == nil && n > 65535 {
			err = fmt.Errorf("%d is not a TCP port (0..65535)", n)
		}
		*field(c) = n
		return err
	}}
}

// optIntValue is an integer that may be unset (-1).
func optIntValue(field func(*Config) *int) value {
	return value{kind: "int", set: func(c *Config, s string) error {
		if s == "" {
			*field(c) = -1
			return nil
		}
		n, err := parseNonNegative(s)
		*field(c) = n
		return err
	}}
}

func boundedIntValue(field func(*Config) *int, lo, hi int) value {
	return value{kind: "int", bounded: true, set: func(c *Config, s string) error {
		n, err := parseNonNegative(s)
		if err != nil {
			return err
		}
		if n < lo || n > hi {
			return errOutOfRange
		}
		*field(c) = n
		return nil
	}}
}

func durationValue(kind string, unit time.Duration, field func(*Config) *time.Duration) value {
	return value{kind: kind, set: func(c *Config, s string) error {
		n, err := parseNonNegative(s)
		*field(c) = time.Duration(n) * unit
		return err
	}}
}

func millisValue(field func(*Config) *time.Duration) value {
	return durationValue("ms", time.Millisecond, field)
}

func secondsValue(field func(*Config) *time.Duration) value {
	return durationValue("seconds", time.Second, field)
}

func boundedMillisValue(field func(*Config) *time.Duration, lo, hi time.Duration) value {
	return value{kind: "ms", bounded: true, set: func(c *Config, s string) error {
		n, err := parseNonNegative(s)
		if err != nil {
			return err
		}
		d := time.Duration(n) * time.Millisecond
		if d < lo || d > hi {
			return errOutOfRange
		}
		*field(c) = d
		return nil
	}}
}

func enumValue(field func(*Config) *string, allowed ...string) value {
	return value{kind: strings.Join(allowed, "|"), set: func(c *Config, s string) error {
		s = strings.ToLower(strings.TrimSpace(s))
		for _, a := range allowed {
			if s == a {
				*field(c) = s
				return nil
			}
		}
		return fmt.Errorf("%q is not one of %s", s, strings.Join(allowed, ", "))
	}}
}

// SplitList splits a comma- or whitespace-separated list, dropping blanks.
func SplitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' || r == '\r' })
}

func listValue(field func(*Config) *[]string) value {
	return value{kind: "list", set: func(c *Config, s string) error { *field(c) = SplitList(s); return nil }}
}

func checkURL(s string, schemes ...string) error {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return fmt.Errorf("%q is not an absolute URL", s)
	}
	for _, sc := range schemes {
		if u.Scheme == sc {
			return nil
		}
	}
	return fmt.Errorf("%q must use %s", s, strings.Join(schemes, " or "))
}

func urlValue(field func(*Config) *string) value {
	return value{kind: "url", set: func(c *Config, s string) error {
		if s != "" {
			if err := checkURL(s, "http", "https"); err != nil {
				return err
			}
		}
		*field(c) = s
		return nil
	}}
}

func ldapURLValue(field func(*Config) *string) value {
	return value{kind: "url", set: func(c *Config, s string) error {
		if s != "" {
			if err := checkURL(s, "ldap", "ldaps"); err != nil {
				return err
			}
		}
		*field(c) = s
		return nil
	}}
}

var usernamePattern = regexp.MustCompile(`^[A-Za-z0-9._@-]{1,256}$`)

func usernameValue(field func(*Config) *string) value {
	return value{kind: "string", set: func(c *Config, s string) error {
		if !usernamePattern.MatchString(s) {
			return fmt.Errorf("%q must be 1-256 characters of A-Z a-z 0-9 . _ @ -", s)
		}
		*field(c) = s
		return nil
	}}
}

// bannerValue turns the literal two-character escapes \n and \r into line
// breaks, because env files cannot hold real newlines.
func bannerValue(field func(*Config) *string) value {
	return value{kind: "string", set: func(c *Config, s string) error {
		s = strings.ReplaceAll(s, `\r\n`, "\n")
		s = strings.ReplaceAll(s, `\n`, "\n")
		s = strings.ReplaceAll(s, `\r`, "\n")
		*field(c) = s
		return nil
	}}
}

var hexColor = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

func colorSchemeValue(field func(*Config) *[]string) value {
	return value{kind: "colors", set: func(c *Config, s string) error {
		if strings.TrimSpace(s) == "" {
			*field(c) = nil
			return nil
		}
		parts := strings.Split(s, ",")
		if len(parts) != 8 {
			return fmt.Errorf("needs 8 comma-separated colours, got %d", len(parts))
		}
		for i, p := range parts {
			p = strings.TrimSpace(p)
			if !hexColor.MatchString(p) {
				return fmt.Errorf("colour %d (%q) is not #rrggbb", i+1, p)
			}
			parts[i] = strings.ToLower(p)
		}
		*field(c) = parts
		return nil
	}}
}
