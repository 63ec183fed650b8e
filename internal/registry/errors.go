package registry

import (
	"errors"
	"fmt"
)

// Errors the API maps to status codes.
var (
	ErrSessionNotFound = errors.New("registry: session not found")
	ErrTombstoned      = errors.New("registry: session was just deleted")
	ErrProjectNotFound = errors.New("registry: project not found")
	ErrClosed          = errors.New("registry: shutting down")
	ErrNoModel         = errors.New("registry: no model configured")
	ErrBusy            = errors.New("registry: the agent is already processing")
	ErrUnknownProvider = errors.New("registry: unknown provider")
	ErrUnknownModel    = errors.New("registry: unknown model")
	ErrEntryNotFound   = errors.New("registry: entry not found")
	ErrDeleteFailed    = errors.New("registry: moving the session to the archive failed")
	ErrExecUnavailable = errors.New("registry: no process launcher for exec")
)

// NoAPIKeyError says which provider has no credentials.
type NoAPIKeyError struct{ Provider string }

func (e *NoAPIKeyError) Error() string {
	return fmt.Sprintf("No API key for provider %q. Set one with PUT /api/v1/config/auth/%s.", e.Provider, e.Provider)
}
