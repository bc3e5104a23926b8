package ask2live

import "context"

// RoleIn returns what the actor is in a session: TeamHost for its host,
// their team role, or "" for everyone else (anonymous visitors included).
func (s *Service) RoleIn(ctx context.Context, sess *Session, actor *User) (TeamRole, error) {
	switch {
	case actor == nil:
		return "", nil
	case sess.HostID == actor.ID:
		return TeamHost, nil
	}
	return s.Store.TeamRole(ctx, sess.ID, actor.ID)
}

// Team returns a session's team: who moderates is public, like who hosts.
func (s *Service) Team(ctx context.Context, id string) ([]TeamMember, error) {
	if _, err := s.Store.SessionRow(ctx, id); err != nil {
		return nil, err
	}
	return s.Store.Team(ctx, id)
}

// SetTeamRole appoints someone to a session's team with a role, changes
// their role, or (role "") takes them off the team. Only the host manages
// the team, before or during the session; the room hears of every change.
func (s *Service) SetTeamRole(ctx context.Context, actor *User, id, username string, role TeamRole) ([]TeamMember, error) {
	if role != "" && !role.Valid() {
		return nil, Invalid(FieldError{"role", "must be moderator or cohost"})
	}
	sess, err := s.hostSession(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if sess.State.Closed() {
		return nil, Errorf(EWrongState, "the session is %s", sess.State)
	}
	u, err := s.Store.UserByUsername(ctx, NormalizeUsername(username))
	if err != nil {
		return nil, err
	}
	if u.ID == sess.HostID {
		return nil, Errorf(EInvalid, "the host is not a member of their own team")
	}
	if role != "" && (u.SuspendedAt != nil || u.DeletedAt != nil) {
		return nil, Errorf(ENotFound, "no such user")
	}
	team, err := s.Store.Team(ctx, id)
	if err != nil {
		return nil, err
	}
	if role != "" && len(team) >= TeamMaxSize && !inTeam(team, u.Username) {
		return nil, Errorf(EWrongState, "a team has at most %d members", TeamMaxSize)
	}
	if err := s.Store.SetTeamRole(ctx, id, u.ID, role, s.now()); err != nil {
		return nil, err
	}
	if team, err = s.Store.Team(ctx, id); err != nil {
		return nil, err
	}
	s.notify(func(n Notifier) { n.TeamChanged(id, team) })
	return team, nil
}

func inTeam(team []TeamMember, username string) bool {
	for _, m := range team {
		if m.User.Username == username {
			return true
		}
	}
	return false
}

// sessionFor loads a session for an action that needs a role in it: the
// host always has it; may says whether a team role is enough.
func (s *Service) sessionFor(ctx context.Context, actor *User, id string, may func(TeamRole) bool, action string) (*Session, error) {
	if err := requireUser(actor); err != nil {
		return nil, err
	}
	sess, err := s.Store.SessionRow(ctx, id)
	if err != nil {
		return nil, err
	}
	role, err := s.RoleIn(ctx, sess, actor)
	if err != nil {
		return nil, err
	}
	if !may(role) {
		return nil, Errorf(EForbidden, "only the host%s can %s", teamWho(may), action)
	}
	return sess, nil
}

// teamWho names who besides the host may do what may allows, for errors.
func teamWho(may func(TeamRole) bool) string {
	switch {
	case may(TeamModerator):
		return " and moderators"
	case may(TeamCoHost):
		return " and co-hosts"
	}
	return ""
}
