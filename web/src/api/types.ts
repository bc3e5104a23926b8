export type SessionState = 'recruiting' | 'ready' | 'scheduled' | 'live' | 'ended' | 'cancelled';
export type QuestionState = 'open' | 'answering' | 'answered' | 'dismissed';

export interface User {
  username: string;
  display_name: string;
  company?: string;
  work_field?: string;
  bio?: string;
  avatar_url?: string;
}

export type UserRef = Pick<User, 'username' | 'display_name' | 'avatar_url'>;

/**
 * A role the host gives on a session's team: moderators run the question
 * queue and the chat; co-hosts also run the stage (the microphone, removing
 * people, ending the session).
 */
export type TeamRole = 'moderator' | 'cohost';

/** What someone is in a session: its host, a member of its team, or (null) a guest. */
export type SessionRole = 'host' | TeamRole | null;

/** Whether a role may run the queue and the chat (and see who is in the room). */
export const moderates = (r: SessionRole) => r === 'host' || r === 'cohost' || r === 'moderator';

/** Whether a role may run the stage: the microphone, removing people, ending the session. */
export const runsStage = (r: SessionRole) => r === 'host' || r === 'cohost';

/** One person on a session's team. */
export interface TeamMember {
  user: UserRef;
  role: TeamRole;
  added_at: string;
}

/** The signed-in user as /me tells it: admin only there (and false until /me answers). */
export type Me = User & { admin?: boolean };

/** An account as the site administration sees it. */
export interface AdminUser {
  username: string;
  display_name: string;
  avatar_url: string;
  created_at: string;
  role: '' | 'admin';
  suspended_at: string | null;
  deleted_at: string | null;
}

export type AuditAction =
  | 'admin.grant' | 'admin.revoke' | 'user.suspend' | 'user.unsuspend' | 'user.delete'
  | 'session.end' | 'session.cancel' | 'session.remove';

/** One administrative action; actor null: the command line. */
export interface AuditEntry {
  id: string;
  actor: UserRef | null;
  action: AuditAction;
  target_type: 'user' | 'session';
  target: string;
  detail: string;
  created_at: string;
}

export interface Session {
  id: string;
  title: string;
  description: string;
  state: SessionState;
  starts_at: string | null;
  started_at: string | null;
  ended_at: string | null;
  target_guests: number;
  wish_count: number;
  wished_by_me: boolean;
  question_count: number;
  participant_count: number;
  host: User;
  /** Guests may ask without their name showing to the audience (the host and the team still see it). */
  allow_anonymous?: boolean;
}

export interface Question {
  id: string;
  session_id: string;
  kind: 'text' | 'voice';
  text: string;
  state: QuestionState;
  phase: 'pre' | 'live';
  votes: number;
  voted_by_me: boolean;
  author: UserRef;
  created_at: string;
  updated_at?: string;
  answered_at: string | null;
  /** When the host pinned it to the top of the queue; null when not pinned. */
  pinned_at?: string | null;
  /**
   * Asked without the name showing to the audience. The audience gets it
   * with an empty author; its author, the host and the team get the author.
   */
  anonymous?: boolean;
}

export interface Feed {
  wished_live: Session[];
  live: Session[];
  upcoming: Session[];
  recruiting: Session[];
}

export interface MySessions {
  hosting: Session[];
  wished: Session[];
  ended: Session[];
}

export interface PublicProfile {
  user: User;
  upcoming: Session[];
  past: Session[];
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export interface SessionInput {
  title: string;
  description: string;
  starts_at: string | null;
  target_guests: number;
  open_now?: boolean;
  allow_anonymous?: boolean;
}

export interface ProfileInput {
  display_name: string;
  company: string;
  work_field: string;
  bio: string;
}

/** An RFC 7807 problem as the server sends it, or one made up for network failures. */
export interface Problem {
  status: number;
  code: string;
  title?: string;
  detail?: string;
  errors?: { field: string; message: string }[];
}

/** Queue order: pinned first (earliest pinned first), then pre-questions, then by votes (desc), then by time. */
export function compareQuestions(a: Question, b: Question): number {
  const pa = a.pinned_at ?? null;
  const pb = b.pinned_at ?? null;
  if ((pa === null) !== (pb === null)) return pa !== null ? -1 : 1;
  if (pa !== null && pb !== null && pa !== pb) return Date.parse(pa) - Date.parse(pb);
  if (a.phase !== b.phase) return a.phase === 'pre' ? -1 : 1;
  if (a.votes !== b.votes) return b.votes - a.votes;
  return a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : 0;
}

/**
 * Whether the signed-in user (me) asked q. The audience gets an anonymous
 * question with an empty author, so both names must be there to match.
 */
export function isMine(q: Question, me: string | null | undefined): boolean {
  return !!me && !!q.author?.username && q.author.username === me;
}

/**
 * How a question's author shows to this viewer: by name; anonymous (the
 * audience, who do not learn who asked, or a question that came without its
 * author); the viewer's own anonymous question; or an anonymous question
 * whose author the host and the team see.
 */
export type AuthorView = 'named' | 'anonymous' | 'own' | 'revealed';

export function authorView(q: Question, me: string | null | undefined): AuthorView {
  if (!q.author?.username) return 'anonymous';
  if (!q.anonymous) return 'named';
  return isMine(q, me) ? 'own' : 'revealed';
}

export function sortQuestions(qs: Question[]): Question[] {
  return [...qs].sort(compareQuestions);
}

/** Answered questions in the order they were answered. */
export function answeredInOrder(qs: Question[]): Question[] {
  return qs
    .filter((q) => q.state === 'answered')
    .sort((a, b) => (a.answered_at ?? '').localeCompare(b.answered_at ?? '') || a.created_at.localeCompare(b.created_at));
}

/** Whether the signed-in user has a calendar feed (its address is shown only when made). */
export interface CalendarFeedState {
  active: boolean;
  created_at: string | null;
}

/** A freshly made calendar feed: the only time its address is seen. */
export interface NewCalendarFeed {
  url: string;
  webcal_url: string;
  created_at: string;
}
