package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/pi-forge/pi-forge/internal/tools/todo"
)

// TodoTask is one task of a session's todo list.
type TodoTask todo.Task

// TodoList is GET /sessions/{id}/todos: the session's whole task list.
type TodoList struct {
	Tasks  []TodoTask `json:"tasks"`
	NextID int        `json:"nextId"`
}

func registerTodos(api huma.API, d SessionToolsDeps) {
	huma.Register(api, toolOp(http.MethodGet, "/sessions/{id}/todos", "listTodos", "The session's todo list", "Todos"),
		func(ctx context.Context, in *sessionID) (*struct{ Body TodoList }, error) {
			s, err := d.live(in.ID)
			if err != nil {
				return nil, err
			}
			st := todo.Empty()
			if store := d.Tools.Todos(s); store != nil {
				st = store.State()
			}
			out := TodoList{Tasks: make([]TodoTask, len(st.Tasks)), NextID: st.NextID}
			for i, t := range st.Tasks {
				out.Tasks[i] = TodoTask(t)
			}
			return &struct{ Body TodoList }{Body: out}, nil
		})
}
