package apitest

import (
	"net/http"
	"sync"
	"time"
)

// Login posts the password (and username, if not "") to /auth/login,
// fails the test unless it answers 200, and returns the token. It does not
// set e.Token.
func (e *Env) Login(username, password string) string {
	e.T.Helper()
	body := map[string]string{"password": password}
	if username != "" {
		body["username"] = username
	}
	r := e.Expect(http.StatusOK, "POST", "/api/v1/auth/login", body)
	var out struct{ Token string }
	r.JSON(e.T, &out)
	if out.Token == "" {
		e.T.Fatalf("login returned no token: %s", r.Body)
	}
	return out.Token
}

// Bearer is the header argument for Do and Expect that sends token.
func Bearer(token string) string { return "Authorization: Bearer " + token }

// Clock is a settable time source for lockout and timeout tests, so they
// advance time instead of sleeping. Install it with
// e.App.Auth.SetClock(clock.Now).
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock starts a clock at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}
