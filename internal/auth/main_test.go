package auth_test

import (
	"testing"

	"go.uber.org/goleak"
)

// LDAP connections run reader goroutines; every login must close its
// connection.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
