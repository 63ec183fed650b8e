package app

import (
	"context"
	"path/filepath"
	"sync"
	"time"

	"github.com/pi-forge/pi-forge/internal/api"
	"github.com/pi-forge/pi-forge/internal/registry"
	"github.com/pi-forge/pi-forge/internal/tools/askuser"
	"github.com/pi-forge/pi-forge/internal/tools/process"
	"github.com/pi-forge/pi-forge/internal/tools/todo"
)

// sessionTools is the per-session state of pi-forge's own tools.
type sessionTools struct {
	processes *process.Manager
	todos     *todo.Store
	questions *askuser.Broker
}

// toolHub finds a live session's tool state for the routes. It is keyed by
// the session itself, so a session resumed while its previous life still
// closes never sees the old state.
type toolHub struct {
	mu sync.Mutex
	m  map[*registry.Session]*sessionTools
}

func newToolHub() *toolHub { return &toolHub{m: map[*registry.Session]*sessionTools{}} }

func (h *toolHub) put(s *registry.Session, st *sessionTools) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.m[s] = st
}

func (h *toolHub) remove(s *registry.Session) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.m, s)
}

func (h *toolHub) get(s *registry.Session) *sessionTools {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.m[s]
}

// Processes implements api.SessionTools.
func (h *toolHub) Processes(s *registry.Session) *process.Manager {
	if st := h.get(s); st != nil {
		return st.processes
	}
	return nil
}

// Todos implements api.SessionTools.
func (h *toolHub) Todos(s *registry.Session) *todo.Store {
	if st := h.get(s); st != nil {
		return st.todos
	}
	return nil
}

// Questions implements api.SessionTools.
func (h *toolHub) Questions(s *registry.Session) *askuser.Broker {
	if st := h.get(s); st != nil {
		return st.questions
	}
	return nil
}

// forgeToolbox adds pi-forge's own tools (ask_user_question, todo,
// process) to what inner prepares, after pi's seven, so the resources
// toolbox filters them by the tool overrides like the others. Their state
// exists for every session, tool enabled or not: the routes and the
// stream's connect-time frames always have a list to show.
type forgeToolbox struct {
	inner registry.Toolbox
	hub   *toolHub
	app   *App
}

// Prepare implements registry.Toolbox.
func (t forgeToolbox) Prepare(ctx context.Context, si registry.SessionInfo) (registry.Workspace, error) {
	ws, err := t.inner.Prepare(ctx, si)
	if err != nil || si.Session == nil {
		return ws, err
	}
	s, cfg := si.Session, t.app.Config
	initial := todo.FromMessages(s.BranchMessages())
	st := &sessionTools{
		todos: todo.NewStore(initial, func(state todo.State) {
			_ = s.PublishKept(todo.FrameKey, todo.UpdateEvent(si.SessionID, state))
		}),
		processes: process.New(process.Options{
			SessionID: si.SessionID, Cwd: si.Cwd, Launcher: t.app.Launcher, Host: s, MinimalUI: cfg.MinimalUI,
			LogDir: filepath.Join(cfg.ForgeDataDir, "processes", si.SessionID), Logger: t.app.Log,
		}),
		questions: askuser.NewBroker(si.SessionID, s, nil),
	}
	_ = s.Keep(todo.FrameKey, todo.UpdateEvent(si.SessionID, initial))
	_ = s.Keep(process.UpdateFrameKey, process.UpdateEvent(si.SessionID, nil))
	ws.Tools = append(ws.Tools, askuser.NewTool(st.questions), todo.NewTool(st.todos),
		process.NewTool(st.processes, t.app.Launcher.Sandboxed()))
	ws.SystemPrompt = registry.PlainSystemPrompt(si.Cwd, ws.Tools, time.Now())
	closeInner, branchInner := ws.Close, ws.OnBranchChange
	ws.Close = func() {
		t.hub.remove(s)
		st.questions.Close()
		st.processes.Dispose()
		if closeInner != nil {
			closeInner()
		}
	}
	ws.OnBranchChange = func() {
		st.todos.Reset(todo.FromMessages(s.BranchMessages()))
		if branchInner != nil {
			branchInner()
		}
	}
	t.hub.put(s, st)
	return ws, nil
}

// registerSessionTools mounts the process, todo and question routes.
func (a *App) registerSessionTools(hub *toolHub) {
	api.RegisterSessionTools(a.Server.API(), api.SessionToolsDeps{Registry: a.Sessions, Tools: hub})
}
