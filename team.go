package ask2live

import (
	"context"
	"time"
)

// TeamRole is what a member of a session's team may do besides what every
// guest may. The host appoints the team, before or during the session.
type TeamRole string

// Team roles. The host is not a member of the team; RoleOf names the host
// TeamHost so that one value says what a person may do.
const (
	// TeamModerator manages the question queue and the chat.
	TeamModerator TeamRole = "moderator"
	// TeamCoHost is a moderator whom the host also allows to hand out the
	// microphone, remove people and end the session.
	TeamCoHost TeamRole = "cohost"
	// TeamHost is the session's host.
	TeamHost TeamRole = "host"
)

// Valid reports whether r is a role the host can appoint.
func (r TeamRole) Valid() bool { return r == TeamModerator || r == TeamCoHost }

// Moderates reports whether r may manage the queue and the chat: change a
// question's state, pin, delete any question or chat message, and see who
// is in the room.
func (r TeamRole) Moderates() bool { return r == TeamModerator || r == TeamCoHost || r == TeamHost }

// RunsStage reports whether r may hand out and take back the microphone,
// mute others, remove people from the room and end the session.
func (r TeamRole) RunsStage() bool { return r == TeamCoHost || r == TeamHost }

// TeamMember is one person the host appointed to a session's team.
type TeamMember struct {
	User    UserSummary `json:"user"`
	Role    TeamRole    `json:"role"`
	AddedAt time.Time   `json:"added_at"`
}

// TeamMaxSize bounds a session's team (the Service refuses more).
const TeamMaxSize = 20

// TeamStore keeps the teams of sessions.
type TeamStore interface {
	// SetTeamRole appoints userID to a session's team with a role (replacing
	// any role they had), or removes them from it (role ""); repeating
	// either is harmless.
	SetTeamRole(ctx context.Context, sessionID, userID string, role TeamRole, at time.Time) error
	// Team returns a session's team, earliest appointed first.
	Team(ctx context.Context, sessionID string) ([]TeamMember, error)
	// TeamRole returns userID's role in a session's team ("" for none).
	TeamRole(ctx context.Context, sessionID, userID string) (TeamRole, error)
}
