package store_test

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ask2live/ask2live"
	"github.com/ask2live/ask2live/store/storetest"
)

func TestCommandClaims(t *testing.T) {
	storetest.Run(t, func(t *testing.T, backend string) {
		db := storetest.Open(t, backend)
		k := ask2live.CommandKey{SessionID: "s1", UserID: "u1", CID: "c1"}

		claimed, reply, _, err := db.ClaimCommand(ctx(), k, t0)
		if err != nil || !claimed || reply != nil {
			t.Fatalf("first claim = %v, %q, %v", claimed, reply, err)
		}
		claimed, reply, at, err := db.ClaimCommand(ctx(), k, t0.Add(time.Second))
		if err != nil || claimed || reply != nil || !at.Equal(t0) {
			t.Fatalf("claim while running = %v, %q, %v, %v", claimed, reply, at, err)
		}
		// Another user's or another session's c1 is another command.
		for _, other := range []ask2live.CommandKey{{SessionID: "s1", UserID: "u2", CID: "c1"}, {SessionID: "s2", UserID: "u1", CID: "c1"}, {SessionID: "s1", UserID: "u1", CID: "C1"}} {
			if claimed, _, _, err := db.ClaimCommand(ctx(), other, t0); err != nil || !claimed {
				t.Fatalf("claim of %v = %v, %v", other, claimed, err)
			}
		}

		// A stale claim is retaken once; the second retake of the same
		// claim loses.
		if ok, err := db.RetakeCommand(ctx(), k, t0, t0.Add(time.Minute)); err != nil || !ok {
			t.Fatalf("retake = %v, %v", ok, err)
		}
		if ok, err := db.RetakeCommand(ctx(), k, t0, t0.Add(time.Minute)); err != nil || ok {
			t.Fatalf("second retake = %v, %v", ok, err)
		}

		if err := db.CompleteCommand(ctx(), k, []byte(`{"type":"ack","cid":"c1"}`)); err != nil {
			t.Fatal(err)
		}
		claimed, reply, _, err = db.ClaimCommand(ctx(), k, t0.Add(2*time.Minute))
		if err != nil || claimed || string(reply) != `{"type":"ack","cid":"c1"}` {
			t.Fatalf("claim after completion = %v, %q, %v", claimed, reply, err)
		}
		// An answered command is not released (only refused ones are).
		if err := db.ReleaseCommand(ctx(), k); err != nil {
			t.Fatal(err)
		}
		if claimed, reply, _, _ := db.ClaimCommand(ctx(), k, t0); claimed || reply == nil {
			t.Fatal("releasing an answered command forgot its answer")
		}

		refused := ask2live.CommandKey{SessionID: "s1", UserID: "u1", CID: "refused"}
		if claimed, _, _, _ := db.ClaimCommand(ctx(), refused, t0); !claimed {
			t.Fatal("claim refused")
		}
		if err := db.ReleaseCommand(ctx(), refused); err != nil {
			t.Fatal(err)
		}
		if claimed, _, _, _ := db.ClaimCommand(ctx(), refused, t0); !claimed {
			t.Fatal("a released command could not be claimed again")
		}

		n, err := db.DeleteCommandsBefore(ctx(), t0.Add(30*time.Second))
		if err != nil || n != 4 {
			t.Fatalf("deleted %d, %v; want the 4 claims made at t0", n, err)
		}
		if claimed, _, _, _ := db.ClaimCommand(ctx(), k, t0); claimed {
			t.Fatal("a command claimed after the cut was deleted")
		}
	})
}

// TestCommandClaimRace: of many callers claiming one command at once,
// exactly one wins.
func TestCommandClaimRace(t *testing.T) {
	storetest.Run(t, func(t *testing.T, backend string) {
		db := storetest.Open(t, backend)
		k := ask2live.CommandKey{SessionID: "s1", UserID: "u1", CID: "race"}
		var wins atomic.Int32
		var wg sync.WaitGroup
		for range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				claimed, _, _, err := db.ClaimCommand(ctx(), k, t0)
				if err != nil {
					t.Error(err)
				}
				if claimed {
					wins.Add(1)
				}
			}()
		}
		wg.Wait()
		if wins.Load() != 1 {
			t.Fatalf("%d callers claimed the command, want 1", wins.Load())
		}
	})
}
