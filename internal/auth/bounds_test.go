package auth

import (
	"fmt"
	"testing"
	"time"
)

// TestLockoutTableIsBoundedAndKeepsLocks floods the table with fresh
// usernames (an LDAP guesser can): it stays bounded, and a real lock is
// not released to make room.
func TestLockoutTableIsBoundedAndKeepsLocks(t *testing.T) {
	l := newLockout(2, time.Minute)
	now := time.Unix(1_700_000_000, 0)
	l.fail("victim", now)
	l.fail("victim", now)
	for i := 0; i < 3*maxLockoutKeys; i++ {
		l.fail(fmt.Sprintf("guess-%d", i), now)
	}
	if n := len(l.entries); n > maxLockoutKeys {
		t.Fatalf("%d entries, bound %d", n, maxLockoutKeys)
	}
	if l.lockedUntil("victim", now).IsZero() {
		t.Fatal("the flood released a live lock")
	}
	if !l.lockedUntil("victim", now.Add(time.Minute)).IsZero() {
		t.Fatal("lock outlived its window")
	}
}

func TestActivityMapIsBounded(t *testing.T) {
	a := newActivity(time.Hour)
	now := time.Unix(1_700_000_000, 0)
	for i := 0; i < 2*maxTrackedTokens; i++ {
		if !a.touch(fmt.Sprintf("token-%d", i), now, now.Add(time.Duration(i)*time.Millisecond), true) {
			t.Fatal("fresh token refused")
		}
	}
	if n := a.size(); n > maxTrackedTokens {
		t.Fatalf("%d entries, bound %d", n, maxTrackedTokens)
	}
}

func TestBearerGrammar(t *testing.T) {
	for header, want := range map[string]string{
		"Bearer abc":      "abc",
		"bearer abc":      "abc",
		"BEARER \t abc":   "abc",
		"Bearer":          "",
		"Bearer a b":      "",
		"Basic abc":       "",
		" Bearer abc":     "",
		"Bearer abc ":     "",
		"Bearerabc":       "",
		"Bearer abc\nfoo": "",
	} {
		got, ok := bearerToken(header)
		if got != want || ok != (want != "") {
			t.Errorf("bearerToken(%q) = %q, %v; want %q", header, got, ok, want)
		}
	}
}
