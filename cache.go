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
// after the database committed it. A reader that missed records the
// cache's generation before it reads the database and stores its result
// only if no invalidation happened meanwhile, so a read that raced a write
// never stores the older value.
type ReadCache struct {
	cfg ReadCacheConfig
	now func() time.Time

	// published is told of every local invalidation, to pass it to other
	// nodes (SetPublisher).
	published atomic.Pointer[func(Invalidation)]

	mu        sync.RWMutex
	gen       uint64
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
	c.gen++
	switch {
	case inv.All:
		c.clearLocked(true)
		return
	case inv.User != "":
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
		c.dropFeed()
		c.dropSession(inv.Session)
	}
	if inv.Questions != "" {
		c.dropQuestions(inv.Questions)
	}
	if inv.Token != "" {
		delete(c.tokens, inv.Token)
	}
	if inv.Wisher != "" {
		c.dropSet(wishesKey(inv.Wisher))
	}
	if inv.Voter != "" {
		c.dropSet(votesKey(inv.Voter, inv.Questions))
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

func (c *ReadCache) getFeed() (*cachedFeed, uint64) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.cfg.Entries > 0 && c.feed != nil && c.fresh(c.feed.at) {
		return c.feed, 0
	}
	return nil, c.gen
}

func (c *ReadCache) putFeed(f *cachedFeed, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cfg.Entries <= 0 || c.gen != gen {
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

func (c *ReadCache) getSession(id string) (*Session, uint64) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if e := c.sessions[id]; e != nil && c.fresh(e.at) {
		return e.s, 0
	}
	return nil, c.gen
}

func (c *ReadCache) putSession(s *Session, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cfg.Entries <= 0 || c.gen != gen {
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

func (c *ReadCache) getQuestions(sessionID string) ([]*Question, bool, uint64) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if e := c.questions[sessionID]; e != nil && c.fresh(e.at) {
		return e.qs, true, 0
	}
	return nil, false, c.gen
}

func (c *ReadCache) putQuestions(sessionID string, qs []*Question, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cfg.Entries <= 0 || c.gen != gen {
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

func (c *ReadCache) getToken(hash string, now time.Time) (*User, uint64) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if e := c.tokens[hash]; e != nil && c.fresh(e.at) && now.Before(e.expires) {
		return e.u, 0
	}
	return nil, c.gen
}

func (c *ReadCache) putToken(hash string, u *User, expires time.Time, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cfg.Tokens <= 0 || c.gen != gen {
		return
	}
	if _, ok := c.tokens[hash]; !ok && len(c.tokens) >= c.cfg.Tokens {
		if k, ok := anyKey(c.tokens); ok {
			delete(c.tokens, k)
		}
	}
	c.tokens[hash] = &cachedToken{u: u, expires: expires, at: c.now()}
}

func (c *ReadCache) getSet(key string) (map[string]bool, uint64) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if e := c.sets[key]; e != nil && c.fresh(e.at) {
		return e.ids, 0
	}
	return nil, c.gen
}

func (c *ReadCache) putSet(key string, ids map[string]bool, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cfg.ViewerSets <= 0 || c.gen != gen {
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
