// Message shapes of the live-room protocol (docs/PROTOCOL.md, version 1).
import type { Question, SessionRole, TeamMember, UserRef } from '../api/types';

export const PROTOCOL_VERSION = 1;

export interface LiveSession {
  id: string;
  title: string;
  state: string;
  started_at: string | null;
  ended_at: string | null;
  host: UserRef;
  /** Slow mode: each guest may send one chat message per this many seconds (0 or absent: off). */
  chat_slow_seconds?: number;
}

export interface ChatMessage {
  id: string;
  session_id: string;
  sender: UserRef;
  text: string;
  created_at: string;
}

export interface OnAir {
  speakers: string[];
  muted: string[];
  /** When each guest given the mic for a limited time must give it back (server clock, ISO 8601). */
  until?: Record<string, string>;
  /** The speakers' names and avatars. */
  people?: UserRef[];
}

/** Who the snapshot is for: role is absent for a guest. */
export interface You {
  username: string;
  host: boolean;
  role?: Exclude<SessionRole, null>;
}

export interface Snapshot {
  type: 'snapshot';
  v: number;
  seq: number;
  epoch: string;
  session: LiveSession;
  you: You;
  /** The host's team (moderators and co-hosts), earliest appointed first. */
  team: TeamMember[];
  questions: Question[];
  on_air: OnAir;
  chat: ChatMessage[];
  participant_count: number;
  /** The host and the team only: everyone in the room. */
  participants?: UserRef[];
  /** The host and co-hosts only: who is removed for the rest of the session. */
  removed?: UserRef[];
  /** The server's clock when it sent the snapshot: countdowns use it. */
  server_time?: string;
}

export interface Resume {
  type: 'resume';
  from: number;
  seq: number;
  epoch: string;
}

export type RoomEvent =
  | { type: 'question'; seq: number; question: Question }
  | { type: 'question_deleted'; seq: number; question_id: string }
  | { type: 'chat'; seq: number; chat: ChatMessage }
  | { type: 'chat_deleted'; seq: number; message_id: string }
  | { type: 'on_air'; seq: number; on_air: OnAir & { change: string; username: string } }
  | { type: 'presence'; seq: number; presence: { count: number; joined: UserRef[]; left: string[] } }
  | { type: 'session'; seq: number; session: LiveSession }
  | { type: 'removal'; seq: number; removal: { user: UserRef; removed: boolean } }
  /** The whole team after a change; absent when the host emptied it. */
  | { type: 'team'; seq: number; team?: TeamMember[] };

export interface Speaking {
  type: 'speaking';
  username: string;
  speaking: boolean;
}

export interface Ack {
  type: 'ack';
  cid: string;
  result?: unknown;
}

export interface CommandError {
  type: 'error';
  cid?: string;
  code: string;
  message: string;
  /** With rate_limited: how long until the same command (same cid) may be sent again. */
  retry_after_ms?: number;
}

export interface RtcSignal {
  /** 'rejoin' comes from the server: the node hosting the audio is gone, join again. */
  type: 'join' | 'offer' | 'answer' | 'candidate' | 'rejoin';
  sdp?: string;
  candidate?: RTCIceCandidateInit;
}

export type ServerMessage =
  | Snapshot
  | Resume
  | RoomEvent
  | Speaking
  | Ack
  | CommandError
  | { type: 'rtc'; signal: RtcSignal };

export type Command =
  /** anonymous: only for a text question, where the session allows it. */
  | { type: 'ask'; text: string; kind?: 'text' | 'voice'; anonymous?: boolean }
  | { type: 'vote' | 'unvote'; question_id: string }
  | { type: 'edit_question'; question_id: string; text: string }
  | { type: 'delete_question'; question_id: string }
  | { type: 'pin' | 'unpin'; question_id: string }
  | { type: 'set_question_state'; question_id: string; state: Question['state'] }
  | { type: 'chat'; text: string }
  | { type: 'delete_chat'; message_id: string }
  | { type: 'grant_mic'; username: string; seconds?: number }
  | { type: 'extend_mic'; username: string; seconds: number }
  | { type: 'revoke_mic'; username: string }
  | { type: 'give_back_mic' | 'decline_mic' }
  | { type: 'mute'; muted: boolean; username?: string }
  | { type: 'remove' | 'readmit'; username: string }
  | { type: 'participants' }
  | { type: 'set_slow_mode'; seconds: number }
  | { type: 'end' };

/** Close codes the server uses, and whether a client should reconnect after them. */
export const CLOSE = {
  going_away: 1001,
  too_big: 1009,
  heartbeat: 4000,
  too_slow: 4008,
  bad_hello: 4400,
  unauthorized: 4401,
  removed: 4403,
  not_found: 4404,
  not_live: 4409,
  too_many_sockets: 4429,
} as const;

export function shouldReconnect(code: number): boolean {
  return ![CLOSE.too_big, CLOSE.bad_hello, CLOSE.unauthorized, CLOSE.removed, CLOSE.not_found, CLOSE.not_live, CLOSE.too_many_sockets, 1000].includes(code as never);
}
