package ask2live_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/ask2live/ask2live"
	"github.com/ask2live/ask2live/store/storetest"
)

// TestOldHashesAreUpgradedAtLogIn: an account whose hash was made with the
// old, costlier parameters logs in, is re-hashed with the current ones, and
// logs in again; a wrong password upgrades nothing.
func TestOldHashesAreUpgradedAtLogIn(t *testing.T) {
	storetest.Run(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		db := storetest.Open(t, backend)
		svc := ask2live.NewService(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
		old := ask2live.Argon2Params{Memory: 2048, Time: 3, Threads: 2}
		svc.Argon2 = old
		if _, _, err := svc.Register(ctx, ask2live.RegisterInput{Username: "early", Password: "an early password"}, ask2live.TokenBearer); err != nil {
			t.Fatal(err)
		}
		stored := func() string {
			_, h, err := db.PasswordHash(ctx, "early")
			if err != nil {
				t.Fatal(err)
			}
			return h
		}
		if h := stored(); !strings.Contains(h, "m=2048,t=3,p=2") {
			t.Fatalf("made with %s", h)
		}

		svc.Argon2 = ask2live.Argon2Params{Memory: 1024, Time: 2, Threads: 1} // the parameters change
		if _, _, err := svc.Login(ctx, "early", "a wrong password", ask2live.TokenBearer); ask2live.ErrorCode(err) != ask2live.EUnauthenticated {
			t.Fatalf("wrong password: %v", err)
		}
		if h := stored(); !strings.Contains(h, "m=2048,t=3,p=2") {
			t.Fatalf("a wrong password changed the hash to %s", h)
		}
		if _, _, err := svc.Login(ctx, "early", "an early password", ask2live.TokenBearer); err != nil {
			t.Fatal(err)
		}
		if h := stored(); !strings.Contains(h, "m=1024,t=2,p=1") {
			t.Fatalf("not upgraded at log-in: %s", h)
		}
		if _, _, err := svc.Login(ctx, "early", "an early password", ask2live.TokenBearer); err != nil {
			t.Fatalf("log-in after the upgrade: %v", err)
		}
	})
}

func TestDefaultArgon2FollowsOWASP(t *testing.T) {
	if p := ask2live.DefaultArgon2; p.Memory != 19*1024 || p.Time != 2 || p.Threads != 1 {
		t.Fatalf("default argon2id parameters %+v, want 19 MiB, 2 passes, 1 lane", p)
	}
}
