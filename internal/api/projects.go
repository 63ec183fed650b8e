package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/pi-forge/pi-forge/internal/projects"
	"github.com/pi-forge/pi-forge/internal/server"
)

// projectBodyLimit caps project request bodies (names and paths only).
const projectBodyLimit = 64 << 10

// ProjectList is GET /projects and PUT /projects/order.
type ProjectList struct {
	Projects []projects.Project `json:"projects"`
}

// CreateProjectBody is POST /projects.
type CreateProjectBody struct {
	Name string `json:"name" minLength:"1" maxLength:"200" doc:"display name (trimmed)"`
	Path string `json:"path" minLength:"1" doc:"folder inside WORKSPACE_PATH (absolute, or relative to it)"`
}

// RenameProjectBody is PATCH /projects/{id}.
type RenameProjectBody struct {
	Name string `json:"name" minLength:"1" maxLength:"200"`
}

// ProjectOrderBody is PUT /projects/order.
type ProjectOrderBody struct {
	IDs []string `json:"ids" doc:"every project id exactly once, in the new display order"`
}

// DeleteProjectResult is DELETE /projects/{id}.
type DeleteProjectResult struct {
	Cascaded bool `json:"cascaded" doc:"the project's session directory was removed"`
}

// MkdirBody is POST /projects/browse/mkdir.
type MkdirBody struct {
	ParentPath string `json:"parentPath" doc:"folder inside WORKSPACE_PATH"`
	Name       string `json:"name" minLength:"1" maxLength:"100" doc:"one path segment: no /, \\ or .."`
}

// MkdirResult is the created folder.
type MkdirResult struct {
	Path string `json:"path"`
}

type projectID struct {
	ID string `path:"id" doc:"project id (UUID)"`
}

// RegisterProjects mounts the project registry and folder-picker routes.
func RegisterProjects(api huma.API, store *projects.Store) {
	op := func(method, path, id, summary string) huma.Operation {
		o := server.Op(method, path, id, summary, "Projects")
		o.MaxBodyBytes = projectBodyLimit
		return o
	}
	huma.Register(api, op(http.MethodGet, "/projects", "listProjects", "List projects in display order"),
		func(ctx context.Context, _ *struct{}) (*struct{ Body ProjectList }, error) {
			list, err := store.List()
			if err != nil {
				return nil, err
			}
			return projectList(list), nil
		})
	huma.Register(api, server.Status(op(http.MethodPost, "/projects", "createProject", "Register a workspace folder as a project"), http.StatusCreated),
		func(ctx context.Context, in *struct{ Body CreateProjectBody }) (*struct{ Body projects.Project }, error) {
			p, err := store.Create(in.Body.Name, in.Body.Path)
			if err != nil {
				return nil, projectError(err)
			}
			return &struct{ Body projects.Project }{Body: p}, nil
		})
	huma.Register(api, op(http.MethodPut, "/projects/order", "reorderProjects", "Set the display order of all projects"),
		func(ctx context.Context, in *struct{ Body ProjectOrderBody }) (*struct{ Body ProjectList }, error) {
			list, err := store.Reorder(in.Body.IDs)
			if err != nil {
				return nil, projectError(err)
			}
			return projectList(list), nil
		})
	huma.Register(api, op(http.MethodGet, "/projects/{id}", "getProject", "Get one project"),
		func(ctx context.Context, in *projectID) (*struct{ Body projects.Project }, error) {
			p, err := store.Get(in.ID)
			if err != nil {
				return nil, projectError(err)
			}
			return &struct{ Body projects.Project }{Body: p}, nil
		})
	huma.Register(api, op(http.MethodPatch, "/projects/{id}", "renameProject", "Rename a project (the folder stays)"),
		func(ctx context.Context, in *struct {
			ID   string `path:"id" doc:"project id (UUID)"`
			Body RenameProjectBody
		}) (*struct{ Body projects.Project }, error) {
			p, err := store.Rename(in.ID, in.Body.Name)
			if err != nil {
				return nil, projectError(err)
			}
			return &struct{ Body projects.Project }{Body: p}, nil
		})
	del := op(http.MethodDelete, "/projects/{id}", "deleteProject", "Unregister a project and delete its sessions")
	del.Description = "Removes the project record and SESSION_DIR/<id>/. The project folder is never touched."
	huma.Register(api, del, func(ctx context.Context, in *projectID) (*struct{ Body DeleteProjectResult }, error) {
		cascaded, err := store.Delete(ctx, in.ID)
		if err != nil {
			return nil, projectError(err)
		}
		return &struct{ Body DeleteProjectResult }{Body: DeleteProjectResult{Cascaded: cascaded}}, nil
	})
	registerFolderPicker(api, store, op)
}

func registerFolderPicker(api huma.API, store *projects.Store, op func(method, path, id, summary string) huma.Operation) {
	huma.Register(api, op(http.MethodGet, "/projects/browse", "browseFolders", "List subfolders for the folder picker"),
		func(ctx context.Context, in *struct {
			Path string `query:"path" doc:"folder inside WORKSPACE_PATH (default: WORKSPACE_PATH)"`
		}) (*struct{ Body projects.Listing }, error) {
			l, err := store.Browse(in.Path)
			if err != nil {
				return nil, projectError(err)
			}
			return &struct{ Body projects.Listing }{Body: l}, nil
		})
	huma.Register(api, server.Status(op(http.MethodPost, "/projects/browse/mkdir", "makeFolder", "Create a folder for the folder picker"), http.StatusCreated),
		func(ctx context.Context, in *struct{ Body MkdirBody }) (*struct{ Body MkdirResult }, error) {
			p, err := store.Mkdir(in.Body.ParentPath, in.Body.Name)
			if err != nil {
				return nil, projectError(err)
			}
			return &struct{ Body MkdirResult }{Body: MkdirResult{Path: p}}, nil
		})
}

func projectList(list []projects.Project) *struct{ Body ProjectList } {
	if list == nil {
		list = []projects.Project{}
	}
	return &struct{ Body ProjectList }{Body: ProjectList{Projects: list}}
}

// projectStatus maps registry failures to HTTP statuses; anything else
// stays an internal error (500 without details).
var projectStatus = map[string]int{
	projects.ErrNotFound.Code:       http.StatusNotFound,
	projects.ErrPathNotAllowed.Code: http.StatusForbidden,
	projects.ErrNotADirectory.Code:  http.StatusBadRequest,
	projects.ErrInvalidName.Code:    http.StatusBadRequest,
	projects.ErrInvalidOrder.Code:   http.StatusBadRequest,
	projects.ErrInvalidDirName.Code: http.StatusBadRequest,
	projects.ErrDuplicatePath.Code:  http.StatusConflict,
	projects.ErrAlreadyExists.Code:  http.StatusConflict,
}

func projectError(err error) error {
	var pe *projects.Error
	if err == nil || !errors.As(err, &pe) {
		return err
	}
	if status, ok := projectStatus[pe.Code]; ok {
		return server.Errorf(status, pe.Code, "%s", pe.Message)
	}
	return err
}
