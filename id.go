package ask2live

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/binary"
	"strings"
	"time"
)

const idAlphabet = "0123456789abcdefghjkmnpqrstvwxyz"

var idEncoding = base32.NewEncoding(idAlphabet).WithPadding(base32.NoPadding)

// NewID returns a new opaque identifier: 26 lower-case characters that sort by
// creation time (48-bit milliseconds, then 80 random bits), so ids double as
// a stable tie-breaker for ordering and pagination.
func NewID(now time.Time) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(now.UnixMilli())<<16)
	if _, err := rand.Read(b[6:]); err != nil {
		panic("ask2live: crypto/rand failed: " + err.Error())
	}
	return idEncoding.EncodeToString(b[:])
}

// NewToken returns a new random secret of 32 bytes, base32-encoded.
func NewToken() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("ask2live: crypto/rand failed: " + err.Error())
	}
	return idEncoding.EncodeToString(b[:])
}

// idLen is the length of every id NewID returns.
const idLen = 26

// ValidID reports whether s has the form of an id NewID returns. Anything
// else names nothing, so callers answer "not found" without a look-up.
func ValidID(s string) bool {
	if len(s) != idLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !strings.ContainsRune(idAlphabet, rune(s[i])) {
			return false
		}
	}
	return true
}
