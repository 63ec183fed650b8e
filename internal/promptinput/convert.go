package promptinput

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/ledongthuc/pdf"
	"github.com/xuri/excelize/v2"
)

// Document kinds converted to text before they enter a prompt.
const (
	docPDF  = "pdf"
	docDOCX = "docx"
	docXLSX = "xlsx"
)

var docMIME = map[string]string{
	"application/pdf": docPDF,
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document": docDOCX,
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":       docXLSX,
}

// documentKind picks a converter by extension first, then by MIME type
// (the reference's order); "" means the file is not a document.
func documentKind(name, mimeType string) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".pdf":
		return docPDF
	case ".docx":
		return docDOCX
	case ".xlsx":
		return docXLSX
	}
	return docMIME[mimeType]
}

// Limits of one conversion.
const (
	DefaultConvertTimeout = 30 * time.Second
	maxConvertedBytes     = 4 << 20   // text kept from one document
	maxUnzippedBytes      = 128 << 20 // DOCX/XLSX parts, against zip bombs
	maxConcurrentConverts = 2
)

// Converter turns PDF, DOCX and XLSX files into text, each conversion on a
// goroutine of its own with a deadline, at most two at once, so a slow or
// hostile document never holds a request (or the SSE streams) hostage.
// The libraries cannot be interrupted, so a conversion that times out
// finishes in the background; Close waits for those.
//
// Libraries: github.com/ledongthuc/pdf (a maintained fork of rsc.io/pdf,
// pure Go, the only small library with page text extraction; pdfcpu has
// none), github.com/xuri/excelize/v2 for XLSX (the standard Go library for
// the format, with unzip size limits). DOCX text is a single XML part, so
// archive/zip and encoding/xml read it without a dependency.
type Converter struct {
	timeout time.Duration
	slots   chan struct{}
	wg      sync.WaitGroup
	convert func(kind string, data []byte) (string, error) // convertDocument; tests swap it
}

// NewConverter returns a Converter with the given per-document deadline
// (0 = DefaultConvertTimeout).
func NewConverter(timeout time.Duration) *Converter {
	if timeout <= 0 {
		timeout = DefaultConvertTimeout
	}
	return &Converter{timeout: timeout, slots: make(chan struct{}, maxConcurrentConverts), convert: convertDocument}
}

// Close waits for conversions still running after their deadline.
func (c *Converter) Close() { c.wg.Wait() }

// Convert extracts the text of a document of kind; name is only for
// messages.
func (c *Converter) Convert(ctx context.Context, kind, name string, data []byte) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	select {
	case c.slots <- struct{}{}:
	case <-ctx.Done():
		return "", fmt.Errorf("waited too long for a free converter: %w", ctx.Err())
	}
	type result struct {
		text string
		err  error
	}
	done := make(chan result, 1)
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		defer func() { <-c.slots }()
		defer func() {
			if p := recover(); p != nil {
				done <- result{err: fmt.Errorf("the %s parser failed: %v", kind, p)}
			}
		}()
		text, err := c.convert(kind, data)
		done <- result{text, err}
	}()
	select {
	case r := <-done:
		return r.text, r.err
	case <-ctx.Done():
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return "", fmt.Errorf("gave up after %s", c.timeout)
		}
		return "", ctx.Err()
	}
}

func convertDocument(kind string, data []byte) (string, error) {
	var text string
	var err error
	switch kind {
	case docPDF:
		text, err = pdfText(data)
	case docDOCX:
		text, err = docxText(data)
	case docXLSX:
		text, err = xlsxText(data)
	default:
		return "", fmt.Errorf("unknown document kind %q", kind)
	}
	if err != nil {
		return "", err
	}
	text = strings.ToValidUTF8(text, "\uFFFD")
	if strings.TrimSpace(text) == "" {
		return "", errors.New("the document holds no extractable text")
	}
	if len(text) > maxConvertedBytes {
		cut := maxConvertedBytes
		for cut > 0 && !isRuneStart(text[cut]) {
			cut--
		}
		text = text[:cut] + "\n[truncated: the converted text is larger than 4 MiB]"
	}
	return text, nil
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

// pdfText extracts each page's text; pages are separated by a blank line.
func pdfText(data []byte) (string, error) {
	r, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return "", fmt.Errorf("not a readable PDF: %w", err)
	}
	var pages []string
	var fonts = map[string]*pdf.Font{}
	for i := 1; i <= r.NumPage(); i++ {
		p := r.Page(i)
		if p.V.IsNull() {
			continue
		}
		for _, name := range p.Fonts() {
			if _, ok := fonts[name]; !ok {
				f := p.Font(name)
				fonts[name] = &f
			}
		}
		t, err := p.GetPlainText(fonts)
		if err != nil {
			return "", fmt.Errorf("page %d: %w", i, err)
		}
		if t = strings.TrimSpace(t); t != "" {
			pages = append(pages, t)
		}
	}
	return strings.Join(pages, "\n\n"), nil
}

// docxText reads word/document.xml: paragraphs become lines, tabs and
// breaks are kept, table cells are separated by " | " and rows by lines.
func docxText(data []byte) (string, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return "", fmt.Errorf("not a DOCX (zip) file: %w", err)
	}
	var doc *zip.File
	for _, f := range zr.File {
		if f.Name == "word/document.xml" {
			doc = f
			break
		}
	}
	if doc == nil {
		return "", errors.New("not a DOCX file: word/document.xml is missing")
	}
	rc, err := doc.Open()
	if err != nil {
		return "", fmt.Errorf("open word/document.xml: %w", err)
	}
	defer rc.Close()
	return wordXMLText(&capReader{r: rc, left: maxUnzippedBytes})
}

// wordXMLText walks WordprocessingML and keeps its text.
func wordXMLText(r io.Reader) (string, error) {
	dec := xml.NewDecoder(r)
	var b strings.Builder
	inText, cellDepth := false, 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return strings.TrimRight(b.String(), "\n") + "\n", nil
		}
		if err != nil {
			return "", fmt.Errorf("word/document.xml: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "t":
				inText = true
			case "tab":
				b.WriteByte('\t')
			case "br", "cr":
				b.WriteByte('\n')
			case "tc":
				cellDepth++
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "t":
				inText = false
			case "p":
				if cellDepth > 0 {
					b.WriteByte(' ')
				} else {
					b.WriteByte('\n')
				}
			case "tc":
				cellDepth--
				b.WriteString(" | ")
			case "tr":
				b.WriteByte('\n')
			}
		case xml.CharData:
			if inText {
				b.Write(t)
			}
		}
	}
}

// xlsxText writes every sheet as "## Sheet: <name>" followed by its rows as
// CSV (formatted cell values).
func xlsxText(data []byte) (string, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit: maxUnzippedBytes, UnzipXMLSizeLimit: maxUnzippedBytes,
	})
	if err != nil {
		return "", fmt.Errorf("not a readable XLSX: %w", err)
	}
	defer f.Close()
	var b strings.Builder
	for i, sheet := range f.GetSheetList() {
		rows, err := f.GetRows(sheet)
		if err != nil {
			return "", fmt.Errorf("sheet %q: %w", sheet, err)
		}
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString("## Sheet: " + sheet + "\n")
		w := csv.NewWriter(&b)
		for _, row := range rows {
			if err := w.Write(row); err != nil {
				return "", err
			}
		}
		w.Flush()
		if b.Len() > maxConvertedBytes {
			break
		}
	}
	return b.String(), nil
}

// capReader fails once more than left bytes were read.
type capReader struct {
	r    io.Reader
	left int64
}

var errTooBig = errors.New("the document expands to more than 128 MiB")

func (c *capReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		return 0, errTooBig
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}
