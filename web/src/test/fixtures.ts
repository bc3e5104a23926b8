import type { Question } from '../api/types';
import type { Snapshot } from '../live/protocol';

export const host = { username: 'host', display_name: '호스트', avatar_url: '' };

export function q(id: string, over: Partial<Question> = {}): Question {
  return {
    id, session_id: 's1', kind: 'text', text: id, state: 'open', phase: 'live', votes: 0, voted_by_me: false,
    author: { username: 'g1', display_name: 'G1', avatar_url: '' }, created_at: `2026-11-25T03:00:0${id.length}Z`, answered_at: null, ...over,
  };
}

export function snapshot(over: Partial<Snapshot> = {}): Snapshot {
  return {
    type: 'snapshot', v: 1, seq: 10, epoch: 'e1',
    session: { id: 's1', title: 'T', state: 'live', started_at: null, ended_at: null, host },
    you: { username: 'g1', host: false },
    team: [],
    questions: [q('a', { phase: 'pre', votes: 1, voted_by_me: true })],
    on_air: { speakers: ['host'], muted: [] },
    chat: [],
    participant_count: 3,
    ...over,
  };
}

