package httpapi_test

import (
	"bytes"
	"image"
	_ "image/gif"
	_ "image/jpeg"
	"image/png"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ask2live/ask2live"
	_ "golang.org/x/image/webp"
)

// avatarBombs are uploads that are small files and huge images: each is
// refused from its header, before a pixel is decoded.
var avatarBombs = sync.OnceValue(func() map[string][]byte {
	return map[string][]byte{
		"PNG 7000x7000 16-bit":                pngBomb(7000, 7000, true), // 0.4 MB; 392 MB decoded
		"PNG 6000x6000 16-bit (under pixels)": pngBomb(6000, 6000, true), // 36 MP, but 288 MB to decode
		"JPEG 60000x60000":                    jpegClaiming(60000, 60000, false),
		"progressive JPEG 5000x5000":          jpegClaiming(5000, 5000, true), // 25 MP, 375 MB with its coefficients
		"GIF 65535x65535":                     gifClaiming(65535, 65535, 3),
		"WebP lossless 16384x16384":           webpLossless(16384, 16384),
		"WebP canvas 40000x40000":             webpCanvas(40000, 40000),
	}
})

// TestAvatarBombHeaders: the bombs say what they should, and a small one
// made the same way is a PNG that decodes.
func TestAvatarBombHeaders(t *testing.T) {
	for name, b := range avatarBombs() {
		cfg, _, err := image.DecodeConfig(bytes.NewReader(b))
		if err != nil || cfg.Width < 5000 || cfg.Height < 5000 || len(b) > ask2live.AvatarMaxBytes {
			t.Errorf("%s: %v %dx%d (%d bytes)", name, err, cfg.Width, cfg.Height, len(b))
		}
	}
	img, err := png.Decode(bytes.NewReader(pngBomb(300, 250, true)))
	if err != nil || img.Bounds().Dx() != 300 || img.Bounds().Dy() != 250 {
		t.Fatalf("a small PNG made like the bombs: %v", err)
	}
}

// TestAvatarBombs: several decompression bombs uploaded at once are all
// refused with 413 before any is decoded, nothing is stored, and the
// server keeps answering meanwhile.
func TestAvatarBombs(t *testing.T) {
	e := newEnv(t, "sqlite")
	guest := e.register("guest")
	bombs := avatarBombs()
	before := e.rows(t)

	done := make(chan struct{})
	var slowest time.Duration
	healthDone := make(chan struct{})
	go func() {
		defer close(healthDone)
		for {
			select {
			case <-done:
				return
			default:
			}
			start := time.Now()
			resp, err := e.srv.Client().Get(e.srv.URL + "/healthz")
			if err == nil {
				resp.Body.Close()
			}
			slowest = max(slowest, time.Since(start))
			time.Sleep(10 * time.Millisecond)
		}
	}()
	var wg sync.WaitGroup
	var mu sync.Mutex
	got := map[string]response{}
	for round := 0; round < 2; round++ {
		for name, b := range bombs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := e.multipart("/api/v1/me/avatar", guest.Token, b)
				mu.Lock()
				got[name+" #"+strconv.Itoa(round)] = r
				mu.Unlock()
			}()
		}
	}
	wg.Wait()
	close(done)
	<-healthDone

	for name, r := range got {
		if r.status != http.StatusRequestEntityTooLarge || r.problem(t).Code != ask2live.ETooLarge {
			t.Errorf("%s: %d %s, want 413 too_large", name, r.status, r.body)
		}
	}
	if n := e.svc.AvatarDecodes(); n != 0 {
		t.Errorf("%d bombs were decoded; want all refused from their headers", n)
	}
	if slowest > 2*time.Second {
		t.Errorf("/healthz took %v while bombs were uploaded", slowest)
	}
	if after := e.rows(t); after != before {
		t.Errorf("refused uploads changed the database:\nbefore %s\nafter  %s", before, after)
	}
	// A real avatar still goes through, and is the one image decoded.
	if r := e.multipart("/api/v1/me/avatar", guest.Token, pngImage(800, 600)); r.status != 200 {
		t.Fatalf("a real avatar: %d %s", r.status, r.body)
	}
	if n := e.svc.AvatarDecodes(); n != 1 {
		t.Fatalf("%d decodes after one real upload", n)
	}
}
