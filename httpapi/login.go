package httpapi

import (
	"context"
	"time"

	"github.com/ask2live/ask2live/ratelimit"
)

// knownAddressTTL is how long a successful log-in makes its address known
// to the account.
const knownAddressTTL = 30 * 24 * time.Hour

// loginGuard throttles password guessing without handing a guesser the
// power to lock the owner out (docs/SECURITY.md has the reasoning).
//
//   - Every register and log-in attempt spends from its address's budget
//     (-login-rate a minute): one address cannot guess fast, nor spray one
//     password over many accounts.
//   - An attempt on an account from an address that has never logged in to
//     it spends from the account's one shared budget (-login-user-rate an
//     hour): guessers spread over any number of addresses get that many
//     guesses an hour between them, all together.
//   - An attempt from an address the account has logged in from (within 30
//     days) spends from that address's own budget for the account, of the
//     same size. Guessers cannot empty it without sitting at the owner's
//     address, so the owner logs in from home or the office while the
//     account's shared budget is spent.
//
// The cost: while someone is guessing, the owner logging in from a new
// address waits like the guessers do.
type loginGuard struct {
	perAddress ratelimit.Limiter
	perAccount ratelimit.Limiter
	perKnown   ratelimit.Limiter
	known      ratelimit.Marks
}

func newLoginGuard(b ratelimit.Backend, perAddressPerMinute, perAccountPerHour int) *loginGuard {
	account := ratelimit.Rate{Events: perAccountPerHour, Period: time.Hour}
	return &loginGuard{
		perAddress: b.Limiter("login-address", ratelimit.Rate{Events: perAddressPerMinute, Period: time.Minute}),
		perAccount: b.Limiter("login-account", account),
		perKnown:   b.Limiter("login-known", account),
		known:      b.Marks("login-known", knownAddressTTL),
	}
}

// admit spends one attempt on account (a normalized username; empty when
// registering) from addr, or says how long to wait.
func (g *loginGuard) admit(ctx context.Context, account, addr string) error {
	if ok, wait := g.perAddress.Allow(ctx, addr); !ok {
		return rateLimited(wait)
	}
	if account == "" {
		return nil
	}
	key := account + "|" + addr
	if g.known.Marked(ctx, key) {
		if ok, wait := g.perKnown.Allow(ctx, key); !ok {
			return rateLimited(wait)
		}
		return nil
	}
	if ok, wait := g.perAccount.Allow(ctx, account); !ok {
		return rateLimitedWhy(wait, "too many log-in attempts on this account; try again in %d seconds, or from where you logged in before",
			retrySeconds(wait))
	}
	return nil
}

// succeeded makes addr known to account.
func (g *loginGuard) succeeded(ctx context.Context, account, addr string) {
	g.known.Mark(ctx, account+"|"+addr)
}
