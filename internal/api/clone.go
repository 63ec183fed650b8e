package api

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/pi-forge/pi-forge/internal/gitx"
	"github.com/pi-forge/pi-forge/internal/projects"
	"github.com/pi-forge/pi-forge/internal/server"
	"github.com/pi-forge/pi-forge/internal/workspace"
)

// Clone is what POST /projects/clone needs.
type Clone struct {
	Projects      *projects.Store
	Workspace     *workspace.FS
	WorkspacePath string // WORKSPACE_PATH: parent and target must lie inside it
	Git           *gitx.Git
	Closing       <-chan struct{} // server shutdown: a clone in flight is aborted
	Heartbeat     time.Duration   // default CloneHeartbeat
}

// Clone stream framing: the reference's heartbeat cadence and padding.
const (
	CloneHeartbeat    = 20 * time.Second
	clonePadSize      = 2048
	cloneWriteTimeout = 30 * time.Second
)

// CloneBody is POST /projects/clone.
type CloneBody struct {
	URL         string `json:"url" minLength:"1" maxLength:"4096" doc:"https:// or file://"`
	ParentPath  string `json:"parentPath" minLength:"1" doc:"existing folder inside WORKSPACE_PATH"`
	FolderName  string `json:"folderName" minLength:"1" maxLength:"100" doc:"one path segment"`
	ProjectName string `json:"projectName" minLength:"1" maxLength:"200"`
	Branch      string `json:"branch,omitempty" maxLength:"250"`
	Token       string `json:"token,omitempty" maxLength:"4096" doc:"sent to git as x-access-token; never stored"`
	InsecureTLS bool   `json:"insecureTls,omitempty" doc:"skip TLS verification for this clone and origin's URL"`
}

// ProjectCreatedEvent ends a successful clone stream.
type ProjectCreatedEvent struct {
	Type    string           `json:"type"`
	Project projects.Project `json:"project"`
}

// RegisterClone mounts POST /projects/clone, a git clone reported as an
// SSE stream.
func RegisterClone(api huma.API, d Clone) {
	op := server.Op(http.MethodPost, "/projects/clone", "cloneProject", "Clone a repository into the workspace and register it", "Projects")
	op.MaxBodyBytes = 64 << 10
	op.Description = "text/event-stream of data:{type} frames: started{cloneUrlForDisplay}, progress{phase,percent,raw}, " +
		"stderr{line}, then done{target} and project_created{project}, or error{code?,message}. A padded heartbeat " +
		"comment every 20 s. Closing the connection aborts the clone and removes what it wrote. " +
		"Problems found before cloning are ordinary JSON errors."
	op.Responses = map[string]*huma.Response{"200": {Description: "clone progress", Content: map[string]*huma.MediaType{"text/event-stream": {}}}}
	huma.Register(api, op, func(ctx context.Context, in *struct{ Body CloneBody }) (*huma.StreamResponse, error) {
		b := in.Body
		if _, err := gitx.ParseCloneURL(b.URL); err != nil {
			return nil, apiFailure(err)
		}
		name := strings.TrimSpace(b.ProjectName)
		if name == "" {
			return nil, server.Errorf(http.StatusBadRequest, "invalid_name", "project name must not be blank")
		}
		ws, err := d.Workspace.Root(d.WorkspacePath)
		if err != nil {
			return nil, apiFailure(err)
		}
		target, err := ws.CloneTarget(b.ParentPath, b.FolderName)
		if err != nil {
			return nil, apiFailure(err)
		}
		opts := gitx.CloneOptions{URL: b.URL, Target: target, Branch: b.Branch, Token: b.Token, InsecureTLS: b.InsecureTLS}
		return server.Stream(func(w http.ResponseWriter, r *http.Request) {
			d.stream(w, r, ws, opts, name)
		}), nil
	})
}

// stream runs the clone and writes its events; this goroutine is the only
// writer, the clone runs in its own and hands events over.
func (d Clone) stream(w http.ResponseWriter, r *http.Request, ws *workspace.Root, opts gitx.CloneOptions, name string) {
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	sw := newCloneWriter(w)
	events := make(chan gitx.CloneEvent)
	result := make(chan error, 1)
	go func() {
		result <- d.Git.Clone(ctx, opts, func(ev gitx.CloneEvent) {
			select {
			case events <- ev:
			case <-ctx.Done():
			}
		})
	}()
	beat := d.Heartbeat
	if beat <= 0 {
		beat = CloneHeartbeat
	}
	ticker := time.NewTicker(beat)
	defer ticker.Stop()
	for {
		select {
		case ev := <-events:
			if !sw.event(ev) {
				cancel()
			} else if ev.Type == "started" && !sw.pad("pad-flush") {
				cancel()
			}
		case <-ticker.C:
			if !sw.pad("heartbeat") {
				cancel()
			}
		case <-d.Closing:
			cancel()
			d.Closing = nil // the clone's own result ends the loop
		case err := <-result:
			if err != nil {
				sw.event(gitx.ErrorEvent(err))
				return
			}
			d.finish(sw, ws, opts.Target, name)
			return
		}
	}
}

// finish registers the cloned folder as a project.
func (d Clone) finish(sw *cloneWriter, ws *workspace.Root, target, name string) {
	if err := ws.Handoff(target); err != nil {
		sw.event(gitx.CloneEvent{Type: "error", Code: "project_create_failed", Message: "the clone's ownership could not be handed over"})
		return
	}
	if !sw.event(gitx.DoneEvent(target)) {
		return
	}
	p, err := d.Projects.Create(name, target)
	if err != nil {
		ev := gitx.CloneEvent{Type: "error", Code: "project_create_failed", Message: "the repository was cloned but could not be registered as a project"}
		if pe, ok := projectError(err).(*server.Error); ok {
			ev.Code, ev.Message = pe.Code, pe.Message
		}
		sw.event(ev)
		return
	}
	sw.event(ProjectCreatedEvent{Type: "project_created", Project: p})
}

// cloneWriter writes SSE frames with a per-write deadline; the first
// failed write marks the client gone.
type cloneWriter struct {
	w    http.ResponseWriter
	rc   *http.ResponseController
	gone bool
}

func newCloneWriter(w http.ResponseWriter) *cloneWriter {
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Time{})
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache, no-transform")
	h.Set("Connection", "keep-alive")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	cw := &cloneWriter{w: w, rc: rc}
	cw.flush()
	return cw
}

func (c *cloneWriter) event(v any) bool {
	data, err := json.Marshal(v)
	if err != nil {
		return false
	}
	return c.write(append(append([]byte("data: "), data...), '\n', '\n'))
}

// pad writes a comment padded to 2 KiB so buffering proxies pass the
// stream on at once.
func (c *cloneWriter) pad(label string) bool {
	b := make([]byte, 0, clonePadSize)
	b = append(b, ": "+label+" "...)
	for len(b) < clonePadSize-2 {
		b = append(b, '_')
	}
	return c.write(append(b, '\n', '\n'))
}

func (c *cloneWriter) write(b []byte) bool {
	if c.gone {
		return false
	}
	_ = c.rc.SetWriteDeadline(time.Now().Add(cloneWriteTimeout))
	if _, err := c.w.Write(b); err != nil {
		c.gone = true
		return false
	}
	return c.flush()
}

func (c *cloneWriter) flush() bool {
	if err := c.rc.Flush(); err != nil {
		c.gone = true
	}
	return !c.gone
}
