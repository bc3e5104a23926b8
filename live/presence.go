package live

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// Arrival is a connection that joined a room on some node.
type Arrival struct {
	Conn    string // unique in the cluster
	User    string // username
	Summary []byte // the user's ask2live.UserSummary as JSON
}

// presenceSet is who is in a room: each connection, on any node, and how
// many connections each user has. The in-memory bus keeps one per topic;
// the Redis bus keeps the same in Redis hashes, changed by a script that
// follows the same steps (see presenceScript).
type presenceSet struct {
	conns  map[string]string // connection → username
	counts map[string]int    // username → connections
	users  map[string][]byte // username → summary JSON
}

func newPresenceSet() *presenceSet {
	return &presenceSet{conns: map[string]string{}, counts: map[string]int{}, users: map[string][]byte{}}
}

// apply adds the arrivals, then removes the departures, and returns the
// presence event for the users whose presence changed, or nil: joined are
// those who were absent and are present now, left those who are absent now
// and were present or arrived in this batch. Arrivals go first, so a
// reconnect (old connection out, new one in, one batch) changes nobody's
// presence; unknown departures and repeated arrivals are ignored.
func (p *presenceSet) apply(arrive []Arrival, depart []string) []byte {
	var joined, left []string
	for _, a := range arrive {
		if _, dup := p.conns[a.Conn]; dup {
			continue
		}
		p.conns[a.Conn] = a.User
		p.users[a.User] = a.Summary
		if p.counts[a.User]++; p.counts[a.User] == 1 {
			joined = append(joined, a.User)
		}
	}
	for _, c := range depart {
		u, ok := p.conns[c]
		if !ok {
			continue
		}
		delete(p.conns, c)
		if p.counts[u]--; p.counts[u] <= 0 {
			delete(p.counts, u)
			delete(p.users, u)
			left = append(left, u)
		}
	}
	// Whoever came and went in one batch is reported as left only: a
	// snapshot may have shown them meanwhile.
	gone := map[string]bool{}
	for _, u := range left {
		gone[u] = true
	}
	var summaries [][]byte
	for _, u := range joined {
		if !gone[u] {
			summaries = append(summaries, p.users[u])
		}
	}
	if len(summaries) == 0 && len(left) == 0 {
		return nil
	}
	return presenceEvent(len(p.counts), summaries, left)
}

// presenceEvent encodes a presence event the way presenceScript does.
func presenceEvent(count int, joined [][]byte, left []string) []byte {
	var b bytes.Buffer
	b.WriteString(`{"type":"presence","presence":{"count":`)
	b.WriteString(strconv.Itoa(count))
	b.WriteString(`,"joined":[`)
	b.Write(bytes.Join(joined, []byte(",")))
	b.WriteString(`],"left":[`)
	for i, u := range left {
		if i > 0 {
			b.WriteByte(',')
		}
		name, _ := json.Marshal(u)
		b.Write(name)
	}
	b.WriteString(`]}}`)
	return b.Bytes()
}
