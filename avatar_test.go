package ask2live

import (
	"bytes"
	"context"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"
	"time"
)

func encodePNG(t *testing.T, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestDecodeCost(t *testing.T) {
	cost := func(data []byte) int64 {
		t.Helper()
		cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		return decodeCost(cfg, format, data) - 4<<20
	}
	r := image.Rect(0, 0, 100, 100)
	if got := cost(encodePNG(t, image.NewRGBA64(r))); got != 100*100*8 {
		t.Errorf("16-bit RGBA PNG: %d bytes, want 8 per pixel", got)
	}
	if got := cost(encodePNG(t, image.NewGray(r))); got != 100*100 {
		t.Errorf("grey PNG: %d bytes, want 1 per pixel", got)
	}
	interlaced := encodePNG(t, image.NewGray(r))
	interlaced[28] = 1
	binary.BigEndian.PutUint32(interlaced[29:33], crc32.ChecksumIEEE(interlaced[12:29]))
	if got := cost(interlaced); got != 2*100*100 {
		t.Errorf("interlaced grey PNG: %d bytes, want 2 per pixel", got)
	}
	var buf bytes.Buffer
	_ = jpeg.Encode(&buf, image.NewRGBA(r), nil)
	baseline := buf.Bytes()
	if got := cost(baseline); got != 100*100*3 {
		t.Errorf("baseline JPEG: %d bytes, want 3 per pixel", got)
	}
	// The same frame marked progressive (SOF2): its coefficients are kept
	// until the last scan.
	progressive := bytes.Replace(baseline, []byte{0xff, 0xc0}, []byte{0xff, 0xc2}, 1)
	if got := cost(progressive); got != 100*100*15 {
		t.Errorf("progressive JPEG: %d bytes, want 15 per pixel", got)
	}
}

func TestAvatarDecoderRefusesBeforeDecoding(t *testing.T) {
	ctx := context.Background()
	d := newAvatarDecoder(AvatarLimits{MaxPixels: 100 * 100, DecodeMemory: 4<<20 + 50*50*8})
	if _, err := d.normalize(ctx, encodePNG(t, image.NewGray(image.Rect(0, 0, 101, 100)))); ErrorCode(err) != ETooLarge {
		t.Fatalf("over the pixel limit: %v, want too_large", err)
	}
	// Within the pixel limit, but 16 bits per channel need more memory
	// than the budget.
	if _, err := d.normalize(ctx, encodePNG(t, image.NewRGBA64(image.Rect(0, 0, 60, 60)))); ErrorCode(err) != ETooLarge {
		t.Fatalf("over the memory budget: %v, want too_large", err)
	}
	if n := d.decodes.Load(); n != 0 {
		t.Fatalf("%d images decoded, want none", n)
	}
	if _, err := d.normalize(ctx, encodePNG(t, image.NewRGBA64(image.Rect(0, 0, 50, 50)))); err != nil {
		t.Fatalf("within both: %v", err)
	}
}

func TestAvatarDecoderBusy(t *testing.T) {
	ctx := context.Background()
	d := newAvatarDecoder(AvatarLimits{DecodeMemory: 8 << 20, Wait: 20 * time.Millisecond})
	small := encodePNG(t, image.NewGray(image.Rect(0, 0, 10, 10)))
	// Another decode holds the whole budget: this one waits, then is told
	// to come back.
	if err := d.memory.Acquire(ctx, 8<<20); err != nil {
		t.Fatal(err)
	}
	if _, err := d.normalize(ctx, small); ErrorCode(err) != EUnavailable {
		t.Fatalf("memory budget taken: %v, want unavailable", err)
	}
	d.memory.Release(8 << 20)
	// Every decode slot is taken.
	for i := 0; i < cap(d.slots); i++ {
		d.slots <- struct{}{}
	}
	if _, err := d.normalize(ctx, small); ErrorCode(err) != EUnavailable {
		t.Fatalf("slots taken: %v, want unavailable", err)
	}
	for i := 0; i < cap(d.slots); i++ {
		<-d.slots
	}
	if _, err := d.normalize(ctx, small); err != nil {
		t.Fatalf("free again: %v", err)
	}
}

func TestAvatarDecodeTimeout(t *testing.T) {
	d := newAvatarDecoder(AvatarLimits{Timeout: time.Nanosecond})
	img := image.NewNRGBA(image.Rect(0, 0, 300, 300))
	for x := 0; x < 300; x++ {
		img.Set(x, x, color.NRGBA{255, 0, 0, 255})
	}
	_, err := d.normalize(context.Background(), encodePNG(t, img))
	if ErrorCode(err) != ETooLarge {
		t.Fatalf("decode past its deadline: %v, want too_large", err)
	}
}
