package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/pi-forge/pi-forge/internal/backup"
	"github.com/pi-forge/pi-forge/internal/server"
)

// BackupSource is what the backup routes read and restore.
type BackupSource struct {
	Config *backup.Config
	Skills *backup.Skills
	// Log records failures that happen after a download started streaming
	// or inside an upload, where no error can reach the access log.
	Log *slog.Logger
	Now func() time.Time // archive names; nil means time.Now
}

// multipartSlack is room for multipart framing and small form fields
// around an uploaded file.
const multipartSlack = 1 << 20

// Upload time limits: huma sets no read deadline on bodies it does not
// read, so these routes set their own (a 100 MiB skills upload at 200 KB/s
// still fits).
const (
	configUploadTimeout = 2 * time.Minute
	skillsUploadTimeout = 10 * time.Minute
)

// RegisterBackup mounts /config/export, /config/import,
// /config/skills/export and /config/skills/import.
func RegisterBackup(api huma.API, src BackupSource) {
	if src.Now == nil {
		src.Now = time.Now
	}
	if src.Log == nil {
		src.Log = slog.New(slog.DiscardHandler)
	}
	registerConfigBackup(api, src)
	registerSkillsBackup(api, src)
}

func gzipResponse(summary string) map[string]*huma.Response {
	return map[string]*huma.Response{"200": {Description: summary, Content: map[string]*huma.MediaType{
		"application/gzip": {Schema: &huma.Schema{Type: huma.TypeString, Format: "binary"}}}}}
}

// jsonResponse documents the JSON a streamed route answers with.
func jsonResponse(api huma.API, t reflect.Type) map[string]*huma.Response {
	schema := huma.SchemaFromType(api.OpenAPI().Components.Schemas, t)
	return map[string]*huma.Response{"200": {Description: "OK", Content: map[string]*huma.MediaType{"application/json": {Schema: schema}}}}
}

// multipartRequest documents a multipart upload. It has no schema on
// purpose: huma would then read and decode the body itself, and these
// routes stream it.
func multipartRequest(doc string) *huma.RequestBody {
	return &huma.RequestBody{Required: true, Description: doc, Content: map[string]*huma.MediaType{"multipart/form-data": {}}}
}

func registerConfigBackup(api huma.API, src BackupSource) {
	exp := server.Op(http.MethodGet, "/config/export", "exportConfig", "Download the configuration backup", "Config")
	exp.Description = "A flat gzip tar of whichever exist of mcp.json, settings.json, models.json, skills-overrides.json, " +
		"tool-overrides.json, theme.json and quick-actions.json, as stored (models.json and mcp.json may hold keys). " +
		"auth.json, projects.json, jwt-secret and password-hash are never included. X-Pi-Forge-Files lists the files."
	exp.Responses = gzipResponse("the archive")
	huma.Register(api, exp, func(ctx context.Context, _ *struct{}) (*huma.StreamResponse, error) {
		e, err := src.Config.OpenExport()
		if err != nil {
			return nil, err
		}
		return server.Stream(func(w http.ResponseWriter, r *http.Request) {
			defer e.Close()
			h := w.Header()
			h.Set("X-Pi-Forge-Files", strings.Join(e.Names(), ","))
			startDownload(h, "pi-forge-config-"+backup.Stamp(src.Now())+".tar.gz")
			if err := e.Write(w); err != nil {
				src.Log.Warn("config export interrupted", "error", err)
			}
		}), nil
	})

	imp := server.Op(http.MethodPost, "/config/import", "importConfig", "Restore a configuration backup", "Config")
	imp.Description = "Multipart with one file (the archive /config/export makes, at most 5 MiB). Entries that are not regular files, " +
		"not plain names or not configuration files are skipped. Every file must be valid JSON (and models.json a models.json pi accepts): " +
		"if any is not, nothing is written and errors says why. Each file is replaced atomically. " +
		"400 no_file, invalid_multipart or invalid_archive (not a gzip tar); 413 file_too_large."
	imp.RequestBody = multipartRequest("a .tar.gz made by GET /config/export")
	imp.Responses = jsonResponse(api, reflect.TypeFor[backup.ConfigImport]())
	huma.Register(api, imp, func(ctx context.Context, _ *struct{}) (*huma.StreamResponse, error) {
		return server.Stream(func(w http.ResponseWriter, r *http.Request) {
			res, err := importConfig(w, r, src)
			if err != nil {
				writeUploadError(w, r, "config import", err)
				return
			}
			writeJSON(w, http.StatusOK, res)
		}), nil
	})
}

// startDownload sets the headers of an archive download.
func startDownload(h http.Header, filename string) {
	h.Set("Content-Type", "application/gzip")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": filename}))
	h.Set("Cache-Control", "no-store")
}

// importConfig restores the first file part of the request.
func importConfig(w http.ResponseWriter, r *http.Request, src BackupSource) (*backup.ConfigImport, error) {
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(configUploadTimeout))
	r.Body = http.MaxBytesReader(w, r.Body, backup.MaxConfigArchiveBytes+multipartSlack)
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, server.Errorf(http.StatusBadRequest, "invalid_multipart", "the body must be multipart/form-data")
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil, server.Errorf(http.StatusBadRequest, "no_file", "the request holds no file")
		}
		if err != nil {
			return nil, multipartError(err)
		}
		if part.FileName() == "" {
			part.Close()
			continue
		}
		body := backup.LimitReader(part, backup.MaxConfigArchiveBytes)
		res, err := src.Config.Import(r.Context(), body)
		err = overLimit(body, err)
		part.Close()
		return res, err
	}
}

func registerSkillsBackup(api huma.API, src BackupSource) {
	exp := server.Op(http.MethodGet, "/config/skills/export", "exportSkills", "Download the skills folder", "Config")
	exp.Description = "A gzip tar of PI_CONFIG_DIR/skills/ (folders and regular files; symlinks are left out). " +
		"X-Pi-Forge-File-Count counts the files. 409 skills_directory_empty when there is none."
	exp.Responses = gzipResponse("the archive")
	huma.Register(api, exp, func(ctx context.Context, _ *struct{}) (*huma.StreamResponse, error) {
		e, err := src.Skills.OpenExport()
		if errors.Is(err, backup.ErrNoSkills) {
			return nil, server.Errorf(http.StatusConflict, "skills_directory_empty", "the skills folder holds no files")
		}
		if err != nil {
			return nil, err
		}
		return server.Stream(func(w http.ResponseWriter, r *http.Request) {
			defer e.Close()
			w.Header().Set("X-Pi-Forge-File-Count", strconv.Itoa(e.Files()))
			startDownload(w.Header(), "pi-forge-skills-"+backup.Stamp(src.Now())+".tar.gz")
			if err := e.Write(w); err != nil {
				src.Log.Warn("skills export interrupted", "error", err)
			}
		}), nil
	})

	imp := server.Op(http.MethodPost, "/config/skills/import", "importSkills", "Add skills from an archive or a folder upload", "Config")
	imp.Description = "Multipart: one .tar.gz/.tgz part (as /config/skills/export makes), or one part per file whose filename is its path " +
		"relative to the skills folder (a folder upload). At most 50 MiB per part and 100 MiB per request; an archive may expand to " +
		"256 MiB and 10,000 entries. Existing files are overwritten. Absolute paths, .. and symlinks are skipped; " +
		"nothing is written unless the whole upload is accepted. 400 no_file, invalid_multipart or invalid_archive; 413 file_too_large."
	imp.RequestBody = multipartRequest("an archive, or one file of a folder upload (several parts)")
	imp.Responses = jsonResponse(api, reflect.TypeFor[backup.SkillsResult]())
	huma.Register(api, imp, func(ctx context.Context, _ *struct{}) (*huma.StreamResponse, error) {
		return server.Stream(func(w http.ResponseWriter, r *http.Request) {
			res, err := importSkills(w, r, src)
			if err != nil {
				writeUploadError(w, r, "skills import", err)
				return
			}
			writeJSON(w, http.StatusOK, res)
		}), nil
	})
}

// importSkills stages every file part and commits them together.
func importSkills(w http.ResponseWriter, r *http.Request, src BackupSource) (*backup.SkillsResult, error) {
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(skillsUploadTimeout))
	r.Body = http.MaxBytesReader(w, r.Body, server.MaxBodyBytes)
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, server.Errorf(http.StatusBadRequest, "invalid_multipart", "the body must be multipart/form-data")
	}
	im, err := src.Skills.BeginImport()
	if err != nil {
		return nil, err
	}
	defer im.Abort()
	files := 0
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, multipartError(err)
		}
		name := uploadPath(part)
		if name == "" {
			part.Close()
			continue
		}
		files++
		body := backup.LimitReader(part, backup.MaxSkillsPartBytes)
		if isArchiveName(name) {
			err = im.AddArchive(body)
		} else {
			err = im.AddFile(name, body)
		}
		err = overLimit(body, err)
		part.Close()
		if err != nil {
			return nil, err
		}
	}
	if files == 0 {
		return nil, server.Errorf(http.StatusBadRequest, "no_file", "the request holds no file")
	}
	return im.Commit()
}

// uploadPath is a part's filename with its folders: a folder upload sends
// "my-skill/SKILL.md", which multipart.Part.FileName would cut to its base.
func uploadPath(p *multipart.Part) string {
	_, params, err := mime.ParseMediaType(p.Header.Get("Content-Disposition"))
	if err != nil {
		return ""
	}
	return params["filename"]
}

// isArchiveName tells an uploaded archive from a file of a folder upload,
// which always has a folder in its name.
func isArchiveName(name string) bool {
	lower := strings.ToLower(name)
	return !strings.Contains(name, "/") && (strings.HasSuffix(lower, ".tar.gz") || strings.HasSuffix(lower, ".tgz"))
}

// overLimit turns a refusal of a part's content into ErrTooLarge when the
// part is also over its size limit, as a client checking sizes first would
// be told: the rest of the limited part body is read to find out.
func overLimit(body io.Reader, err error) error {
	if errors.Is(err, backup.ErrNotArchive) {
		if _, derr := io.Copy(io.Discard, body); errors.Is(derr, backup.ErrTooLarge) {
			return derr
		}
	}
	return err
}

// multipartError maps a failure to read the next part.
func multipartError(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return fileTooLarge()
	}
	return server.Errorf(http.StatusBadRequest, "invalid_multipart", "the multipart body is malformed")
}

func fileTooLarge() error {
	return server.Errorf(http.StatusRequestEntityTooLarge, "file_too_large", "the upload is over the size limit")
}

// writeUploadError answers a failed import: the upload's fault maps to
// 4xx; anything else is logged and answered 500.
func writeUploadError(w http.ResponseWriter, r *http.Request, what string, err error) {
	var apiErr *server.Error
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &apiErr):
	case errors.Is(err, backup.ErrTooLarge), errors.As(err, &tooBig):
		err = server.Errorf(http.StatusRequestEntityTooLarge, "file_too_large", "%s", tooLargeMessage(err))
	case errors.Is(err, backup.ErrNotArchive):
		err = server.Errorf(http.StatusBadRequest, "invalid_archive", "the file is not a gzip-compressed tar archive")
	case errors.Is(err, backup.ErrRead):
		err = server.Errorf(http.StatusBadRequest, "invalid_multipart", "the upload could not be read")
	default:
		err = fmt.Errorf("%s: %w", what, err)
	}
	server.Fail(w, r, err)
}

func tooLargeMessage(err error) string {
	if errors.Is(err, backup.ErrRead) {
		return "the upload is over the size limit"
	}
	return err.Error() // what the archive expands to; no content
}
