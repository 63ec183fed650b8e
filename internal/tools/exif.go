package tools

import (
	"encoding/binary"
	"image"
	"strconv"
)

// The EXIF orientation tag is all read needs from EXIF; the libraries that
// parse full EXIF are large and mostly unmaintained, so this reads the one
// tag from the TIFF block of a JPEG APP1 segment or a WebP EXIF chunk.

// exifOrientation returns the orientation (1-8) of a JPEG or WebP, 1 when
// absent or unreadable.
func exifOrientation(b []byte) int {
	off := -1
	switch {
	case len(b) >= 2 && b[0] == 0xFF && b[1] == 0xD8:
		off = jpegTIFFOffset(b)
	case len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		off = webpTIFFOffset(b)
	}
	if off < 0 {
		return 1
	}
	return tiffOrientation(b, off)
}

func hasExifHeader(b []byte, off int) bool {
	return off+6 <= len(b) && string(b[off:off+6]) == "Exif\x00\x00"
}

// jpegTIFFOffset walks the JPEG markers up to the first APP1 segment.
func jpegTIFFOffset(b []byte) int {
	off := 2
	for off < len(b)-1 {
		if b[off] != 0xFF {
			return -1
		}
		marker := b[off+1]
		if marker == 0xFF {
			off++
			continue
		}
		if marker == 0xE1 {
			start := off + 4
			if !hasExifHeader(b, start) {
				return -1
			}
			return start + 6
		}
		if off+4 > len(b) {
			return -1
		}
		off += 2 + int(binary.BigEndian.Uint16(b[off+2:]))
	}
	return -1
}

// webpTIFFOffset walks the RIFF chunks to the EXIF chunk.
func webpTIFFOffset(b []byte) int {
	off := 12
	for off+8 <= len(b) {
		id := string(b[off : off+4])
		size := int(binary.LittleEndian.Uint32(b[off+4:]))
		data := off + 8
		if id == "EXIF" {
			if data+size > len(b) {
				return -1
			}
			if size >= 6 && hasExifHeader(b, data) {
				return data + 6
			}
			return data
		}
		if size < 0 || data+size+size%2 <= off {
			return -1
		}
		off = data + size + size%2
	}
	return -1
}

// tiffOrientation reads tag 0x0112 from IFD0 of the TIFF block at off.
func tiffOrientation(b []byte, off int) int {
	if off+8 > len(b) {
		return 1
	}
	var bo binary.ByteOrder = binary.BigEndian
	if b[off] == 'I' && b[off+1] == 'I' {
		bo = binary.LittleEndian
	}
	ifd := off + int(bo.Uint32(b[off+4:]))
	if ifd < off || ifd+2 > len(b) {
		return 1
	}
	n := int(bo.Uint16(b[ifd:]))
	for i := 0; i < n; i++ {
		e := ifd + 2 + i*12
		if e+12 > len(b) {
			return 1
		}
		if bo.Uint16(b[e:]) == 0x0112 {
			v := int(bo.Uint16(b[e+8:]))
			if v >= 1 && v <= 8 {
				return v
			}
			return 1
		}
	}
	return 1
}

// orient returns img turned upright for an EXIF orientation.
func orient(img image.Image, o int) image.Image {
	if o <= 1 || o > 8 {
		return img
	}
	src := img.Bounds()
	w, h := src.Dx(), src.Dy()
	dw, dh := w, h
	if o >= 5 {
		dw, dh = h, w
	}
	dst := image.NewNRGBA(image.Rect(0, 0, dw, dh))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var dx, dy int
			switch o {
			case 2: // mirrored horizontally
				dx, dy = w-1-x, y
			case 3: // rotated 180
				dx, dy = w-1-x, h-1-y
			case 4: // mirrored vertically
				dx, dy = x, h-1-y
			case 5: // transposed
				dx, dy = y, x
			case 6: // rotated 90 clockwise
				dx, dy = h-1-y, x
			case 7: // transversed
				dx, dy = h-1-y, w-1-x
			case 8: // rotated 90 counter-clockwise
				dx, dy = y, w-1-x
			}
			dst.Set(dx, dy, img.At(src.Min.X+x, src.Min.Y+y))
		}
	}
	return dst
}

func itoa(n int) string { return strconv.Itoa(n) }
