package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/pi-forge/pi-forge/internal/projects"
	"github.com/pi-forge/pi-forge/internal/server"
	"github.com/pi-forge/pi-forge/internal/workspace"
)

// Files is what the file routes need.
type Files struct {
	Projects    *projects.Store
	Workspace   *workspace.FS
	UploadLimit server.RateLimit
}

// WriteFileBody is PUT /files/write.
type WriteFileBody struct {
	ProjectID string `json:"projectId" minLength:"1"`
	Path      string `json:"path" minLength:"1" doc:"absolute path inside the project"`
	Content   string `json:"content"`
}

// FileMkdirBody is POST /files/mkdir.
type FileMkdirBody struct {
	ProjectID  string `json:"projectId" minLength:"1"`
	ParentPath string `json:"parentPath" minLength:"1" doc:"absolute folder inside the project"`
	Name       string `json:"name" minLength:"1" doc:"one path segment"`
}

// FileRenameBody is POST /files/rename.
type FileRenameBody struct {
	ProjectID string `json:"projectId" minLength:"1"`
	Path      string `json:"path" minLength:"1"`
	Name      string `json:"name" minLength:"1" doc:"the new basename"`
}

// FileMoveBody is POST /files/move.
type FileMoveBody struct {
	ProjectID string `json:"projectId" minLength:"1"`
	Src       string `json:"src" minLength:"1"`
	Dest      string `json:"dest" minLength:"1" doc:"the full destination path"`
}

// FilePath is the answer of the routes that create or move an entry.
type FilePath struct {
	Path string `json:"path"`
}

// CompletePaths is GET /files/complete.
type CompletePaths struct {
	Paths []string `json:"paths"`
}

// FileTree is GET /files/tree: a workspace.TreeNode under a schema name of
// its own (huma names schemas by Go type name, and session has a TreeNode
// too).
type FileTree struct{ *workspace.TreeNode }

// MarshalJSON writes the node itself.
func (t FileTree) MarshalJSON() ([]byte, error) { return json.Marshal(t.TreeNode) }

// Schema describes the recursive node as FileTreeNode.
func (FileTree) Schema(r huma.Registry) *huma.Schema {
	const name = "FileTreeNode"
	ref := &huma.Schema{Ref: "#/components/schemas/" + name}
	if _, ok := r.Map()[name]; !ok {
		str := func(doc string) *huma.Schema { return &huma.Schema{Type: huma.TypeString, Description: doc} }
		r.Map()[name] = &huma.Schema{
			Type:     huma.TypeObject,
			Required: []string{"name", "path", "type"},
			Properties: map[string]*huma.Schema{
				"name":      str(`"" for the root`),
				"path":      str("relative to the project root, OS separator"),
				"type":      {Type: huma.TypeString, Enum: []any{workspace.KindFile, workspace.KindDirectory}},
				"children":  {Type: huma.TypeArray, Items: ref, Description: "set on folders that were read"},
				"truncated": {Type: huma.TypeBoolean, Description: "folder not read: depth cap, unreadable, or a symlink loop"},
			},
		}
	}
	return ref
}

// FileQuery names one path of a project.
type FileQuery struct {
	ProjectID string `query:"projectId" required:"true" minLength:"1"`
	Path      string `query:"path" required:"true" minLength:"1" doc:"absolute path inside the project"`
}

// RegisterFiles mounts the file routes of the workspace panel (api-contract
// §1.7). Every path goes through internal/workspace.
func RegisterFiles(api huma.API, d Files) {
	op := func(method, path, id, summary string) huma.Operation {
		return server.Op(method, path, id, summary, "Files")
	}
	huma.Register(api, op(http.MethodGet, "/files/tree", "getFileTree", "The project's file tree"),
		func(ctx context.Context, in *struct {
			ProjectID string `query:"projectId" required:"true" minLength:"1"`
			MaxDepth  int    `query:"maxDepth" minimum:"0" doc:"clamped to 1..32; default 32"`
		}) (*struct{ Body FileTree }, error) {
			root, err := d.root(in.ProjectID)
			if err != nil {
				return nil, err
			}
			tree, err := root.Tree(in.MaxDepth)
			if err != nil {
				return nil, apiFailure(err)
			}
			return &struct{ Body FileTree }{Body: FileTree{tree}}, nil
		})
	huma.Register(api, op(http.MethodGet, "/files/read", "readFile", "Read a text file (5 MiB cap; binary files are flagged)"),
		func(ctx context.Context, in *FileQuery) (*struct{ Body *workspace.ReadResult }, error) {
			root, err := d.root(in.ProjectID)
			if err != nil {
				return nil, err
			}
			res, err := root.Read(in.Path)
			if err != nil {
				return nil, apiFailure(err)
			}
			return &struct{ Body *workspace.ReadResult }{Body: res}, nil
		})
	huma.Register(api, op(http.MethodPut, "/files/write", "writeFile", "Write a file atomically (parents are created)"),
		func(ctx context.Context, in *struct{ Body WriteFileBody }) (*struct{ Body FilePath }, error) {
			return d.pathOp(in.Body.ProjectID, func(r *workspace.Root) (string, error) {
				return r.Write(in.Body.Path, []byte(in.Body.Content))
			})
		})
	huma.Register(api, op(http.MethodPost, "/files/mkdir", "makeProjectFolder", "Create a folder"),
		func(ctx context.Context, in *struct{ Body FileMkdirBody }) (*struct{ Body FilePath }, error) {
			return d.pathOp(in.Body.ProjectID, func(r *workspace.Root) (string, error) {
				return r.Mkdir(in.Body.ParentPath, in.Body.Name)
			})
		})
	huma.Register(api, op(http.MethodPost, "/files/rename", "renameFile", "Rename a file or folder in place"),
		func(ctx context.Context, in *struct{ Body FileRenameBody }) (*struct{ Body FilePath }, error) {
			return d.pathOp(in.Body.ProjectID, func(r *workspace.Root) (string, error) {
				return r.Rename(in.Body.Path, in.Body.Name)
			})
		})
	huma.Register(api, op(http.MethodPost, "/files/move", "moveFile", "Move a file or folder"),
		func(ctx context.Context, in *struct{ Body FileMoveBody }) (*struct{ Body FilePath }, error) {
			return d.pathOp(in.Body.ProjectID, func(r *workspace.Root) (string, error) {
				return r.Move(in.Body.Src, in.Body.Dest)
			})
		})
	huma.Register(api, server.Status(op(http.MethodDelete, "/files/delete", "deleteFile", "Delete a file or folder"), http.StatusNoContent),
		func(ctx context.Context, in *struct {
			FileQuery
			Recursive bool `query:"recursive" doc:"required to delete a non-empty folder"`
		}) (*struct{}, error) {
			root, err := d.root(in.ProjectID)
			if err != nil {
				return nil, err
			}
			if err := root.Delete(in.Path, in.Recursive); err != nil {
				return nil, apiFailure(err)
			}
			return nil, nil
		})
	huma.Register(api, op(http.MethodGet, "/files/complete", "completePaths", "Project paths for @ completion"),
		func(ctx context.Context, in *struct {
			ProjectID string `query:"projectId" required:"true" minLength:"1"`
			Query     string `query:"query" maxLength:"256"`
			Limit     int    `query:"limit" minimum:"0" doc:"default 50, at most 200"`
		}) (*struct{ Body CompletePaths }, error) {
			root, err := d.root(in.ProjectID)
			if err != nil {
				return nil, err
			}
			paths, err := root.Complete(ctx, in.Query, in.Limit)
			if err != nil {
				return nil, apiFailure(err)
			}
			if paths == nil {
				paths = []string{}
			}
			return &struct{ Body CompletePaths }{Body: CompletePaths{Paths: paths}}, nil
		})
	registerDownload(api, d)
	registerUpload(api, d)
}

func registerDownload(api huma.API, d Files) {
	op := server.Op(http.MethodGet, "/files/download", "downloadFile", "Download a file, or a folder as .tar.gz", "Files")
	op.Responses = map[string]*huma.Response{"200": {Description: "the file, or a gzipped tar of the folder",
		Content: map[string]*huma.MediaType{"application/octet-stream": {}, "application/gzip": {}}}}
	huma.Register(api, op, func(ctx context.Context, in *struct {
		ProjectID string `query:"projectId" required:"true" minLength:"1"`
		Path      string `query:"path" doc:"absolute path inside the project; omit for the whole project"`
	}) (*huma.StreamResponse, error) {
		root, err := d.root(in.ProjectID)
		if err != nil {
			return nil, err
		}
		dl, err := root.Download(in.Path)
		if err != nil {
			return nil, apiFailure(err)
		}
		return server.Stream(func(w http.ResponseWriter, r *http.Request) {
			defer dl.Close()
			h := w.Header()
			h.Set("Content-Type", dl.ContentType)
			h.Set("Content-Disposition", dl.ContentDisposition())
			if dl.Size >= 0 {
				h.Set("Content-Length", strconv.FormatInt(dl.Size, 10))
			}
			// A large archive over a slow link outlives any fixed deadline.
			_ = http.NewResponseController(w).SetWriteDeadline(time.Time{})
			w.WriteHeader(http.StatusOK)
			// Headers are out: a failure now can only cut the body short.
			_, _ = dl.Stream(r.Context(), w)
		}), nil
	})
}

func registerUpload(api huma.API, d Files) {
	op := server.RateLimited(server.Op(http.MethodPost, "/files/upload", "uploadFiles", "Upload files or a folder (multipart, streamed to disk)", "Files"), d.UploadLimit)
	op.Description = "multipart/form-data. Fields must precede the files they apply to: projectId, parentPath (absolute), " +
		"overwrite (1/true), path:<idx> (relative subpath for folder uploads), sha256:<idx|relpath|filename> (hex). " +
		"Files as file:<idx> or any other name. The request lands completely or not at all: a checksum mismatch (422) " +
		"or a limit (413: 500 MiB per file, 2 GiB per request, 512 files) removes everything it wrote."
	op.RequestBody = &huma.RequestBody{Content: map[string]*huma.MediaType{"multipart/form-data": {}}}
	result := api.OpenAPI().Components.Schemas.Schema(reflect.TypeOf(workspace.UploadResult{}), true, "UploadResult")
	op.Responses = map[string]*huma.Response{"200": {Description: "the files written",
		Content: map[string]*huma.MediaType{"application/json": {Schema: result}}}}
	huma.Register(api, op, func(ctx context.Context, _ *struct{}) (*huma.StreamResponse, error) {
		return server.Stream(func(w http.ResponseWriter, r *http.Request) {
			_ = http.NewResponseController(w).SetReadDeadline(time.Time{})
			res, err := d.Workspace.Upload(r.Context(), r.Header.Get("Content-Type"), r.Body, d.resolveProject)
			if err != nil {
				server.WriteError(w, apiFailure(err))
				return
			}
			writeJSON(w, http.StatusOK, res)
		}), nil
	})
}

// root opens the project's directory; an unknown id is 404
// project_not_found.
func (d Files) root(projectID string) (*workspace.Root, error) {
	path, err := d.resolveProject(context.Background(), projectID)
	if err != nil {
		return nil, err
	}
	root, err := d.Workspace.Root(path)
	if err != nil {
		return nil, apiFailure(err)
	}
	return root, nil
}

func (d Files) resolveProject(_ context.Context, projectID string) (string, error) {
	return projectPath(d.Projects, projectID)
}

// projectPath looks a project up for the workspace routes.
func projectPath(store *projects.Store, projectID string) (string, error) {
	p, err := store.Get(projectID)
	if errors.Is(err, projects.ErrNotFound) {
		return "", server.Errorf(http.StatusNotFound, "project_not_found", "no project with id %q", projectID)
	}
	if err != nil {
		return "", err
	}
	return p.Path, nil
}

// pathOp runs one entry-changing operation and answers {path}.
func (d Files) pathOp(projectID string, f func(*workspace.Root) (string, error)) (*struct{ Body FilePath }, error) {
	root, err := d.root(projectID)
	if err != nil {
		return nil, err
	}
	p, err := f(root)
	if err != nil {
		return nil, apiFailure(err)
	}
	return &struct{ Body FilePath }{Body: FilePath{Path: p}}, nil
}

// apiFailure turns a domain error (workspace, search, gitx: anything with
// APIError) into the API's {error, message}; other errors stay internal
// (500 without details) and already-mapped *server.Error pass through.
func apiFailure(err error) error {
	var se *server.Error
	if errors.As(err, &se) {
		return se
	}
	var ae interface {
		APIError() (status int, code, message string)
	}
	if errors.As(err, &ae) {
		status, code, msg := ae.APIError()
		return server.Errorf(status, code, "%s", msg)
	}
	return err
}
