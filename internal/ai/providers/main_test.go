package providers_test

import (
	"testing"

	"go.uber.org/goleak"
)

// Streams own no goroutines: every request ends with its body closed.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
