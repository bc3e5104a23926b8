package ask2live

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/draw"
	_ "image/gif" // decoders for avatar uploads
	"image/jpeg"
	_ "image/png"
	"io"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	xdraw "golang.org/x/image/draw"
	_ "golang.org/x/image/webp"
	"golang.org/x/sync/semaphore"
)

// Avatar limits (SPEC section 3).
const (
	AvatarMaxBytes = 5 << 20 // upload size
	AvatarMaxSide  = 512     // stored image fits in AvatarMaxSide × AvatarMaxSide
)

// AvatarLimits bound the work of decoding uploads. A small compressed file
// can describe a huge image (a 0.38 MB PNG decodes to 400 MB), so the
// header is read first and the decode is refused, queued or timed out by
// what it would take, not by the size of the upload.
type AvatarLimits struct {
	// MaxPixels is the largest width × height accepted.
	MaxPixels int64
	// DecodeMemory is the memory, in bytes, that the decodes in flight may
	// hold together, as estimated from each header. An image that alone
	// needs more is refused; one that does not fit beside the others waits.
	DecodeMemory int64
	// Wait is how long an upload waits for its share before the server
	// answers that it is busy.
	Wait time.Duration
	// Timeout bounds one decode (reading the pixels) after it started.
	Timeout time.Duration
}

// DefaultAvatarLimits are the limits unless the operator sets others.
var DefaultAvatarLimits = AvatarLimits{MaxPixels: 40_000_000, DecodeMemory: 256 << 20, Wait: 5 * time.Second, Timeout: 10 * time.Second}

// MediaURLPrefix is where stored media is served.
const MediaURLPrefix = "/media/"

// SetAvatar decodes an uploaded image (JPEG, PNG, GIF or WebP), scales it to
// fit AvatarMaxSide, re-encodes it as JPEG and makes it the actor's avatar.
// The stored name is chosen by the server, never by the client.
func (s *Service) SetAvatar(ctx context.Context, actor *User, data []byte) (*User, error) {
	if err := requireUser(actor); err != nil {
		return nil, err
	}
	if len(data) > AvatarMaxBytes {
		return nil, Errorf(ETooLarge, "the image must be at most 5 MB")
	}
	out, err := s.avatarDecoder().normalize(ctx, data)
	if err != nil {
		return nil, err
	}
	u, err := s.Store.UserByID(ctx, actor.ID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	key := "avatars/" + NewID(now) + ".jpg"
	if err := s.Store.PutMedia(ctx, key, "image/jpeg", out, now); err != nil {
		return nil, err
	}
	old := strings.TrimPrefix(u.AvatarURL, MediaURLPrefix)
	u.AvatarURL = MediaURLPrefix + key
	defer s.invalidate(Invalidation{User: u.ID})
	if err := s.Store.UpdateUser(ctx, u); err != nil {
		return nil, err
	}
	if old != "" && old != u.AvatarURL {
		if err := s.Store.DeleteMedia(ctx, old); err != nil && s.Log != nil {
			s.Log.Warn("could not delete old avatar", "key", old, "err", err)
		}
	}
	return u, nil
}

// AvatarDecodes returns how many uploads got as far as decoding their
// pixels: refused images never do.
func (s *Service) AvatarDecodes() int64 { return s.avatarDecoder().decodes.Load() }

// avatarDecoder returns the decoder, built from AvatarLimits on first use.
func (s *Service) avatarDecoder() *avatarDecoder {
	s.avatarsOnce.Do(func() { s.avatars = newAvatarDecoder(s.AvatarLimits) })
	return s.avatars
}

// avatarDecoder bounds the decodes in flight by their memory and by CPU
// slots: at most half the cores decode at once, so requests keep being
// answered while someone uploads heavy images.
type avatarDecoder struct {
	limits  AvatarLimits
	memory  *semaphore.Weighted
	slots   chan struct{}
	decodes atomic.Int64
}

func newAvatarDecoder(l AvatarLimits) *avatarDecoder {
	d := DefaultAvatarLimits
	if l.MaxPixels > 0 {
		d.MaxPixels = l.MaxPixels
	}
	if l.DecodeMemory > 0 {
		d.DecodeMemory = l.DecodeMemory
	}
	if l.Wait > 0 {
		d.Wait = l.Wait
	}
	if l.Timeout > 0 {
		d.Timeout = l.Timeout
	}
	return &avatarDecoder{limits: d, memory: semaphore.NewWeighted(d.DecodeMemory),
		slots: make(chan struct{}, max(1, runtime.GOMAXPROCS(0)/2))}
}

// normalize checks the header, waits for room to decode, decodes within
// the time limit, and returns the image scaled to fit AvatarMaxSide as JPEG.
func (d *avatarDecoder) normalize(ctx context.Context, data []byte) ([]byte, error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, Errorf(EUnsupported, "the file is not a JPEG, PNG, GIF or WebP image")
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, Errorf(EInvalid, "the image has no pixels")
	}
	if px := int64(cfg.Width) * int64(cfg.Height); px > d.limits.MaxPixels {
		return nil, Errorf(ETooLarge, "the image is %d×%d pixels; at most %.0f megapixels are accepted",
			cfg.Width, cfg.Height, float64(d.limits.MaxPixels)/1e6)
	}
	cost := decodeCost(cfg, format, data)
	if cost > d.limits.DecodeMemory {
		return nil, Errorf(ETooLarge, "the image is %d×%d pixels at %s; it would take %d MB to decode, more than the %d MB allowed",
			cfg.Width, cfg.Height, colorName(cfg.ColorModel), cost>>20, d.limits.DecodeMemory>>20)
	}
	release, err := d.acquire(ctx, cost)
	if err != nil {
		return nil, err
	}
	defer release()
	d.decodes.Add(1)
	dctx, cancel := context.WithTimeout(ctx, d.limits.Timeout)
	defer cancel()
	img, _, err := image.Decode(&ctxReader{ctx: dctx, r: bytes.NewReader(data)})
	if err != nil {
		if errors.Is(dctx.Err(), context.DeadlineExceeded) {
			return nil, Wrap(ETooLarge, err, "the image takes too long to decode; send a smaller one")
		}
		return nil, Wrap(EInvalid, err, "the "+format+" image could not be decoded")
	}
	return scaleToJPEG(img)
}

// acquire waits, at most limits.Wait, for a decode slot and cost bytes of
// the memory budget; release gives them back.
func (d *avatarDecoder) acquire(ctx context.Context, cost int64) (release func(), err error) {
	wctx, cancel := context.WithTimeout(ctx, d.limits.Wait)
	defer cancel()
	busy := func(err error) error {
		return Wrap(EUnavailable, err, "the server is busy with other images; try again shortly")
	}
	select {
	case d.slots <- struct{}{}:
	case <-wctx.Done():
		return nil, busy(wctx.Err())
	}
	if err := d.memory.Acquire(wctx, cost); err != nil {
		<-d.slots
		return nil, busy(err)
	}
	return func() { d.memory.Release(cost); <-d.slots }, nil
}

// decodeCost estimates the bytes a decoder holds for an image: the pixels
// at the bytes per pixel of its colour model, and what the format keeps
// beside them — the coefficients of a progressive JPEG (4 bytes per pixel
// and component), the passes of an interlaced PNG, the working buffer of
// WebP. Scaling and encoding the result add a fixed few megabytes.
func decodeCost(cfg image.Config, format string, data []byte) int64 {
	px := int64(cfg.Width) * int64(cfg.Height)
	per := bytesPerPixel(cfg.ColorModel)
	switch format {
	case "jpeg":
		if jpegProgressive(data) {
			per += 4 * jpegComponents(cfg.ColorModel)
		}
		if cfg.ColorModel == color.CMYKModel {
			per += 4 // CMYK and YCCK are decoded into a second image first
		}
	case "png":
		// The interlace method is the last byte of the IHDR chunk; each
		// Adam7 pass is decoded into an image of its own.
		if len(data) > 28 && data[28] != 0 {
			per *= 2
		}
	case "webp":
		per = 8
	}
	const fixed = 4 << 20 // the scaled copy, the scaler's buffers and the JPEG
	return px*per + fixed
}

func bytesPerPixel(m color.Model) int64 {
	switch m {
	case color.GrayModel, color.AlphaModel:
		return 1
	case color.Gray16Model, color.Alpha16Model:
		return 2
	case color.YCbCrModel:
		return 3
	case color.RGBAModel, color.NRGBAModel, color.NYCbCrAModel, color.CMYKModel:
		return 4
	}
	if _, ok := m.(color.Palette); ok {
		return 1
	}
	return 8 // 16 bits per channel, or a model this list does not know
}

func colorName(m color.Model) string {
	if bytesPerPixel(m) == 8 {
		return "16 bits per channel"
	}
	return "8 bits per channel"
}

func jpegComponents(m color.Model) int64 {
	switch m {
	case color.GrayModel:
		return 1
	case color.CMYKModel:
		return 4
	}
	return 3
}

// jpegProgressive reports whether a JPEG's frame is progressive, walking the
// markers up to its start-of-frame. What it cannot read counts as
// progressive, the costlier guess.
func jpegProgressive(b []byte) bool {
	for i := 2; i+4 <= len(b); {
		if b[i] != 0xff {
			return true
		}
		m := b[i+1]
		switch {
		case m == 0xff: // fill byte
			i++
			continue
		case m == 0xc2 || m == 0xc6 || m == 0xca || m == 0xce:
			return true
		case m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc:
			return false // a sequential frame
		case m == 0x01 || m >= 0xd0 && m <= 0xd8:
			i += 2 // markers without a length
			continue
		}
		i += 2 + (int(b[i+2])<<8 | int(b[i+3]))
	}
	return true
}

// ctxReader fails reads once its context is done, so a decoder reading
// from it stops at the deadline.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (r *ctxReader) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	// Small reads, so a decoder notices the deadline between them.
	return r.r.Read(p[:min(len(p), 64<<10)])
}

// scaleToJPEG fits img into AvatarMaxSide on white (transparent areas would
// turn black in JPEG) and encodes it.
func scaleToJPEG(img image.Image) ([]byte, error) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w > AvatarMaxSide || h > AvatarMaxSide {
		if w >= h {
			w, h = AvatarMaxSide, max(1, h*AvatarMaxSide/w)
		} else {
			w, h = max(1, w*AvatarMaxSide/h), AvatarMaxSide
		}
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(dst, dst.Bounds(), image.White, image.Point{}, draw.Src)
	xdraw.CatmullRom.Scale(dst, dst.Bounds(), img, b, xdraw.Over, nil)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, dst, &jpeg.Options{Quality: 85}); err != nil {
		return nil, Wrap(EInternal, err, "could not encode the image")
	}
	return buf.Bytes(), nil
}
