import { createSlice, type PayloadAction } from '@reduxjs/toolkit';
import {
  answeredInOrder, isMine, moderates, runsStage, sortQuestions, type Question, type SessionRole, type TeamMember, type UserRef,
} from '../api/types';
import type { ChatMessage, LiveSession, OnAir, Resume, RoomEvent, Snapshot, You } from './protocol';

export type ConnStatus = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';
export type CloseReason = 'removed' | 'signed_out' | 'ended' | 'not_found' | 'not_live' | 'too_many_tabs' | 'protocol' | null;

const CHAT_KEEP = 200;

export interface LiveState {
  sessionId: string | null;
  status: ConnStatus;
  closeReason: CloseReason;
  /** Lifetime of the room's event log; a resume only makes sense within one epoch. */
  epoch: string | null;
  /** Highest sequence number applied. */
  seq: number;
  /** An event arrived past a hole in the sequence: the socket must fetch a fresh snapshot. */
  gap: boolean;
  session: LiveSession | null;
  you: You | null;
  /** The host's team, as of the last snapshot or team event. */
  team: TeamMember[];
  /** How many times our own role changed while in the room (a notice follows each). */
  roleChanges: number;
  questions: Record<string, Question>;
  /** Our own votes, remembered from acks (events always say voted_by_me: false). */
  myVotes: Record<string, boolean>;
  chat: ChatMessage[];
  participantCount: number;
  /** The host and the team only: everyone in the room. */
  participants: UserRef[] | null;
  /** The host and co-hosts only: who was removed for the rest of the session. */
  removed: UserRef[];
  onAir: OnAir;
  /** The server's clock minus ours (ms), from the last snapshot: mic countdowns use it. */
  clockOffset: number;
  /** The last time our own mic was taken back because the time was up (ms, our clock). */
  timeUpAt: number | null;
  speaking: Record<string, boolean>;
  /** Local microphone: whether we publish audio, and why not if it failed. */
  mic: { publishing: boolean; error: string | null };
  /** The browser will not play the room's sound until the person clicks. */
  soundBlocked: boolean;
  /** A room error that came without a command to answer (its code). */
  lastError: { code: string } | null;
  /** When our own last chat message went out (ms, our clock): slow mode counts from it. */
  myChatAt: number | null;
  /** Slow mode refused a chat message of ours: the next may go at this time (ms, our clock). */
  chatRefusedUntil: number | null;
}

export const initialLiveState: LiveState = {
  sessionId: null,
  status: 'idle',
  closeReason: null,
  epoch: null,
  seq: 0,
  gap: false,
  session: null,
  you: null,
  team: [],
  roleChanges: 0,
  questions: {},
  myVotes: {},
  chat: [],
  participantCount: 0,
  participants: null,
  removed: [],
  onAir: { speakers: [], muted: [] },
  clockOffset: 0,
  timeUpAt: null,
  speaking: {},
  mic: { publishing: false, error: null },
  soundBlocked: false,
  lastError: null,
  myChatAt: null,
  chatRefusedUntil: null,
};

/** What we are in the session; null for a guest (or before the first snapshot). */
function myRole(s: LiveState): SessionRole {
  if (!s.you) return null;
  return s.you.host ? 'host' : s.you.role ?? null;
}

/** Takes `at` (ms, our clock) as when our last chat message went out, if it is the latest. */
function noteMyChat(s: LiveState, at: number) {
  if (Number.isFinite(at) && (s.myChatAt === null || at > s.myChatAt)) s.myChatAt = at;
}

/** A message of ours in the room (from another tab, or before a reload) counts for slow mode too. */
function noteMyMessage(s: LiveState, m: ChatMessage) {
  if (s.you && m.sender.username === s.you.username) noteMyChat(s, Date.parse(m.created_at) - s.clockOffset);
}

/** The session's new state; a refusal's wait was for the old slow mode, so a change forgets it. */
function setSession(s: LiveState, session: LiveSession) {
  if ((session.chat_slow_seconds ?? 0) !== (s.session?.chat_slow_seconds ?? 0)) s.chatRefusedUntil = null;
  s.session = session;
}

function applyEvent(s: LiveState, e: RoomEvent) {
  switch (e.type) {
    case 'question': {
      const q = { ...e.question, voted_by_me: !!s.myVotes[e.question.id] };
      s.questions[q.id] = q;
      break;
    }
    case 'question_deleted':
      delete s.questions[e.question_id];
      break;
    case 'chat':
      if (!s.chat.some((m) => m.id === e.chat.id)) s.chat.push(e.chat);
      noteMyMessage(s, e.chat);
      if (s.chat.length > CHAT_KEEP) s.chat.splice(0, s.chat.length - CHAT_KEEP);
      break;
    case 'chat_deleted':
      s.chat = s.chat.filter((m) => m.id !== e.message_id);
      break;
    case 'on_air':
      s.onAir = { speakers: e.on_air.speakers, muted: e.on_air.muted, until: e.on_air.until, people: e.on_air.people };
      if (e.on_air.change === 'time_up' && e.on_air.username === s.you?.username) s.timeUpAt = Date.now();
      for (const u of Object.keys(s.speaking)) if (!s.onAir.speakers.includes(u)) delete s.speaking[u];
      break;
    case 'presence': {
      s.participantCount = e.presence.count;
      if (s.participants) {
        // joined first, then left (usernames): the server's order.
        const list = [...s.participants];
        for (const u of e.presence.joined) if (!list.some((x) => x.username === u.username)) list.push(u);
        const left = new Set(e.presence.left);
        s.participants = list.filter((u) => !left.has(u.username));
      }
      break;
    }
    case 'removal': {
      const { user, removed } = e.removal;
      s.removed = s.removed.filter((u) => u.username !== user.username);
      if (removed) s.removed.push(user);
      break;
    }
    case 'team': {
      // A role applies from this event on; a fresh snapshot follows for us
      // if ours changed, but the controls follow the event at once.
      s.team = e.team ?? [];
      const you = s.you;
      if (!you || you.host) break;
      const role = s.team.find((m) => m.user.username === you.username)?.role;
      if (role === you.role) break;
      if (role) you.role = role;
      else delete you.role;
      s.roleChanges++;
      if (!moderates(myRole(s))) s.participants = null;
      if (!runsStage(myRole(s))) s.removed = [];
      break;
    }
    case 'session':
      setSession(s, e.session);
      if (e.session.state === 'ended' || e.session.state === 'cancelled') {
        s.closeReason = 'ended';
      }
      break;
  }
}

const slice = createSlice({
  name: 'live',
  initialState: initialLiveState,
  reducers: {
    joined(_s, a: PayloadAction<string>) {
      return { ...initialLiveState, sessionId: a.payload, status: 'connecting' };
    },
    left() {
      return initialLiveState;
    },
    statusChanged(s, a: PayloadAction<{ status: ConnStatus; reason?: CloseReason }>) {
      s.status = a.payload.status;
      if (a.payload.reason !== undefined) s.closeReason = a.payload.reason;
    },
    snapshotReceived(s, a: PayloadAction<Snapshot>) {
      const p = a.payload;
      // A snapshot on the same page (after a gap, or a role change we missed)
      // may give us another role; the first one after joining only tells it.
      const before = s.you?.username === p.you.username ? myRole(s) : undefined;
      s.epoch = p.epoch;
      s.seq = p.seq;
      s.gap = false;
      setSession(s, p.session);
      s.you = p.you;
      s.team = p.team;
      if (before !== undefined && before !== myRole(s)) s.roleChanges++;
      s.questions = {};
      s.myVotes = {};
      for (const q of p.questions) {
        s.questions[q.id] = q;
        if (q.voted_by_me) s.myVotes[q.id] = true;
      }
      s.chat = p.chat.slice(-CHAT_KEEP);
      s.participantCount = p.participant_count;
      s.participants = p.participants ?? null;
      s.removed = p.removed ?? [];
      s.onAir = p.on_air;
      s.clockOffset = p.server_time ? Date.parse(p.server_time) - Date.now() : 0;
      for (const m of s.chat) noteMyMessage(s, m);
      s.speaking = {};
      s.status = 'open';
      s.closeReason = p.session.state === 'ended' ? 'ended' : null;
    },
    resumeReceived(s, a: PayloadAction<Resume>) {
      // The missed events from..seq follow. If `from` does not continue our
      // sequence (or the log is another epoch), we cannot trust the resume.
      if (a.payload.epoch !== s.epoch || a.payload.from > s.seq + 1) s.gap = true;
      s.status = 'open';
    },
    eventReceived(s, a: PayloadAction<RoomEvent>) {
      const e = a.payload;
      if (s.gap) return;
      if (e.seq <= s.seq) return; // duplicate
      if (e.seq > s.seq + 1) {
        s.gap = true; // missed something: wait for a fresh snapshot
        return;
      }
      applyEvent(s, e);
      s.seq = e.seq;
    },
    speakingChanged(s, a: PayloadAction<{ username: string; speaking: boolean }>) {
      if (a.payload.speaking) s.speaking[a.payload.username] = true;
      else delete s.speaking[a.payload.username];
    },
    voteAcked(s, a: PayloadAction<{ questionId: string; voted: boolean }>) {
      const { questionId, voted } = a.payload;
      if (voted) s.myVotes[questionId] = true;
      else delete s.myVotes[questionId];
      const q = s.questions[questionId];
      if (q) q.voted_by_me = voted;
    },
    participantsLoaded(s, a: PayloadAction<UserRef[]>) {
      s.participants = a.payload;
    },
    micChanged(s, a: PayloadAction<Partial<LiveState['mic']>>) {
      s.mic = { ...s.mic, ...a.payload };
    },
    soundBlockedChanged(s, a: PayloadAction<boolean>) {
      s.soundBlocked = a.payload;
    },
    errorShown(s, a: PayloadAction<{ code: string } | null>) {
      s.lastError = a.payload;
    },
    /** The server took a chat message of ours at `payload` (ms, our clock: when the ack came). */
    chatSent(s, a: PayloadAction<number>) {
      noteMyChat(s, a.payload);
    },
    /** The server refused a chat message of ours as too soon, at `at`, saying to wait retryAfterMs. */
    chatRefused(s, a: PayloadAction<{ at: number; retryAfterMs: number }>) {
      s.chatRefusedUntil = a.payload.at + a.payload.retryAfterMs;
    },
  },
});

export const live = slice.actions;
export const liveReducer = slice.reducer;

// Selectors take the live state itself so tests need no store.
export const selectQuestionList = (s: LiveState) => Object.values(s.questions);
export const selectCurrent = (s: LiveState) => selectQuestionList(s).find((q) => q.state === 'answering') ?? null;
export const selectQueue = (s: LiveState) => sortQuestions(selectQuestionList(s).filter((q) => q.state === 'open'));
export const selectAnswered = (s: LiveState) => answeredInOrder(selectQuestionList(s));
/** What we are in the session: 'host', 'cohost', 'moderator', or null for a guest. */
export const selectRole = (s: LiveState): SessionRole => myRole(s);
/** Whether we run the queue and the chat and see who is here: the host, co-hosts and moderators. */
export const selectCanModerate = (s: LiveState) => moderates(myRole(s));
/** Whether we run the stage (the mic, removing people, the end): the host and co-hosts. */
export const selectCanRunStage = (s: LiveState) => runsStage(myRole(s));
/** What someone is in a session with this host and team, for the badge beside their name. */
export const roleInTeam = (team: TeamMember[], host: string | undefined, username: string): SessionRole =>
  username === host ? 'host' : team.find((m) => m.user.username === username)?.role ?? null;
/** What someone is in the room's session. */
export const roleIn = (s: LiveState, username: string): SessionRole => roleInTeam(s.team, s.session?.host.username, username);
export const selectOnAir = (s: LiveState) => !!s.you && s.onAir.speakers.includes(s.you.username);
/** Whether our microphone should be open: on air in a room that is still open. */
export const selectPublishing = (s: LiveState) => selectOnAir(s) && s.status !== 'closed';
export const selectMuted = (s: LiveState) => !!s.you && s.onAir.muted.includes(s.you.username);
/** My open voice question, if any: I have my hand raised. */
export const selectHandRaised = (s: LiveState) =>
  selectQuestionList(s).some((q) => q.kind === 'voice' && isMine(q, s.you?.username) && (q.state === 'open' || q.state === 'answering'));
/** Slow mode: how many seconds a guest waits between two chat messages; 0 when it is off. */
export const selectChatSlowSeconds = (s: LiveState) => s.session?.chat_slow_seconds ?? 0;
/**
 * When we may send our next chat message under slow mode (ms, our clock;
 * it may have passed), or null when slow mode does not hold us: it is off,
 * or we are the host or on the team. It counts from our last message, or
 * from a refusal's wait when that ends later.
 */
export const selectChatReadyAt = (s: LiveState): number | null => {
  const slow = selectChatSlowSeconds(s);
  if (!slow || moderates(myRole(s))) return null;
  return Math.max(s.myChatAt === null ? 0 : s.myChatAt + slow * 1000, s.chatRefusedUntil ?? 0);
};
