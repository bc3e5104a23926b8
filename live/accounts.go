package live

import (
	"context"
	"log/slog"
	"time"

	"github.com/ask2live/ask2live"
)

// closedAccountReason is the close reason of a suspended or deleted
// account's sockets (close code CloseUnauthorized).
const closedAccountReason = "the account can no longer sign in"

var _ ask2live.AccountWatcher = (*Hub)(nil)

// AccountClosed closes every socket this node holds for the account: it was
// suspended or deleted, and its credentials are gone, so it cannot come back.
func (h *Hub) AccountClosed(username string) {
	h.mu.Lock()
	rooms := make([]*Room, 0, len(h.rooms))
	for _, r := range h.rooms {
		rooms = append(rooms, r)
	}
	h.mu.Unlock()
	for _, r := range rooms {
		go r.do(func() {
			for c := range r.conns {
				if c.user.Username == username {
					c.finish(CloseUnauthorized, closedAccountReason, true)
				}
			}
		})
	}
}

const accountsTopic = "accounts"

// AccountsOverBus returns the AccountWatcher of a node that shares bus with
// others: a closed account's sockets close here at once and, through the
// bus, on every other node. stop ends the subscription.
func AccountsOverBus(bus Bus, hub *Hub, log *slog.Logger) (w ask2live.AccountWatcher, stop func()) {
	cancel, _ := bus.Subscribe(accountsTopic, false, func(_ uint64, msg []byte) {
		hub.AccountClosed(string(msg))
	})
	return accountsBus{bus, hub, log}, cancel
}

type accountsBus struct {
	bus Bus
	hub *Hub
	log *slog.Logger
}

func (a accountsBus) AccountClosed(username string) {
	a.hub.AccountClosed(username)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if _, err := a.bus.Publish(ctx, accountsTopic, []byte(username)); err != nil {
			// Other nodes' sockets of the account stay open until they
			// close by themselves; its credentials are revoked all the same.
			a.log.Warn("telling other nodes to close an account's sockets", slog.String("user", username), slog.Any("err", err))
		}
	}()
}
