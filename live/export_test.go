package live

import "strings"

// SettleVotes publishes a room's pending vote events now, and returns once
// every vote change reported before it is published.
func (h *Hub) SettleVotes(sessionID string) { h.questions.settle(sessionID) }

// Renew starts a new epoch now, as the bus does when it finds its log lost.
func (b *RedisBus) Renew() { b.renew(b.Epoch()) }

// RoomDone is closed when the session's room on this node has stopped (nil
// when none runs).
func (h *Hub) RoomDone(sessionID string) <-chan struct{} {
	if r := h.existing(sessionID); r != nil {
		return r.done
	}
	return nil
}

// HasTopic reports whether the bus keeps anything for a topic.
func (b *MemoryBus) HasTopic(t string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	_, seq := b.seqs[t]
	_, here := b.presence[t]
	for k := range b.values {
		if strings.HasPrefix(k, t+"\x00") {
			here = true
		}
	}
	return seq || here
}

// EpochKey is the Redis key holding the deployment's epoch.
func (b *RedisBus) EpochKey() string { return b.epochKey() }
