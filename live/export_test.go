package live

// SettleVotes publishes a room's pending vote events now, and returns once
// every vote change reported before it is published.
func (h *Hub) SettleVotes(sessionID string) { h.questions.settle(sessionID) }

// Renew starts a new epoch now, as the bus does when it finds its log lost.
func (b *RedisBus) Renew() { b.renew(b.Epoch()) }
