package promptinput

import (
	"testing"

	"go.uber.org/goleak"
)

// Every conversion goroutine must be gone when the tests end.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
