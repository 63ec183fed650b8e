package tools

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math"

	"golang.org/x/image/draw"
	"golang.org/x/image/webp"
)

// imageSniffBytes is how much of a file is read to detect an image.
const imageSniffBytes = 4100

// Image limits (pi's): fit 2000x2000 and stay under 4.5 MiB of base64.
const (
	imageMaxWidth    = 2000
	imageMaxHeight   = 2000
	imageMaxBase64   = 4.5 * 1024 * 1024
	imageJPEGQuality = 80
)

var jpegQualitySteps = []int{imageJPEGQuality, 85, 70, 55, 40}

// sniffImage returns the MIME type of a supported image from its first
// bytes, or "". Only JPEG, still PNG, GIF and WebP count, as in pi.
func sniffImage(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF}):
		if len(b) > 3 && b[3] == 0xF7 { // JPEG-LS
			return ""
		}
		return "image/jpeg"
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		if isStillPNG(b) {
			return "image/png"
		}
		return ""
	case bytes.HasPrefix(b, []byte("GIF")):
		return "image/gif"
	case len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		return "image/webp"
	}
	return ""
}

// isStillPNG checks the IHDR chunk and rejects animated PNGs (an acTL chunk
// before the first IDAT).
func isStillPNG(b []byte) bool {
	if len(b) < 16 || binary.BigEndian.Uint32(b[8:]) != 13 || string(b[12:16]) != "IHDR" {
		return false
	}
	off := 8
	for off+8 <= len(b) {
		n := int(binary.BigEndian.Uint32(b[off:]))
		switch string(b[off+4 : off+8]) {
		case "acTL":
			return false
		case "IDAT":
			return true
		}
		next := off + 8 + n + 4
		if next <= off || next > len(b) {
			return true
		}
		off = next
	}
	return true
}

// resizedImage is an image ready for the model.
type resizedImage struct {
	data               []byte
	mimeType           string
	origW, origH, w, h int
	wasResized         bool
}

func base64Len(n int) int { return (n + 2) / 3 * 4 }

// resizeImage applies EXIF orientation and fits the image into pi's limits:
// unchanged when it already fits, else scaled to 2000x2000 and encoded as
// PNG, then JPEG at falling qualities, shrinking by 0.75 until a candidate
// is under the size limit. nil means it could not be decoded or made small
// enough.
func resizeImage(data []byte, mimeType string) *resizedImage {
	img, err := decodeImage(data, mimeType)
	if err != nil {
		return nil
	}
	img = orient(img, exifOrientation(data))
	ow, oh := img.Bounds().Dx(), img.Bounds().Dy()
	if ow <= imageMaxWidth && oh <= imageMaxHeight && base64Len(len(data)) < imageMaxBase64 {
		return &resizedImage{data: data, mimeType: mimeType, origW: ow, origH: oh, w: ow, h: oh}
	}
	w, h := ow, oh
	if w > imageMaxWidth {
		h = jsRound(float64(h) * imageMaxWidth / float64(w))
		w = imageMaxWidth
	}
	if h > imageMaxHeight {
		w = jsRound(float64(w) * imageMaxHeight / float64(h))
		h = imageMaxHeight
	}
	for {
		if out, mt := encodeFitting(scale(img, w, h)); out != nil {
			return &resizedImage{data: out, mimeType: mt, origW: ow, origH: oh, w: w, h: h, wasResized: true}
		}
		if w == 1 && h == 1 {
			return nil
		}
		nw, nh := shrink(w), shrink(h)
		if nw == w && nh == h {
			return nil
		}
		w, h = nw, nh
	}
}

func shrink(v int) int {
	if v == 1 {
		return 1
	}
	return max(1, int(math.Floor(float64(v)*0.75)))
}

// jsRound is JavaScript's Math.round (halves go up).
func jsRound(x float64) int { return int(math.Floor(x + 0.5)) }

// encodeFitting returns the first encoding under the limit: PNG, then
// JPEG at each quality step.
func encodeFitting(img image.Image) ([]byte, string) {
	var buf bytes.Buffer
	if png.Encode(&buf, img) == nil && base64Len(buf.Len()) < imageMaxBase64 {
		return buf.Bytes(), "image/png"
	}
	for _, q := range jpegQualitySteps {
		buf.Reset()
		if jpeg.Encode(&buf, img, &jpeg.Options{Quality: q}) == nil && base64Len(buf.Len()) < imageMaxBase64 {
			return buf.Bytes(), "image/jpeg"
		}
	}
	return nil, ""
}

func decodeImage(data []byte, mimeType string) (image.Image, error) {
	r := bytes.NewReader(data)
	switch mimeType {
	case "image/jpeg":
		return jpeg.Decode(r)
	case "image/png":
		return png.Decode(r)
	case "image/gif":
		return gif.Decode(r)
	case "image/webp":
		return webp.Decode(r)
	}
	img, _, err := image.Decode(r)
	return img, err
}

// scale resamples img to w x h (Catmull-Rom, the closest x/image kernel to
// pi's Lanczos3).
func scale(img image.Image, w, h int) image.Image {
	dst := image.NewNRGBA(image.Rect(0, 0, w, h))
	draw.CatmullRom.Scale(dst, dst.Bounds(), img, img.Bounds(), draw.Src, nil)
	return dst
}

// dimensionNote tells the model how coordinates map back after a resize.
func (r *resizedImage) dimensionNote() string {
	if !r.wasResized {
		return ""
	}
	s := float64(r.origW) / float64(r.w)
	return "[Image: original " + itoa(r.origW) + "x" + itoa(r.origH) + ", displayed at " + itoa(r.w) + "x" + itoa(r.h) +
		". Multiply coordinates by " + toFixed(s, 2) + " to map to original image.]"
}
