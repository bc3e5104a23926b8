package sfu

import (
	"errors"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/pion/turn/v5"
)

// The embedded TURN server exists so that participants who cannot reach the
// media port directly reach it through a relay. Everything here keeps it to
// that: a relay leads only to this node's media port, never to loopback or
// link-local addresses (unless the operator allows them, for tests on one
// machine), carries no TCP, and each credential and each participant holds
// only a few allocations at once.

var errNoTCPRelay = errors.New("TURN: only UDP relays to the media server are offered")

// mediaRelay makes UDP relays that talk only to the media port.
type mediaRelay struct {
	turn.RelayAddressGenerator
	allowed func(*net.UDPAddr) bool
}

func (g mediaRelay) AllocatePacketConn(conf turn.AllocateListenerConfig) (net.PacketConn, net.Addr, error) {
	conn, addr, err := g.RelayAddressGenerator.AllocatePacketConn(conf)
	if err != nil {
		return nil, nil, err
	}
	return &mediaOnlyConn{PacketConn: conn, allowed: g.allowed}, addr, nil
}

func (mediaRelay) AllocateListener(turn.AllocateListenerConfig) (net.Listener, net.Addr, error) {
	return nil, nil, errNoTCPRelay
}

func (mediaRelay) AllocateConn(turn.AllocateConnConfig) (net.Conn, error) {
	return nil, errNoTCPRelay
}

// mediaOnlyConn is a relay socket. Permissions in TURN are per IP address,
// so a client allowed to reach this node could otherwise reach every port
// on it; here datagrams to any other port are dropped, and datagrams from
// one are not passed back.
type mediaOnlyConn struct {
	net.PacketConn
	allowed func(*net.UDPAddr) bool
}

func (c *mediaOnlyConn) WriteTo(p []byte, addr net.Addr) (int, error) {
	if u, ok := addr.(*net.UDPAddr); !ok || !c.allowed(u) {
		return len(p), nil // dropped, as the network may drop any datagram
	}
	return c.PacketConn.WriteTo(p, addr)
}

func (c *mediaOnlyConn) ReadFrom(p []byte) (int, net.Addr, error) {
	for {
		n, addr, err := c.PacketConn.ReadFrom(p)
		if err != nil {
			return n, addr, err
		}
		if u, ok := addr.(*net.UDPAddr); ok && c.allowed(u) {
			return n, addr, nil
		}
	}
}

// localOnly says whether ip can only mean this machine or its link.
func localOnly(ip net.IP) bool {
	return ip.IsLoopback() || ip.IsUnspecified() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast()
}

// allocationQuota caps the allocations held at once per credential and per
// participant. A TURN REST credential's username is "expiry:participant",
// so the participant is the part after the colon.
type allocationQuota struct {
	perCredential, perUser int

	mu      sync.Mutex
	held    map[string]int           // "c:"+credential, "u:"+participant → allocations held or admitted
	pending map[string]pendingAlloc  // by client address: admitted, not yet made
	made    map[allocationKey]string // allocation → credential
}

type pendingAlloc struct {
	credential string
	at         time.Time
}

type allocationKey struct{ src, dst, protocol string }

// pendingFor bounds how long an admitted allocation may take to be made;
// one that failed (no free relay port) gives its place back after it.
const pendingFor = 10 * time.Second

func newAllocationQuota(perCredential, perUser int) *allocationQuota {
	return &allocationQuota{perCredential: perCredential, perUser: perUser,
		held: map[string]int{}, pending: map[string]pendingAlloc{}, made: map[allocationKey]string{}}
}

func participant(credential string) string {
	_, p, ok := strings.Cut(credential, ":")
	if !ok {
		return credential
	}
	return p
}

func (q *allocationQuota) add(credential string, n int) {
	for _, k := range []string{"c:" + credential, "u:" + participant(credential)} {
		if q.held[k] += n; q.held[k] <= 0 {
			delete(q.held, k)
		}
	}
}

// admit is the server's QuotaHandler: it runs before an allocation is made.
func (q *allocationQuota) admit(credential, _ string, src net.Addr) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	now := time.Now()
	for a, p := range q.pending {
		if now.Sub(p.at) > pendingFor {
			delete(q.pending, a)
			q.add(p.credential, -1)
		}
	}
	if p, ok := q.pending[src.String()]; ok { // a repeated request from the same address
		delete(q.pending, src.String())
		q.add(p.credential, -1)
	}
	if q.held["c:"+credential] >= q.perCredential || q.held["u:"+participant(credential)] >= q.perUser {
		return false
	}
	q.add(credential, 1)
	q.pending[src.String()] = pendingAlloc{credential: credential, at: now}
	return true
}

func (q *allocationQuota) created(src, dst net.Addr, protocol, credential, _ string, _ net.Addr, _ int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if _, ok := q.pending[src.String()]; ok {
		delete(q.pending, src.String())
	} else {
		q.add(credential, 1)
	}
	q.made[allocationKey{src.String(), dst.String(), protocol}] = credential
}

func (q *allocationQuota) deleted(src, dst net.Addr, protocol, _, _ string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	k := allocationKey{src.String(), dst.String(), protocol}
	if credential, ok := q.made[k]; ok {
		delete(q.made, k)
		q.add(credential, -1)
	}
}
