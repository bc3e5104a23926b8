package ask2live

import (
	"sync"
	"sync/atomic"
	"time"
)

// ReadCacheConfig sizes the read cache. A zero count turns that part off.
type ReadCacheConfig struct {
	// Entries bounds the session details and, separately, the question
	// lists kept; the main page is one more entry.
	Entries int
	// Tokens bounds the credentials kept (token hash → user).
	Tokens int
	// ViewerSets bounds the per-viewer sets kept: a user's wished sessions,
	// and a user's votes in one session.
	ViewerSets int
	// MaxBytes bounds the memory of the main page, session details,
	// question lists and viewer sets together (their JSON and ids, about);
	// arbitrary entries make room for new ones.
	MaxBytes int64
	// MaxAge is the longest an entry is served. Writes made through this
	// node's Service invalidate at once and other nodes' writes arrive over
	// the bus (live.SyncCache); MaxAge bounds staleness if an invalidation
	// is ever lost (the bus was down).
	MaxAge time.Duration
}

// DefaultReadCacheConfig is what NewService uses.
var DefaultReadCacheConfig = ReadCacheConfig{Entries: 10000, Tokens: 10000, ViewerSets: 10000, MaxBytes: 64 << 20, MaxAge: 5 * time.Second}

// Invalidation names what a write changed. Every node applies it to its own
// cache; live.SyncCache carries it between nodes.
type Invalidation struct {
	// Session: the session's own fields or counts changed (detail and main
	// page).
	Session string `json:"s,omitempty"`
	// Questions: the question list of this session changed.
	Questions string `json:"q,omitempty"`
	// User: a profile changed; everything that may show it goes.
	User string `json:"u,omitempty"`
	// Token: a credential was revoked (its hash).
	Token string `json:"t,omitempty"`
	// Wisher: this user's wishes changed.
	Wisher string `json:"w,omitempty"`
	// Voter: this user's votes in the session named by Questions changed.
	Voter string `json:"v,omitempty"`
	// All: drop everything (an invalidation may have been lost).
	All bool `json:"all,omitempty"`
}

// ReadCache keeps the public part of the most-read pages — the main page's
// sections, session details and question lists, as an anonymous viewer sees
// them — and the owners of recently used credentials. What differs per
// viewer (wished_by_me, voted_by_me) is kept apart, as each user's set of
// wished sessions and of votes in a session, read with one indexed query
// and changed only by that user's own wishes and votes. Participant counts
// come from presence on every request.
//
// Correctness: every write through the Service invalidates what it changed
// once the database call has returned. A reader that missed takes a fill
// token before it reads the database and stores its result only if nothing
// invalidated that entry meanwhile, so a read that raced a write never
// stores the older value. Tokens are counted per stripe of keys, so a vote
// does not keep the main page from being cached; two keys that share a
// stripe only cost a missed fill.
type ReadCache struct {
	cfg ReadCacheConfig
	now func() time.Time

	// published is told of every local invalidation, to pass it to other
	// nodes (SetPublisher).
	published atomic.Pointer[func(Invalidation)]

	mu sync.RWMutex
	// all counts invalidations of everything; stripes count those of the
	// keys that hash to each stripe (fill tokens).
	all       uint64
	stripes   [invalidationStripes]uint64
	bytes     int64 // what MaxBytes bounds
	feed      *cachedFeed
	sessions  map[string]*cachedSession
	questions map[string]*cachedQuestions
	tokens    map[string]*cachedToken
	sets      map[string]*cachedSet
}

type cachedSet struct {
	ids  map[string]bool
	at   time.Time
	size int64
}

func wishesKey(userID string) string           { return "w\x00" + userID }
func votesKey(userID, sessionID string) string { return "v\x00" + userID + "\x00" + sessionID }

// Kinds of entry, for fill tokens.
const (
	kindFeed      = 'f'
	kindSession   = 's'
	kindQuestions = 'q'
	kindToken     = 't'
	kindSet       = 'v'
)

const invalidationStripes = 1024

// stripe hashes an entry's kind and key (FNV-1a) to its stripe.
func stripe(kind byte, key string) int {
	h := uint32(2166136261)
	h = (h ^ uint32(kind)) * 16777619
	for i := 0; i < len(key); i++ {
		h = (h ^ uint32(key[i])) * 16777619
	}
	return int(h % invalidationStripes)
}

// fillToken is what a reader that missed holds while it reads the
// database.
type fillToken struct{ all, stripe uint64 }

func (c *ReadCache) tokenLocked(kind byte, key string) fillToken {
	return fillToken{c.all, c.stripes[stripe(kind, key)]}
}

func (c *ReadCache) validLocked(kind byte, key string, t fillToken) bool {
	return c.all == t.all && c.stripes[stripe(kind, key)] == t.stripe
}

func (c *ReadCache) bumpLocked(kind byte, key string) { c.stripes[stripe(kind, key)]++ }

type cachedFeed struct {
	live, upcoming, recruiting []*Session
	at                         time.Time
	size                       int64
}

type cachedSession struct {
	s    *Session
	at   time.Time
	size int64
}

type cachedQuestions struct {
	qs   []*Question
	at   time.Time
	size int64
}

// entryOverhead approximates what an entry costs beyond its JSON.
const entryOverhead = 512

func sessionSize(s *Session) int64 {
	n := int64(entryOverhead + len(s.Title) + len(s.Description))
	if s.enc != nil {
		n += int64(len(s.enc.plain) + len(s.enc.mine))
	}
	return n
}

func questionsSize(qs []*Question) int64 {
	n := int64(entryOverhead)
	for _, q := range qs {
		n += entryOverhead + int64(len(q.Text))
		if q.enc != nil {
			n += int64(len(q.enc.plain) + len(q.enc.mine))
		}
	}
	return n
}

type cachedToken struct {
	u       *User
	expires time.Time
	at      time.Time
}

// NewReadCache returns an empty cache; nil when cfg turns everything off.
func NewReadCache(cfg ReadCacheConfig) *ReadCache {
	if (cfg.Entries <= 0 && cfg.Tokens <= 0 && cfg.ViewerSets <= 0) || cfg.MaxAge <= 0 || cfg.MaxBytes <= 0 {
		return nil
	}
	return &ReadCache{
		cfg:       cfg,
		now:       time.Now,
		sessions:  map[string]*cachedSession{},
		questions: map[string]*cachedQuestions{},
		tokens:    map[string]*cachedToken{},
		sets:      map[string]*cachedSet{},
	}
}

// SetPublisher sets the function told of every invalidation this node
// makes, so that other nodes can apply it; nil stops telling. fn must not
// block.
func (c *ReadCache) SetPublisher(fn func(Invalidation)) {
	if c == nil {
		return
	}
	if fn == nil {
		c.published.Store(nil)
		return
	}
	c.published.Store(&fn)
}

func (c *ReadCache) fresh(at time.Time) bool { return c.now().Sub(at) < c.cfg.MaxAge }

// Invalidate drops what inv names and tells the other nodes.
func (c *ReadCache) Invalidate(inv Invalidation) {
	if c == nil {
		return
	}
	c.Apply(inv)
	if fn := c.published.Load(); fn != nil {
		(*fn)(inv)
	}
}

// Apply drops what inv names without passing it on (for invalidations that
// came from other nodes).
func (c *ReadCache) Apply(inv Invalidation) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case inv.All:
		c.all++
		c.clearLocked(true)
		return
	case inv.User != "":
		c.all++
		// A profile shows up as host and as question author anywhere; such
		// changes are rare, so everything public goes, and the user's
		// cached credentials (they hold the old profile).
		c.clearLocked(false)
		for h, t := range c.tokens {
			if t.u.ID == inv.User {
				delete(c.tokens, h)
			}
		}
	}
	if inv.Session != "" {
		c.bumpLocked(kindFeed, "")
		c.dropFeed()
		c.bumpLocked(kindSession, inv.Session)
		c.dropSession(inv.Session)
	}
	if inv.Questions != "" {
		c.bumpLocked(kindQuestions, inv.Questions)
		c.dropQuestions(inv.Questions)
	}
	if inv.Token != "" {
		c.bumpLocked(kindToken, inv.Token)
		delete(c.tokens, inv.Token)
	}
	if inv.Wisher != "" {
		k := wishesKey(inv.Wisher)
		c.bumpLocked(kindSet, k)
		c.dropSet(k)
	}
	if inv.Voter != "" {
		k := votesKey(inv.Voter, inv.Questions)
		c.bumpLocked(kindSet, k)
		c.dropSet(k)
	}
}

func (c *ReadCache) clearLocked(tokens bool) {
	c.dropFeed()
	for id := range c.sessions {
		c.dropSession(id)
	}
	for id := range c.questions {
		c.dropQuestions(id)
	}
	if tokens {
		clear(c.tokens)
		for k := range c.sets {
			c.dropSet(k)
		}
	}
}

func (c *ReadCache) dropFeed() {
	if c.feed != nil {
		c.bytes -= c.feed.size
		c.feed = nil
	}
}

func (c *ReadCache) dropSession(id string) {
	if e := c.sessions[id]; e != nil {
		c.bytes -= e.size
		delete(c.sessions, id)
	}
}

func (c *ReadCache) dropQuestions(sessionID string) {
	if e := c.questions[sessionID]; e != nil {
		c.bytes -= e.size
		delete(c.questions, sessionID)
	}
}

func (c *ReadCache) dropSet(key string) {
	if e := c.sets[key]; e != nil {
		c.bytes -= e.size
		delete(c.sets, key)
	}
}

// anyKey returns an arbitrary key of m: which entry makes room does not
// matter for correctness, and Go's map order makes it an arbitrary one.
func anyKey[V any](m map[string]V) (string, bool) {
	for k := range m {
		return k, true
	}
	return "", false
}

// makeRoom drops entries until size more bytes fit under MaxBytes; false
// when they never can.
func (c *ReadCache) makeRoom(size int64) bool {
	if size > c.cfg.MaxBytes {
		return false
	}
	for c.bytes+size > c.cfg.MaxBytes {
		if k, ok := anyKey(c.questions); ok {
			c.dropQuestions(k)
		} else if k, ok := anyKey(c.sessions); ok {
			c.dropSession(k)
		} else if k, ok := anyKey(c.sets); ok {
			c.dropSet(k)
		} else if c.feed != nil {
			c.dropFeed()
		} else {
			return false
		}
	}
	return true
}

func (c *ReadCache) getFeed() (*cachedFeed, fillToken) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.cfg.Entries > 0 && c.feed != nil && c.fresh(c.feed.at) {
		return c.feed, fillToken{}
	}
	return nil, c.tokenLocked(kindFeed, "")
}

func (c *ReadCache) putFeed(f *cachedFeed, t fillToken) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cfg.Entries <= 0 || !c.validLocked(kindFeed, "", t) {
		return
	}
	c.dropFeed()
	f.size = entryOverhead
	for _, list := range [][]*Session{f.live, f.upcoming, f.recruiting} {
		for _, s := range list {
			f.size += sessionSize(s)
		}
	}
	if c.makeRoom(f.size) {
		f.at = c.now()
		c.feed = f
		c.bytes += f.size
	}
}

func (c *ReadCache) getSession(id string) (*Session, fillToken) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if e := c.sessions[id]; e != nil && c.fresh(e.at) {
		return e.s, fillToken{}
	}
	return nil, c.tokenLocked(kindSession, id)
}

func (c *ReadCache) putSession(s *Session, t fillToken) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cfg.Entries <= 0 || !c.validLocked(kindSession, s.ID, t) {
		return
	}
	c.dropSession(s.ID)
	if len(c.sessions) >= c.cfg.Entries {
		k, _ := anyKey(c.sessions)
		c.dropSession(k)
	}
	e := &cachedSession{s: s, at: c.now(), size: sessionSize(s)}
	if c.makeRoom(e.size) {
		c.sessions[s.ID] = e
		c.bytes += e.size
	}
}

func (c *ReadCache) getQuestions(sessionID string) ([]*Question, bool, fillToken) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if e := c.questions[sessionID]; e != nil && c.fresh(e.at) {
		return e.qs, true, fillToken{}
	}
	return nil, false, c.tokenLocked(kindQuestions, sessionID)
}

func (c *ReadCache) putQuestions(sessionID string, qs []*Question, t fillToken) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cfg.Entries <= 0 || !c.validLocked(kindQuestions, sessionID, t) {
		return
	}
	c.dropQuestions(sessionID)
	if len(c.questions) >= c.cfg.Entries {
		k, _ := anyKey(c.questions)
		c.dropQuestions(k)
	}
	e := &cachedQuestions{qs: qs, at: c.now(), size: questionsSize(qs)}
	if c.makeRoom(e.size) {
		c.questions[sessionID] = e
		c.bytes += e.size
	}
}

func (c *ReadCache) getToken(hash string, now time.Time) (*User, fillToken) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if e := c.tokens[hash]; e != nil && c.fresh(e.at) && now.Before(e.expires) {
		return e.u, fillToken{}
	}
	return nil, c.tokenLocked(kindToken, hash)
}

func (c *ReadCache) putToken(hash string, u *User, expires time.Time, t fillToken) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cfg.Tokens <= 0 || !c.validLocked(kindToken, hash, t) {
		return
	}
	if _, ok := c.tokens[hash]; !ok && len(c.tokens) >= c.cfg.Tokens {
		if k, ok := anyKey(c.tokens); ok {
			delete(c.tokens, k)
		}
	}
	c.tokens[hash] = &cachedToken{u: u, expires: expires, at: c.now()}
}

func (c *ReadCache) getSet(key string) (map[string]bool, fillToken) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if e := c.sets[key]; e != nil && c.fresh(e.at) {
		return e.ids, fillToken{}
	}
	return nil, c.tokenLocked(kindSet, key)
}

func (c *ReadCache) putSet(key string, ids map[string]bool, t fillToken) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cfg.ViewerSets <= 0 || !c.validLocked(kindSet, key, t) {
		return
	}
	c.dropSet(key)
	if len(c.sets) >= c.cfg.ViewerSets {
		k, _ := anyKey(c.sets)
		c.dropSet(k)
	}
	e := &cachedSet{ids: ids, at: c.now(), size: entryOverhead + 64*int64(len(ids))}
	if c.makeRoom(e.size) {
		c.sets[key] = e
		c.bytes += e.size
	}
}

// CacheSize counts a cache's entries.
type CacheSize struct {
	Feed, Sessions, Questions, Tokens, ViewerSets int
	Bytes                                         int64 // what MaxBytes bounds
}

// Len returns how many entries the cache holds.
func (c *ReadCache) Len() CacheSize {
	if c == nil {
		return CacheSize{}
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	n := CacheSize{Sessions: len(c.sessions), Questions: len(c.questions), Tokens: len(c.tokens), ViewerSets: len(c.sets), Bytes: c.bytes}
	if c.feed != nil {
		n.Feed = 1
	}
	return n
}
