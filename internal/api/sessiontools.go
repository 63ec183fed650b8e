package api

import (
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/pi-forge/pi-forge/internal/registry"
	"github.com/pi-forge/pi-forge/internal/server"
	"github.com/pi-forge/pi-forge/internal/tools/askuser"
	"github.com/pi-forge/pi-forge/internal/tools/process"
	"github.com/pi-forge/pi-forge/internal/tools/todo"
)

// SessionTools finds the per-session state of pi-forge's own tools. A nil
// answer means the session has none (its toolbox did not add them): reads
// answer empty, actions answer 404.
type SessionTools interface {
	Processes(s *registry.Session) *process.Manager
	Todos(s *registry.Session) *todo.Store
	Questions(s *registry.Session) *askuser.Broker
}

// SessionToolsDeps is what the process, todo and question routes need.
type SessionToolsDeps struct {
	Registry *registry.Registry
	Tools    SessionTools
}

// RegisterSessionTools mounts the routes of the process, todo and
// ask_user_question tools. All of them need a live session (404
// session_not_found otherwise; the stream resumes one).
func RegisterSessionTools(api huma.API, d SessionToolsDeps) {
	registerProcesses(api, d)
	registerTodos(api, d)
	registerAskUser(api, d)
}

// live returns the live session id.
func (d SessionToolsDeps) live(id string) (*registry.Session, error) {
	s, err := d.Registry.Get(id)
	if err != nil {
		return nil, server.NewError(http.StatusNotFound, "session_not_found")
	}
	return s, nil
}

func toolOp(method, path, id, summary, tag string) huma.Operation {
	o := server.Op(method, path, id, summary, tag)
	o.MaxBodyBytes = sessionBodyLimit
	return o
}
