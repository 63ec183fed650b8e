package promptinput

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// makePDF writes a small valid PDF with one text line per page, computing
// the cross-reference offsets itself.
func makePDF(pages ...string) []byte {
	var objs []string
	kids := ""
	n := len(pages)
	for i := range pages {
		kids += fmt.Sprintf("%d 0 R ", 4+2*i)
	}
	objs = append(objs, "<< /Type /Catalog /Pages 2 0 R >>")
	objs = append(objs, fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", kids, n))
	objs = append(objs, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
	for i, text := range pages {
		stream := fmt.Sprintf("BT /F1 18 Tf 72 700 Td (%s) Tj ET", text)
		objs = append(objs, fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R /Resources << /Font << /F1 3 0 R >> >> >>", 5+2*i))
		objs = append(objs, fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(stream), stream))
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

// makeDOCX writes a minimal WordprocessingML package.
func makeDOCX(t *testing.T, body string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, _ := zw.Create("[Content_Types].xml")
	_, _ = w.Write([]byte(`<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`))
	w, _ = zw.Create("word/document.xml")
	_, _ = w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` + body + `</w:body></w:document>`))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func makeXLSX(t *testing.T) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	_ = f.SetSheetRow("Sheet1", "A1", &[]any{"name", "qty"})
	_ = f.SetSheetRow("Sheet1", "A2", &[]any{"apple, red", 3})
	if _, err := f.NewSheet("Notes"); err != nil {
		t.Fatal(err)
	}
	_ = f.SetCellValue("Notes", "A1", "hello")
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestConvertDocuments(t *testing.T) {
	c := NewConverter(0)
	defer c.Close()
	ctx := context.Background()
	pdfText, err := c.Convert(ctx, docPDF, "a.pdf", makePDF("Hello PDF", "Second page"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(pdfText, "Hello PDF") || !strings.Contains(pdfText, "Second page") ||
		strings.Index(pdfText, "Hello") > strings.Index(pdfText, "Second") {
		t.Errorf("pdf text %q", pdfText)
	}
	docx := makeDOCX(t, `<w:p><w:r><w:t>Title</w:t></w:r></w:p><w:p><w:r><w:t xml:space="preserve">a </w:t><w:tab/><w:t>b</w:t></w:r></w:p>`+
		`<w:tbl><w:tr><w:tc><w:p><w:r><w:t>c1</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>c2</w:t></w:r></w:p></w:tc></w:tr></w:tbl>`)
	docText, err := c.Convert(ctx, docDOCX, "a.docx", docx)
	if err != nil {
		t.Fatal(err)
	}
	if docText != "Title\na \tb\nc1  | c2  | \n" {
		t.Errorf("docx text %q", docText)
	}
	xlsxText, err := c.Convert(ctx, docXLSX, "a.xlsx", makeXLSX(t))
	if err != nil {
		t.Fatal(err)
	}
	if xlsxText != "## Sheet: Sheet1\nname,qty\n\"apple, red\",3\n\n## Sheet: Notes\nhello\n" {
		t.Errorf("xlsx text %q", xlsxText)
	}
}

func TestConvertRejectsBrokenDocuments(t *testing.T) {
	c := NewConverter(0)
	defer c.Close()
	ctx := context.Background()
	for _, tc := range []struct {
		kind string
		data []byte
	}{
		{docPDF, []byte("%PDF-1.4 not really")},
		{docPDF, makePDF("")},
		{docDOCX, []byte("PK not a zip")},
		{docDOCX, makeXLSX(t)}, // a zip, but no word/document.xml
		{docXLSX, []byte("nope")},
	} {
		if text, err := c.Convert(ctx, tc.kind, "x", tc.data); err == nil {
			t.Errorf("%s %q converted to %q", tc.kind, tc.data[:min(20, len(tc.data))], text)
		}
	}
}

func TestConvertTimeoutDoesNotBlock(t *testing.T) {
	c := NewConverter(20 * time.Millisecond)
	release := make(chan struct{})
	finished := make(chan struct{})
	c.convert = func(string, []byte) (string, error) {
		<-release
		close(finished)
		return "late", nil
	}
	_, err := c.Convert(context.Background(), docPDF, "slow.pdf", nil)
	if err == nil || !strings.Contains(err.Error(), "gave up") {
		t.Fatalf("err %v", err)
	}
	// The abandoned conversion keeps its slot until it ends; Close waits.
	close(release)
	c.Close()
	select {
	case <-finished:
	default:
		t.Error("Close returned before the conversion ended")
	}
}

func TestConvertRecoversFromPanics(t *testing.T) {
	c := NewConverter(0)
	defer c.Close()
	c.convert = func(string, []byte) (string, error) { panic("boom") }
	if _, err := c.Convert(context.Background(), docPDF, "x.pdf", nil); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("err %v", err)
	}
}
