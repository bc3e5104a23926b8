package httpapi

import (
	"context"
	"net/http"

	"github.com/ask2live/ask2live"
)

func (s *Server) adminUsers(_ http.ResponseWriter, r *http.Request) (any, error) {
	q := r.URL.Query()
	limit, err := pageLimit(q, ask2live.AdminPageDefault, ask2live.AdminPageMax)
	if err != nil {
		return nil, err
	}
	page, err := s.svc.AdminUsers(r.Context(), user(r), ask2live.AdminUserFilter{Text: q.Get("q"), Cursor: q.Get("cursor"), Limit: limit})
	return page, queryError(err)
}

// adminUserAction adapts a Service method on an account to a handler.
func (s *Server) adminUserAction(fn func(*ask2live.Service, context.Context, *ask2live.User, string) (*ask2live.AdminUser, error)) func(http.ResponseWriter, *http.Request) (any, error) {
	return func(_ http.ResponseWriter, r *http.Request) (any, error) {
		return fn(s.svc, r.Context(), user(r), r.PathValue("username"))
	}
}

func (s *Server) auditLog(_ http.ResponseWriter, r *http.Request) (any, error) {
	q := r.URL.Query()
	limit, err := pageLimit(q, ask2live.AdminPageDefault, ask2live.AdminPageMax)
	if err != nil {
		return nil, err
	}
	page, err := s.svc.AuditLog(r.Context(), user(r), q.Get("cursor"), limit)
	return page, queryError(err)
}
