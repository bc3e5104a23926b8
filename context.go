package ask2live

import "context"

type ctxKey int

const userKey ctxKey = iota

// NewContextWithUser returns ctx carrying the authenticated user. The HTTP
// layer sets it; the live rooms read it at the WebSocket upgrade.
func NewContextWithUser(ctx context.Context, u *User) context.Context {
	return context.WithValue(ctx, userKey, u)
}

// UserFromContext returns the authenticated user, or nil for anonymous.
func UserFromContext(ctx context.Context) *User {
	u, _ := ctx.Value(userKey).(*User)
	return u
}
