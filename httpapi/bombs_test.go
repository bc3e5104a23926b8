package httpapi_test

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/color/palette"
	"image/gif"
	"image/jpeg"
)

// Images that are small as files and huge as pixels, for the tests of what
// the server does before it decodes an upload.

// pngBomb is a w×h RGBA PNG of zero pixels (16 bits per channel when deep),
// compressed as a real encoder would: 7000×7000 at 16 bits is a 0.4 MB file
// that decodes to 392 MB.
func pngBomb(w, h int, deep bool) []byte {
	bpp := 4
	if deep {
		bpp = 8
	}
	row := 1 + w*bpp // filter byte and pixels
	// One segment of rows, compressed by a fresh compressor and flushed, so
	// it stands alone and can be repeated; then a final empty block.
	segment := func(rows int) []byte {
		var b bytes.Buffer
		fw, _ := flate.NewWriter(&b, flate.BestCompression)
		zeros := make([]byte, row)
		for i := 0; i < rows; i++ {
			_, _ = fw.Write(zeros)
		}
		_ = fw.Flush()
		return b.Bytes()
	}
	const per = 100
	var z bytes.Buffer
	z.Write([]byte{0x78, 0xda})
	full := segment(per)
	for i := 0; i < h/per; i++ {
		z.Write(full)
	}
	z.Write(segment(h % per))
	z.Write([]byte{0x03, 0x00}) // a final, empty fixed-Huffman block
	// Adler-32 of n zero bytes: a stays 1, b adds it n times.
	n := uint64(row) * uint64(h)
	_ = binary.Write(&z, binary.BigEndian, uint32(n%65521)<<16|1)

	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8], ihdr[9] = uint8(bpp*2), 6 // bit depth, RGBA
	var out bytes.Buffer
	out.WriteString("\x89PNG\r\n\x1a\n")
	pngChunk(&out, "IHDR", ihdr)
	pngChunk(&out, "IDAT", z.Bytes())
	pngChunk(&out, "IEND", nil)
	return out.Bytes()
}

func pngChunk(b *bytes.Buffer, typ string, data []byte) {
	_ = binary.Write(b, binary.BigEndian, uint32(len(data)))
	b.WriteString(typ)
	b.Write(data)
	_ = binary.Write(b, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(typ), data...)))
}

// jpegClaiming is a small JPEG whose frame header claims w×h pixels, marked
// progressive if asked (its coefficients would be kept whole).
func jpegClaiming(w, h int, progressive bool) []byte {
	var buf bytes.Buffer
	_ = jpeg.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 16, 16)), nil)
	b := buf.Bytes()
	i := bytes.Index(b, []byte{0xff, 0xc0})
	if progressive {
		b[i+1] = 0xc2
	}
	binary.BigEndian.PutUint16(b[i+5:], uint16(h))
	binary.BigEndian.PutUint16(b[i+7:], uint16(w))
	return b
}

// gifClaiming is a GIF whose logical screen is w×h, with frames frames.
func gifClaiming(w, h, frames int) []byte {
	g := &gif.GIF{}
	for i := 0; i < frames; i++ {
		m := image.NewPaletted(image.Rect(0, 0, 8, 8), palette.Plan9)
		m.Set(i%8, i%8, color.Black)
		g.Image, g.Delay = append(g.Image, m), append(g.Delay, 1)
	}
	var buf bytes.Buffer
	_ = gif.EncodeAll(&buf, g)
	b := buf.Bytes()
	binary.LittleEndian.PutUint16(b[6:], uint16(w))
	binary.LittleEndian.PutUint16(b[8:], uint16(h))
	return b
}

// webpLossless is the header of a lossless WebP of w×h (at most 16384 each)
// with no image data after it.
func webpLossless(w, h int) []byte {
	bits := uint32(w-1) | uint32(h-1)<<14
	chunk := []byte{'V', 'P', '8', 'L', 0, 0, 0, 0, 0x2f, 0, 0, 0, 0, 0}
	binary.LittleEndian.PutUint32(chunk[9:], bits)
	binary.LittleEndian.PutUint32(chunk[4:], 5) // the header, then a padding byte
	return riffWebP(chunk)
}

// webpCanvas is an extended WebP (VP8X) whose canvas is w×h.
func webpCanvas(w, h int) []byte {
	chunk := make([]byte, 18)
	copy(chunk, "VP8X")
	binary.LittleEndian.PutUint32(chunk[4:], 10)
	put24 := func(b []byte, v int) { b[0], b[1], b[2] = byte(v), byte(v>>8), byte(v>>16) }
	put24(chunk[12:], w-1)
	put24(chunk[15:], h-1)
	return riffWebP(chunk)
}

func riffWebP(chunks []byte) []byte {
	out := []byte("RIFF\x00\x00\x00\x00WEBP")
	out = append(out, chunks...)
	binary.LittleEndian.PutUint32(out[4:], uint32(len(out)-8))
	return out
}
