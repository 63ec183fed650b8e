package api

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"

	"github.com/danielgtaylor/huma/v2"

	"github.com/pi-forge/pi-forge/internal/server"
	"github.com/pi-forge/pi-forge/internal/tools/process"
)

// ProcessInfo describes one background process (process.Info, named for
// the OpenAPI document).
type ProcessInfo process.Info

// ProcessOutput is a process's in-memory tail.
type ProcessOutput process.Output

// ProcessList is GET /sessions/{id}/processes, newest first.
type ProcessList struct {
	Processes []ProcessInfo `json:"processes"`
}

// ProcessOK is the answer of kill and stdin: ok, or why not.
type ProcessOK struct {
	OK     bool   `json:"ok"`
	Reason string `json:"reason,omitempty" enum:"timeout,error,process_exited,stdin_closed,write_error"`
}

// ProcessesCleared is DELETE /sessions/{id}/processes.
type ProcessesCleared struct {
	Cleared int `json:"cleared"`
}

// StdinBody is POST .../stdin.
type StdinBody struct {
	Input string `json:"input" doc:"bytes for the process's stdin"`
	End   bool   `json:"end,omitempty" doc:"close stdin afterwards"`
}

type processPath struct {
	ID        string `path:"id" doc:"session id"`
	ProcessID string `path:"processId" doc:"process id (8 hex characters)"`
}

var errProcessNotFound = server.NewError(http.StatusNotFound, "process_not_found")

func registerProcesses(api huma.API, d SessionToolsDeps) {
	const tag = "Processes"
	// manager returns the session's manager (nil when it has none).
	manager := func(id string) (*process.Manager, error) {
		s, err := d.live(id)
		if err != nil {
			return nil, err
		}
		return d.Tools.Processes(s), nil
	}
	huma.Register(api, toolOp(http.MethodGet, "/sessions/{id}/processes", "listProcesses", "The session's background processes, newest first", tag),
		func(ctx context.Context, in *sessionID) (*struct{ Body ProcessList }, error) {
			m, err := manager(in.ID)
			if err != nil {
				return nil, err
			}
			out := ProcessList{Processes: []ProcessInfo{}}
			if m != nil {
				for _, p := range m.List() {
					out.Processes = append(out.Processes, ProcessInfo(p))
				}
			}
			return &struct{ Body ProcessList }{Body: out}, nil
		})
	huma.Register(api, toolOp(http.MethodGet, "/sessions/{id}/processes/{processId}/output", "processOutput", "The last lines of a process's stdout and stderr (in memory)", tag),
		func(ctx context.Context, in *struct {
			ID        string `path:"id" doc:"session id"`
			ProcessID string `path:"processId" doc:"process id (8 hex characters)"`
			Tail      int    `query:"tail" default:"200" minimum:"0" maximum:"100000" doc:"lines per stream"`
			Stream    string `query:"stream" doc:"ignored (both streams are returned), as the reference"`
		}) (*struct{ Body ProcessOutput }, error) {
			m, err := manager(in.ID)
			if err != nil {
				return nil, err
			}
			if m == nil {
				return nil, errProcessNotFound
			}
			out, err := m.Output(in.ProcessID, in.Tail)
			if err != nil {
				return nil, errProcessNotFound
			}
			return &struct{ Body ProcessOutput }{Body: ProcessOutput(out)}, nil
		})
	logOp := toolOp(http.MethodGet, "/sessions/{id}/processes/{processId}/logs/file", "processLogFile", "A process's whole log file (text/plain; empty before the first byte)", tag)
	logOp.Responses = map[string]*huma.Response{"200": {Description: "the log, the rotated part first", Content: map[string]*huma.MediaType{"text/plain": {}}}}
	huma.Register(api, logOp,
		func(ctx context.Context, in *struct {
			ID        string `path:"id" doc:"session id"`
			ProcessID string `path:"processId" doc:"process id (8 hex characters)"`
			Stream    string `query:"stream" default:"stdout" enum:"stdout,stderr"`
		}) (*huma.StreamResponse, error) {
			m, err := manager(in.ID)
			if err != nil {
				return nil, err
			}
			if m == nil {
				return nil, errProcessNotFound
			}
			info, ok := m.Get(in.ProcessID)
			if !ok {
				return nil, errProcessNotFound
			}
			path := info.StdoutFile
			if in.Stream == process.Stderr {
				path = info.StderrFile
			}
			return server.Stream(func(w http.ResponseWriter, r *http.Request) { streamLog(w, path) }), nil
		})
	huma.Register(api, toolOp(http.MethodPost, "/sessions/{id}/processes/{processId}/kill", "killProcess", "SIGTERM a process's tree, SIGKILL after 5 s; answers once the signal is sent", tag),
		func(ctx context.Context, in *processPath) (*struct{ Body ProcessOK }, error) {
			m, err := manager(in.ID)
			if err != nil {
				return nil, err
			}
			if m == nil {
				return nil, errProcessNotFound
			}
			if _, err := m.Kill(in.ProcessID); err != nil {
				return nil, errProcessNotFound
			}
			return &struct{ Body ProcessOK }{Body: ProcessOK{OK: true}}, nil
		})
	huma.Register(api, toolOp(http.MethodDelete, "/sessions/{id}/processes", "clearProcesses", "Forget the finished processes", tag),
		func(ctx context.Context, in *sessionID) (*struct{ Body ProcessesCleared }, error) {
			m, err := manager(in.ID)
			if err != nil {
				return nil, err
			}
			n := 0
			if m != nil {
				n = m.Clear()
			}
			return &struct{ Body ProcessesCleared }{Body: ProcessesCleared{Cleared: n}}, nil
		})
	huma.Register(api, toolOp(http.MethodPost, "/sessions/{id}/processes/{processId}/stdin", "writeProcessStdin", "Write to a process's stdin", tag),
		func(ctx context.Context, in *struct {
			ID        string `path:"id" doc:"session id"`
			ProcessID string `path:"processId" doc:"process id (8 hex characters)"`
			Body      StdinBody
		}) (*struct{ Body ProcessOK }, error) {
			m, err := manager(in.ID)
			if err != nil {
				return nil, err
			}
			if m == nil {
				return nil, errProcessNotFound
			}
			return stdinAnswer(m.Write(in.ProcessID, in.Body.Input, in.Body.End))
		})
}

func stdinAnswer(err error) (*struct{ Body ProcessOK }, error) {
	out := &struct{ Body ProcessOK }{Body: ProcessOK{OK: err == nil}}
	switch {
	case err == nil:
	case errors.Is(err, process.ErrNotFound):
		return nil, errProcessNotFound
	case errors.Is(err, process.ErrExited):
		out.Body.Reason = process.ErrExited.Error()
	case errors.Is(err, process.ErrStdinClosed):
		out.Body.Reason = process.ErrStdinClosed.Error()
	default:
		out.Body.Reason = process.ErrWrite.Error()
	}
	return out, nil
}

// streamLog writes a log file, its rotated part (<file>.1) first; missing
// files count as empty.
func streamLog(w http.ResponseWriter, path string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	for _, p := range []string{path + ".1", path} {
		f, err := os.Open(p)
		if err != nil {
			continue
		}
		_, _ = io.Copy(w, f)
		f.Close()
	}
}
