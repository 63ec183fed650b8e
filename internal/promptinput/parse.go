package promptinput

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"

	"github.com/pi-forge/pi-forge/internal/workspace"
)

// Limits of one prompt request (api-contract §0.1, §1.5; features §12.11).
type Limits struct {
	BodyBytes  int64 // whole request (100 MiB)
	FileBytes  int64 // one attachment (20 MiB)
	FieldBytes int64 // one form field (8 MiB)
	Files      int   // attachments per request (6)
	Fields     int   // form fields per request (8)
	Images     int   // images per prompt (4)
	TextFiles  int   // text and converted files per prompt (4)
}

// DefaultLimits are the reference's limits.
var DefaultLimits = Limits{
	BodyBytes: 100 << 20, FileBytes: 20 << 20, FieldBytes: 8 << 20,
	Files: 6, Fields: 8, Images: 4, TextFiles: 4,
}

// Streaming behaviours a prompt may ask for while the agent runs.
const (
	BehaviorSteer    = "steer"
	BehaviorFollowUp = "followUp"
)

// Image is an attached picture, sent to the model as image content.
type Image struct {
	MimeType string
	Data     []byte
}

// TextFile is an attached text (or converted document), inserted into the
// prompt as a fenced block.
type TextFile struct {
	Name    string
	Content string
}

// Request is a parsed prompt: JSON {text, streamingBehavior?} or a
// multipart form with text, streamingBehavior and files.
type Request struct {
	Text              string
	StreamingBehavior string // "", BehaviorSteer or BehaviorFollowUp
	Images            []Image
	Files             []TextFile
}

var imageTypes = map[string]bool{"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true}

// textApplicationTypes are application/* types trusted as text.
var textApplicationTypes = map[string]bool{
	"application/json": true, "application/xml": true, "application/yaml": true, "application/x-yaml": true,
	"application/javascript": true, "application/typescript": true, "application/sql": true,
	"application/x-sh": true, "application/toml": true, "application/x-httpd-php": true,
}

func textMIME(t string) bool {
	return strings.HasPrefix(t, "text/") || textApplicationTypes[t] ||
		strings.HasSuffix(t, "+json") || strings.HasSuffix(t, "+xml") || strings.HasSuffix(t, "+yaml")
}

// Parser reads prompt requests.
type Parser struct {
	limits    Limits
	converter *Converter
}

// NewParser returns a Parser; zero limits take DefaultLimits' values.
func NewParser(limits Limits, converter *Converter) *Parser {
	d := DefaultLimits
	pick := func(v, def int64) int64 {
		if v > 0 {
			return v
		}
		return def
	}
	limits.BodyBytes, limits.FileBytes, limits.FieldBytes = pick(limits.BodyBytes, d.BodyBytes), pick(limits.FileBytes, d.FileBytes), pick(limits.FieldBytes, d.FieldBytes)
	limits.Files, limits.Fields = int(pick(int64(limits.Files), int64(d.Files))), int(pick(int64(limits.Fields), int64(d.Fields)))
	limits.Images, limits.TextFiles = int(pick(int64(limits.Images), int64(d.Images))), int(pick(int64(limits.TextFiles), int64(d.TextFiles)))
	return &Parser{limits: limits, converter: converter}
}

// Parse reads r's body as JSON or, for multipart/form-data, as a form with
// attachments. Refusals are *Error values with the contract's codes.
func (p *Parser) Parse(ctx context.Context, r *http.Request) (*Request, error) {
	body := &capReader{r: r.Body, left: p.limits.BodyBytes}
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "multipart/form-data" {
		if params["boundary"] == "" {
			return nil, errorf(CodeInvalidBody, "multipart body without a boundary")
		}
		return p.parseMultipart(ctx, multipart.NewReader(body, params["boundary"]))
	}
	return parseJSON(body)
}

func parseJSON(r io.Reader) (*Request, error) {
	var body struct {
		Text              *string `json:"text"`
		StreamingBehavior *string `json:"streamingBehavior"`
	}
	if err := json.NewDecoder(r).Decode(&body); err != nil {
		if errors.Is(err, errTooBig) {
			return nil, errorf(CodeInvalidBody, "the request body is too large")
		}
		return nil, errorf(CodeInvalidBody, "body is not a JSON object of the expected shape: %v", err)
	}
	if body.Text == nil {
		return nil, errorf(CodeInvalidBody, "body must have required property 'text'")
	}
	if *body.Text == "" {
		return nil, errorf(CodeInvalidBody, "body.text must not be empty")
	}
	req := &Request{Text: *body.Text}
	if sb := body.StreamingBehavior; sb != nil {
		if *sb != BehaviorSteer && *sb != BehaviorFollowUp {
			return nil, errorf(CodeInvalidBody, "body.streamingBehavior must be one of steer, followUp")
		}
		req.StreamingBehavior = *sb
	}
	return req, nil
}

func (p *Parser) parseMultipart(ctx context.Context, mr *multipart.Reader) (*Request, error) {
	req := &Request{}
	fields, files := 0, 0
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, multipartError(err)
		}
		if part.FileName() == "" {
			fields++
			if fields > p.limits.Fields {
				return nil, errorf(CodeTooManyParts, "a prompt form may hold at most %d fields", p.limits.Fields)
			}
			if err := p.readField(part, req); err != nil {
				return nil, err
			}
			continue
		}
		files++
		if files > p.limits.Files {
			return nil, errorf(CodeTooManyFiles, "a prompt may carry at most %d attachments", p.limits.Files)
		}
		if err := p.readFile(ctx, part, req); err != nil {
			return nil, err
		}
	}
	if req.Text == "" {
		return nil, errorf(CodeMissingText, "the prompt text is required")
	}
	return req, nil
}

func multipartError(err error) *Error {
	if errors.Is(err, errTooBig) {
		return errorf(CodeInvalidBody, "the request body is too large")
	}
	return errorf(CodeInvalidBody, "malformed multipart body: %v", err)
}

func (p *Parser) readField(part *multipart.Part, req *Request) error {
	data, err := io.ReadAll(io.LimitReader(part, p.limits.FieldBytes+1))
	if err != nil {
		return multipartError(err)
	}
	if int64(len(data)) > p.limits.FieldBytes {
		return errorf(CodeInvalidBody, "form field %q is larger than %d bytes", part.FormName(), p.limits.FieldBytes)
	}
	switch part.FormName() {
	case "text":
		req.Text = strings.ToValidUTF8(string(data), "\uFFFD")
	case "streamingBehavior":
		if v := string(data); v == BehaviorSteer || v == BehaviorFollowUp {
			req.StreamingBehavior = v
		}
	}
	return nil
}

func (p *Parser) readFile(ctx context.Context, part *multipart.Part, req *Request) error {
	name := part.FileName()
	data, err := io.ReadAll(io.LimitReader(part, p.limits.FileBytes+1))
	if err != nil {
		return multipartError(err)
	}
	if int64(len(data)) > p.limits.FileBytes {
		return errorf(CodeAttachmentTooLarge, "attachment %q is larger than the %d MiB limit", name, p.limits.FileBytes>>20)
	}
	declared := "application/octet-stream"
	if mt, _, err := mime.ParseMediaType(part.Header.Get("Content-Type")); err == nil {
		declared = strings.ToLower(mt)
	}
	if imageTypes[declared] {
		// Trust the bytes over the browser: a provider rejects an image
		// whose data is not what its type says.
		sniffed := http.DetectContentType(data)
		if !imageTypes[sniffed] {
			return errorf(CodeUnsupportedType, "attachment %q is declared %s but is not a PNG, JPEG, GIF or WebP image", name, declared)
		}
		if len(req.Images) >= p.limits.Images {
			return errorf(CodeTooManyImages, "a prompt may carry at most %d images", p.limits.Images)
		}
		req.Images = append(req.Images, Image{MimeType: sniffed, Data: data})
		return nil
	}
	if kind := documentKind(name, declared); kind != "" {
		if len(req.Files) >= p.limits.TextFiles {
			return errorf(CodeTooManyTextFiles, "a prompt may carry at most %d text attachments", p.limits.TextFiles)
		}
		if p.converter == nil {
			return errorf(CodeUnsupportedType, "attachment %q: document conversion is not available", name)
		}
		text, err := p.converter.Convert(ctx, kind, name, data)
		if err != nil {
			return errorf(CodeConversionFailed, "could not convert %q to text: %v", name, err)
		}
		req.Files = append(req.Files, TextFile{Name: name, Content: text})
		return nil
	}
	if !textMIME(declared) && workspace.LooksBinary(data[:min(len(data), sniffBytes)]) {
		return errorf(CodeUnsupportedType, "attachment %q looks binary (%s); only text files, PDF, DOCX, XLSX and PNG/JPEG/GIF/WebP images can be attached", name, declared)
	}
	if len(req.Files) >= p.limits.TextFiles {
		return errorf(CodeTooManyTextFiles, "a prompt may carry at most %d text attachments", p.limits.TextFiles)
	}
	req.Files = append(req.Files, TextFile{Name: name, Content: strings.ToValidUTF8(string(data), "\uFFFD")})
	return nil
}

// Base64 is the image data as ai image content wants it (raw base64).
func (i Image) Base64() string { return base64.StdEncoding.EncodeToString(i.Data) }
