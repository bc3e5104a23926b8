// Package mediaroute spreads live rooms' audio over a cluster of nodes: each
// room's audio is hosted by one node, recorded in Redis, and a participant
// connected to another node has their signalling relayed to it. Media then
// flows directly between the participant and the hosting node (its ICE
// candidates carry that node's address), so only signalling crosses nodes.
//
// The first node that needs a room's audio (a join, or a grant) claims it
// with SET NX and a lease it renews while it hosts the room; a node that
// dies loses its rooms when the lease runs out, and the next join claims
// them anew. Speaking indicators, made by the hosting node, are broadcast
// to every node.
package mediaroute

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/ask2live/ask2live"
	"github.com/ask2live/ask2live/live"
)

// Config sets up a Router.
type Config struct {
	Prefix string        // Redis key prefix, as the event bus's (default "ask2live:")
	Lease  time.Duration // how long a room's hosting claim lasts unrenewed (default 15 s)
	// Alive is how long a node counts as alive without renewing its
	// liveness key (default 3 s): a node that relays to a host whose key
	// ran out takes its rooms over and tells its participants to join again.
	Alive time.Duration
	Queue int // relayed messages waiting to be published (default 4096)
}

// Router is live.Media for a cluster; it wraps this node's audio server.
type Router struct {
	cfg   Config
	node  string
	local live.Media
	rdb   *goredis.Client
	log   *slog.Logger
	// deliver hands a speaking indicator to this node's rooms.
	deliver func(room, peer string, speaking bool)

	out    chan outgoing
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	pubsub *goredis.PubSub

	mu     sync.Mutex
	hosted map[string]bool            // rooms whose audio this node hosts
	remote map[string]*remotePeer     // this node's connections hosted elsewhere, by connection id
	served map[string]served          // on the host: connections of other nodes' participants, by connection id
	hostOf map[string]hostedElsewhere // rooms known to be hosted elsewhere
}

type served struct {
	from string // the participant's node
	room string
	peer live.MediaPeer
}

type hostedElsewhere struct {
	node  string
	until time.Time
}

// envelope is one relayed message.
type envelope struct {
	Op     string          `json:"op"` // join, signal, leave, air, error, speaking
	Room   string          `json:"room"`
	Peer   string          `json:"peer"`
	Conn   string          `json:"conn,omitempty"` // one connection of the participant
	From   string          `json:"from"`
	On     bool            `json:"on,omitempty"`
	Signal json.RawMessage `json:"signal,omitempty"`
	Error  string          `json:"error,omitempty"`
}

type outgoing struct {
	channel string
	msg     []byte
}

// New starts a router for node, a name unique in the cluster. deliver is
// called with every speaking indicator for this node's rooms. The router
// owns rdb and closes it.
func New(ctx context.Context, cfg Config, node string, local live.Media, rdb *goredis.Client,
	deliver func(room, peer string, speaking bool), log *slog.Logger) (*Router, error) {
	if cfg.Prefix == "" {
		cfg.Prefix = "ask2live:"
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 15 * time.Second
	}
	if cfg.Queue <= 0 {
		cfg.Queue = 4096
	}
	if cfg.Alive <= 0 {
		cfg.Alive = 3 * time.Second
	}
	r := &Router{cfg: cfg, node: node, local: local, rdb: rdb, log: log, deliver: deliver,
		out: make(chan outgoing, cfg.Queue), hosted: map[string]bool{}, remote: map[string]*remotePeer{},
		served: map[string]served{}, hostOf: map[string]hostedElsewhere{}}
	r.pubsub = rdb.Subscribe(ctx, r.inbox(node), r.speakingChannel())
	// Wait for the subscription, so nothing sent to this node is missed.
	if _, err := r.pubsub.Receive(ctx); err != nil {
		r.pubsub.Close()
		rdb.Close()
		return nil, fmt.Errorf("media routing: subscribing: %w", err)
	}
	if err := rdb.Set(ctx, r.aliveKey(node), "1", cfg.Alive).Err(); err != nil {
		r.pubsub.Close()
		rdb.Close()
		return nil, fmt.Errorf("media routing: %w", err)
	}
	r.ctx, r.cancel = context.WithCancel(context.Background())
	r.wg.Add(4)
	go r.receive()
	go r.publish()
	go r.renew()
	go r.watch()
	return r, nil
}

// Node is this node's name in the cluster.
func (r *Router) Node() string { return r.node }

func (r *Router) inbox(node string) string    { return r.cfg.Prefix + "media:node:" + node }
func (r *Router) speakingChannel() string     { return r.cfg.Prefix + "media:speaking" }
func (r *Router) hostKey(room string) string  { return r.cfg.Prefix + "media:room:" + room }
func (r *Router) aliveKey(node string) string { return r.cfg.Prefix + "media:alive:" + node }

// Host returns the node hosting a room's audio, claiming it for this node
// when nobody does and claim is set ("" when unclaimed and not claiming).
func (r *Router) Host(ctx context.Context, room string, claim bool) (string, error) {
	r.mu.Lock()
	if r.hosted[room] {
		r.mu.Unlock()
		return r.node, nil
	}
	if h, ok := r.hostOf[room]; ok && time.Now().Before(h.until) {
		r.mu.Unlock()
		return h.node, nil
	}
	r.mu.Unlock()
	k := r.hostKey(room)
	for range 3 {
		node, err := r.rdb.Get(ctx, k).Result()
		if err == nil && node != r.node {
			// A claim outlives its node by up to a lease; a node whose
			// liveness key ran out is dead, and its claim is taken over.
			if n, err := r.rdb.Exists(ctx, r.aliveKey(node)).Result(); err == nil && n == 0 {
				_ = releaseScript.Run(ctx, r.rdb, []string{k}, node).Err()
				continue
			}
		}
		if err == nil {
			r.remember(room, node)
			return node, nil
		}
		if !errors.Is(err, goredis.Nil) {
			return "", err
		}
		if !claim {
			return "", nil
		}
		ok, err := r.rdb.SetNX(ctx, k, r.node, r.cfg.Lease).Result()
		if err != nil {
			return "", err
		}
		if ok {
			r.remember(room, r.node)
			return r.node, nil
		}
	}
	return "", errors.New("media routing: the room's host keeps changing")
}

// remember notes a room's host: this node's rooms are renewed; another
// node's is trusted for a fraction of the lease before asking again.
func (r *Router) remember(room, node string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if node == r.node {
		r.hosted[room] = true
		delete(r.hostOf, room)
		return
	}
	r.hostOf[room] = hostedElsewhere{node: node, until: time.Now().Add(r.cfg.Lease / 3)}
}

// Join connects a participant to the room's audio, on this node or through
// the hosting node.
func (r *Router) Join(room, peer string, send func(json.RawMessage), fail func(error)) (live.MediaPeer, error) {
	ctx, cancel := context.WithTimeout(r.ctx, 5*time.Second)
	defer cancel()
	host, err := r.Host(ctx, room, true)
	if err != nil {
		return nil, ask2live.Wrap(ask2live.EUnavailable, err, "the audio server cannot be reached")
	}
	if host == r.node {
		return r.local.Join(room, peer, send, fail)
	}
	rp := &remotePeer{r: r, host: host, room: room, peer: peer, conn: ask2live.NewToken(), send: send, fail: fail}
	r.mu.Lock()
	r.remote[rp.conn] = rp
	r.mu.Unlock()
	r.post(host, envelope{Op: "join", Room: room, Peer: peer, Conn: rp.conn})
	return rp, nil
}

// SetOnAir opens or closes a participant's gate on the hosting node.
func (r *Router) SetOnAir(room, peer string, on bool) {
	ctx, cancel := context.WithTimeout(r.ctx, 5*time.Second)
	defer cancel()
	host, err := r.Host(ctx, room, on)
	switch {
	case err != nil:
		r.log.Error("media routing: finding a room's host", slog.String("room", room), slog.Any("err", err))
	case host == r.node:
		r.local.SetOnAir(room, peer, on)
	case host != "":
		r.post(host, envelope{Op: "air", Room: room, Peer: peer, On: on})
	}
}

// CloseRoom ends a room's audio (the session ended; every node is told).
func (r *Router) CloseRoom(room string) {
	r.mu.Lock()
	hosted := r.hosted[room]
	delete(r.hosted, room)
	delete(r.hostOf, room)
	for id, rp := range r.remote {
		if rp.room == room {
			delete(r.remote, id)
		}
	}
	for id, sv := range r.served {
		if sv.room == room {
			delete(r.served, id)
		}
	}
	r.mu.Unlock()
	if hosted {
		r.local.CloseRoom(room)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := releaseScript.Run(ctx, r.rdb, []string{r.hostKey(room)}, r.node).Err(); err != nil {
			r.log.Warn("media routing: releasing a room", slog.String("room", room), slog.Any("err", err))
		}
	}
}

// Speaking is the audio server's speaking callback: every node hears it.
func (r *Router) Speaking(room, peer string, speaking bool) {
	b, _ := json.Marshal(envelope{Op: "speaking", Room: room, Peer: peer, On: speaking, From: r.node})
	r.enqueue(outgoing{r.speakingChannel(), b})
}

// post relays a message to another node, in order with earlier ones.
func (r *Router) post(node string, env envelope) {
	env.From = r.node
	b, err := json.Marshal(env)
	if err != nil {
		r.log.Error("media routing: encoding", slog.Any("err", err))
		return
	}
	r.enqueue(outgoing{r.inbox(node), b})
}

func (r *Router) enqueue(o outgoing) {
	select {
	case r.out <- o:
	case <-r.ctx.Done():
	}
}

// publish sends relayed messages one at a time, so a node receives them in
// the order they were posted (an offer before its candidates).
func (r *Router) publish() {
	defer r.wg.Done()
	for {
		select {
		case o := <-r.out:
			ctx, cancel := context.WithTimeout(r.ctx, 5*time.Second)
			if err := r.rdb.Publish(ctx, o.channel, o.msg).Err(); err != nil && r.ctx.Err() == nil {
				r.log.Warn("media routing: publishing", slog.Any("err", err))
			}
			cancel()
		case <-r.ctx.Done():
			return
		}
	}
}

func (r *Router) receive() {
	defer r.wg.Done()
	ch := r.pubsub.Channel()
	for {
		select {
		case m, ok := <-ch:
			if !ok {
				return
			}
			var env envelope
			if err := json.Unmarshal([]byte(m.Payload), &env); err != nil {
				r.log.Warn("media routing: undecodable message", slog.Any("err", err))
				continue
			}
			r.handle(env)
		case <-r.ctx.Done():
			return
		}
	}
}

func (r *Router) handle(env envelope) {
	switch env.Op {
	case "speaking":
		r.deliver(env.Room, env.Peer, env.On)
	case "join": // on the host: a connection of another node's participant
		from, conn := env.From, env.Conn
		mp, err := r.local.Join(env.Room, env.Peer, func(sig json.RawMessage) {
			r.post(from, envelope{Op: "signal", Room: env.Room, Peer: env.Peer, Conn: conn, Signal: sig})
		}, nil)
		if err != nil {
			r.post(from, envelope{Op: "error", Room: env.Room, Peer: env.Peer, Conn: conn, Error: err.Error()})
			return
		}
		r.mu.Lock()
		r.hosted[env.Room] = true
		r.served[conn] = served{from: from, room: env.Room, peer: mp}
		r.mu.Unlock()
	case "signal":
		r.mu.Lock()
		s, onHost := r.served[env.Conn]
		rp := r.remote[env.Conn]
		r.mu.Unlock()
		switch {
		case onHost && s.from == env.From: // from the participant, through its node
			if err := s.peer.Signal(env.Signal); err != nil {
				r.post(env.From, envelope{Op: "error", Room: env.Room, Peer: env.Peer, Conn: env.Conn, Error: err.Error()})
			}
		case rp != nil && rp.host == env.From: // from the host, to the participant
			rp.send(env.Signal)
		}
	case "leave":
		// Only the connection that left: the participant's others (a
		// reconnect, another tab) stay.
		r.mu.Lock()
		s, ok := r.served[env.Conn]
		ok = ok && s.from == env.From
		if ok {
			delete(r.served, env.Conn)
		}
		r.mu.Unlock()
		if ok {
			s.peer.Leave()
		}
	case "air":
		r.local.SetOnAir(env.Room, env.Peer, env.On)
	case "error": // from the host, about one of this node's connections
		r.mu.Lock()
		rp := r.remote[env.Conn]
		r.mu.Unlock()
		if rp != nil && rp.host == env.From && rp.fail != nil {
			rp.fail(errors.New(env.Error))
		}
	}
}

// renewScript extends this node's claim; it returns 0 when the claim is
// gone (the lease ran out and another node took the room).
var renewScript = goredis.NewScript(`
if redis.call("GET", KEYS[1]) == ARGV[1] then
  return redis.call("PEXPIRE", KEYS[1], ARGV[2])
end
return 0`)

var releaseScript = goredis.NewScript(`
if redis.call("GET", KEYS[1]) == ARGV[1] then
  return redis.call("DEL", KEYS[1])
end
return 0`)

// renew keeps this node's claims alive a third of a lease at a time.
func (r *Router) renew() {
	defer r.wg.Done()
	t := time.NewTicker(r.cfg.Lease / 3)
	defer t.Stop()
	for {
		select {
		case <-r.ctx.Done():
			return
		case <-t.C:
		}
		r.mu.Lock()
		rooms := make([]string, 0, len(r.hosted))
		for room := range r.hosted {
			rooms = append(rooms, room)
		}
		r.mu.Unlock()
		for _, room := range rooms {
			ctx, cancel := context.WithTimeout(r.ctx, r.cfg.Lease/3)
			n, err := renewScript.Run(ctx, r.rdb, []string{r.hostKey(room)}, r.node, r.cfg.Lease.Milliseconds()).Int()
			cancel()
			if err != nil {
				r.log.Warn("media routing: renewing a room", slog.String("room", room), slog.Any("err", err))
				continue
			}
			if n == 0 {
				// Another node hosts it now: this node's peers there are
				// stale; they rejoin through the new host.
				r.log.Warn("media routing: lost a room to another node", slog.String("room", room))
				r.mu.Lock()
				delete(r.hosted, room)
				r.mu.Unlock()
				r.local.CloseRoom(room)
			}
		}
	}
}

// rejoin is the signal that tells a participant to send join again: the
// node that hosted their audio is gone.
var rejoin = json.RawMessage(`{"type":"rejoin"}`)

// watch renews this node's liveness key and checks the keys of the nodes it
// relays to; when one has run out, that node died: its rooms are taken
// over and this node's participants there are told to join again.
func (r *Router) watch() {
	defer r.wg.Done()
	t := time.NewTicker(r.cfg.Alive / 3)
	defer t.Stop()
	for {
		select {
		case <-r.ctx.Done():
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(r.ctx, r.cfg.Alive/3)
		if err := r.rdb.Set(ctx, r.aliveKey(r.node), "1", r.cfg.Alive).Err(); err != nil {
			r.log.Warn("media routing: renewing this node's liveness", slog.Any("err", err))
		}
		r.mu.Lock()
		hosts := map[string]bool{}
		for _, rp := range r.remote {
			hosts[rp.host] = true
		}
		for _, h := range r.hostOf {
			hosts[h.node] = true
		}
		r.mu.Unlock()
		for host := range hosts {
			if n, err := r.rdb.Exists(ctx, r.aliveKey(host)).Result(); err == nil && n == 0 {
				r.hostDied(ctx, host)
			}
		}
		cancel()
	}
}

// hostDied forgets a dead node's rooms, releases its claims so that the
// next join takes them, and tells this node's participants there to join
// again.
func (r *Router) hostDied(ctx context.Context, node string) {
	r.mu.Lock()
	var peers []*remotePeer
	rooms := map[string]bool{}
	for id, rp := range r.remote {
		if rp.host == node {
			peers = append(peers, rp)
			rooms[rp.room] = true
			delete(r.remote, id)
		}
	}
	for room, h := range r.hostOf {
		if h.node == node {
			rooms[room] = true
			delete(r.hostOf, room)
		}
	}
	r.mu.Unlock()
	r.log.Warn("media routing: a node hosting audio stopped; its participants join again", slog.String("node", node), slog.Int("participants", len(peers)))
	for room := range rooms {
		_ = releaseScript.Run(ctx, r.rdb, []string{r.hostKey(room)}, node).Err()
	}
	for _, rp := range peers {
		rp.send(rejoin)
	}
}

// Close stops routing; this node's claims are released so the next join
// elsewhere takes the rooms over at once.
func (r *Router) Close() error {
	r.mu.Lock()
	rooms := make([]string, 0, len(r.hosted))
	for room := range r.hosted {
		rooms = append(rooms, room)
	}
	r.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var errs []error
	for _, room := range rooms {
		errs = append(errs, releaseScript.Run(ctx, r.rdb, []string{r.hostKey(room)}, r.node).Err())
	}
	// Other nodes' participants here are told to join again at once.
	errs = append(errs, r.rdb.Del(ctx, r.aliveKey(r.node)).Err())
	r.cancel()
	errs = append(errs, r.pubsub.Close())
	r.wg.Wait()
	return errors.Join(append(errs, r.rdb.Close())...)
}

// remotePeer is a connection of this node whose audio is hosted elsewhere.
type remotePeer struct {
	r    *Router
	host string
	room string
	peer string
	conn string // this connection's id, in every message about it
	send func(json.RawMessage)
	fail func(error)
}

// Leave closes this connection's audio on the hosting node.
func (p *remotePeer) Leave() {
	p.r.mu.Lock()
	_, open := p.r.remote[p.conn]
	delete(p.r.remote, p.conn)
	p.r.mu.Unlock()
	if open {
		p.r.post(p.host, envelope{Op: "leave", Room: p.room, Peer: p.peer, Conn: p.conn})
	}
}

// Signal relays the participant's answer or candidate to the host, after
// checking its shape here so bad input is refused at once.
func (p *remotePeer) Signal(msg json.RawMessage) error {
	var head struct {
		Type      string          `json:"type"`
		SDP       string          `json:"sdp"`
		Candidate json.RawMessage `json:"candidate"`
	}
	if err := json.Unmarshal(msg, &head); err != nil {
		return err
	}
	switch {
	case head.Type == "answer" && head.SDP != "":
	case head.Type == "candidate" && len(head.Candidate) > 0 && string(head.Candidate) != "null":
	default:
		return fmt.Errorf("unexpected signal %q: the server makes the offers", head.Type)
	}
	p.r.post(p.host, envelope{Op: "signal", Room: p.room, Peer: p.peer, Conn: p.conn, Signal: msg})
	return nil
}
