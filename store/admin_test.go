package store_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/ask2live/ask2live"
	"github.com/ask2live/ask2live/store/storetest"
)

func audit(actor *ask2live.User, action, target string, at time.Time) *ask2live.AuditEntry {
	e := &ask2live.AuditEntry{ID: ask2live.NewID(at), Action: action, TargetType: ask2live.AuditTargetUser, TargetID: target, CreatedAt: at}
	if actor != nil {
		e.ActorID = actor.ID
	}
	return e
}

// TestAdministration: role, suspension and deletion are stored with their
// audit entries; suspending or deleting revokes every credential; the
// listing and the log page and search as the site administration needs.
func TestAdministration(t *testing.T) {
	storetest.Run(t, func(t *testing.T, backend string) {
		db := storetest.Open(t, backend)
		admin, kim, lee := mkUser(t, db, "admin"), mkUser(t, db, "kim"), mkUser(t, db, "lee")
		at := func(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }

		if err := db.SetRole(ctx(), admin.ID, ask2live.RoleAdmin, audit(nil, ask2live.AuditGrantAdmin, admin.ID, at(1))); err != nil {
			t.Fatal(err)
		}
		got, err := db.UserByUsername(ctx(), "admin")
		if err != nil || got.Role != ask2live.RoleAdmin || !got.IsAdmin() {
			t.Fatalf("after grant: %+v %v", got, err)
		}
		wantCode(t, db.SetRole(ctx(), "nobody", ask2live.RoleAdmin, audit(nil, ask2live.AuditGrantAdmin, "nobody", at(1))), ask2live.ENotFound)

		for i, u := range []*ask2live.User{kim, lee} {
			tok := &ask2live.AuthToken{Hash: fmt.Sprintf("%064d", i), UserID: u.ID, Kind: "bearer", CreatedAt: at(0), ExpiresAt: at(600)}
			if err := db.CreateToken(ctx(), tok); err != nil {
				t.Fatal(err)
			}
		}
		kimTok, leeTok := fmt.Sprintf("%064d", 0), fmt.Sprintf("%064d", 1)
		// A token made after the suspension (a log-in that raced it) is
		// refused all the same.
		late := &ask2live.AuthToken{Hash: fmt.Sprintf("%064d", 9), UserID: kim.ID, Kind: "cookie", CreatedAt: at(0), ExpiresAt: at(600)}

		sus := at(2)
		if err := db.SetSuspended(ctx(), kim.ID, &sus, audit(admin, ask2live.AuditSuspendUser, kim.ID, at(2))); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.TokenUser(ctx(), kimTok, at(3)); ask2live.ErrorCode(err) != ask2live.ENotFound {
			t.Fatalf("a suspended account's token still works: %v", err)
		}
		if err := db.CreateToken(ctx(), late); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.TokenUser(ctx(), late.Hash, at(3)); ask2live.ErrorCode(err) != ask2live.ENotFound {
			t.Fatalf("a token made after the suspension works: %v", err)
		}
		if u, _, err := db.TokenUser(ctx(), leeTok, at(3)); err != nil || u.ID != lee.ID {
			t.Fatalf("suspending kim revoked lee: %v", err)
		}
		got, _ = db.UserByUsername(ctx(), "kim")
		if got.SuspendedAt == nil || !got.SuspendedAt.Equal(sus) {
			t.Fatalf("suspended_at = %v, want %v", got.SuspendedAt, sus)
		}
		if err := db.SetSuspended(ctx(), kim.ID, nil, audit(admin, ask2live.AuditUnsuspendUser, kim.ID, at(4))); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.TokenUser(ctx(), late.Hash, at(5)); err != nil {
			t.Fatalf("after unsuspending, a new token works: %v", err)
		}

		lee.AvatarURL, lee.Bio, lee.Company = "/media/avatars/x.jpg", "bio", "company"
		if err := db.UpdateUser(ctx(), lee); err != nil {
			t.Fatal(err)
		}
		if err := db.DeleteAccount(ctx(), lee.ID, at(6), audit(admin, ask2live.AuditDeleteUser, lee.ID, at(6))); err != nil {
			t.Fatal(err)
		}
		got, _ = db.UserByUsername(ctx(), "lee")
		if got.DisplayName != ask2live.DeletedDisplayName || got.Bio != "" || got.Company != "" || got.AvatarURL != "" ||
			got.DeletedAt == nil || !got.DeletedAt.Equal(at(6)) {
			t.Fatalf("deleted account: %+v", got)
		}
		if _, _, err := db.TokenUser(ctx(), leeTok, at(7)); ask2live.ErrorCode(err) != ask2live.ENotFound {
			t.Fatalf("a deleted account's token still works: %v", err)
		}
		_, hash, _ := db.PasswordHash(ctx(), "lee")
		if hash == "hash-lee" {
			t.Fatal("the deleted account's password hash was kept")
		}
		dup := &ask2live.User{ID: ask2live.NewID(t0), Username: "lee", DisplayName: "x", CreatedAt: t0}
		wantCode(t, db.CreateUser(ctx(), dup, "h"), ask2live.EConflict)

		// Listing: by username, searched, paged.
		for i := range 5 {
			mkUser(t, db, fmt.Sprintf("park%d", i))
		}
		page, err := db.AdminUsers(ctx(), ask2live.AdminUserFilter{Text: "PARK", Limit: 3})
		if err != nil || len(page.Items) != 3 || page.Items[0].Username != "park0" || page.NextCursor != "park2" {
			t.Fatalf("first page: %+v %v", page, err)
		}
		page, err = db.AdminUsers(ctx(), ask2live.AdminUserFilter{Text: "park", Cursor: page.NextCursor, Limit: 3})
		if err != nil || len(page.Items) != 2 || page.Items[0].Username != "park3" || page.NextCursor != "" {
			t.Fatalf("second page: %+v %v", page, err)
		}
		page, err = db.AdminUsers(ctx(), ask2live.AdminUserFilter{Text: "이름 ki", Limit: 10})
		if err != nil || len(page.Items) != 1 || page.Items[0].Username != "kim" || page.Items[0].SuspendedAt != nil {
			t.Fatalf("by display name: %+v %v", page, err)
		}
		page, _ = db.AdminUsers(ctx(), ask2live.AdminUserFilter{Text: "a_m", Limit: 10})
		if len(page.Items) != 0 {
			t.Fatalf("'_' matched as a wildcard: %+v", page.Items)
		}

		// The log: newest first, actors and targets named, paged.
		if err := db.AddAudit(ctx(), &ask2live.AuditEntry{ID: ask2live.NewID(at(8)), ActorID: admin.ID, Action: ask2live.AuditRemoveSession,
			TargetType: ask2live.AuditTargetSession, TargetID: "s1", Detail: "live → cancelled: 제목", CreatedAt: at(8)}); err != nil {
			t.Fatal(err)
		}
		log, err := db.AuditLog(ctx(), "", 3)
		if err != nil || len(log.Items) != 3 || log.NextCursor == "" {
			t.Fatalf("log: %+v %v", log, err)
		}
		first := log.Items[0]
		if first.Action != ask2live.AuditRemoveSession || first.Target != "s1" || first.Detail != "live → cancelled: 제목" ||
			first.Actor == nil || first.Actor.Username != "admin" || !first.CreatedAt.Equal(at(8)) {
			t.Fatalf("newest entry: %+v", first)
		}
		if log.Items[1].Action != ask2live.AuditDeleteUser || log.Items[1].Target != "lee" {
			t.Fatalf("second entry: %+v", log.Items[1])
		}
		rest, err := db.AuditLog(ctx(), log.NextCursor, 10)
		if err != nil || len(rest.Items) != 2 || rest.NextCursor != "" {
			t.Fatalf("rest of the log: %+v %v", rest, err)
		}
		if last := rest.Items[1]; last.Action != ask2live.AuditGrantAdmin || last.Actor != nil || last.Target != "admin" {
			t.Fatalf("the command line's entry: %+v", last)
		}
	})
}
