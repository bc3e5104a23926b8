package ask2live

import (
	"bytes"
	"context"
	"image"
	"image/draw"
	_ "image/gif" // decoders for avatar uploads
	"image/jpeg"
	_ "image/png"
	"strings"

	xdraw "golang.org/x/image/draw"
	_ "golang.org/x/image/webp"
)

// Avatar limits (SPEC section 3).
const (
	AvatarMaxBytes  = 5 << 20  // upload size
	AvatarMaxSide   = 512      // stored image fits in AvatarMaxSide × AvatarMaxSide
	AvatarMaxPixels = 50 << 20 // refuse to decode larger images (decompression bombs)
)

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
	out, err := normalizeAvatar(data)
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

func normalizeAvatar(data []byte) ([]byte, error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, Errorf(EUnsupported, "the file is not a JPEG, PNG, GIF or WebP image")
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > AvatarMaxPixels {
		return nil, Errorf(EInvalid, "the image dimensions are out of range")
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, Wrap(EInvalid, err, "the "+format+" image could not be decoded")
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w > AvatarMaxSide || h > AvatarMaxSide {
		if w >= h {
			w, h = AvatarMaxSide, max(1, h*AvatarMaxSide/w)
		} else {
			w, h = max(1, w*AvatarMaxSide/h), AvatarMaxSide
		}
	}
	// Draw onto white so transparent areas do not turn black in JPEG.
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(dst, dst.Bounds(), image.White, image.Point{}, draw.Src)
	xdraw.CatmullRom.Scale(dst, dst.Bounds(), img, b, xdraw.Over, nil)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, dst, &jpeg.Options{Quality: 85}); err != nil {
		return nil, Wrap(EInternal, err, "could not encode the image")
	}
	return buf.Bytes(), nil
}
