import { describe, expect, it } from 'vitest';
import { api } from '../api/api';
import type { Session } from '../api/types';
import { makeStore } from '../store';
import { q, snapshot } from '../test/fixtures';
import { live } from './liveSlice';

function session(over: Partial<Session> = {}): Session {
  return {
    id: 's1', title: 'T', description: '', state: 'live', starts_at: null, started_at: '2026-11-25T03:00:00Z', ended_at: null,
    target_guests: 0, wish_count: 0, wished_by_me: false, question_count: 1, participant_count: 0,
    host: { username: 'host', display_name: 'H' }, ...over,
  };
}

/** A store whose cache holds the session as fetched before going live, with its open pre-question. */
async function cachedStore() {
  const store = makeStore();
  await store.dispatch(api.util.upsertQueryData('getSession', 's1', session({ state: 'scheduled', started_at: null })));
  await store.dispatch(api.util.upsertQueryData('questions', 's1', [q('a', { phase: 'pre', text: 'pre' })]));
  store.dispatch(live.joined('s1'));
  return store;
}

const cachedSession = (store: ReturnType<typeof makeStore>) => api.endpoints.getSession.select('s1')(store.getState()).data;
const cachedQuestions = (store: ReturnType<typeof makeStore>) => api.endpoints.questions.select('s1')(store.getState()).data;

describe('the REST cache follows the live room', () => {
  it('takes the snapshot, then answered questions and the end', async () => {
    const store = await cachedStore();
    store.dispatch(live.snapshotReceived(snapshot({ seq: 10, questions: [q('a', { phase: 'pre', text: 'pre' }), q('b', { text: 'live one' })] })));
    expect(cachedSession(store)).toMatchObject({ state: 'live', question_count: 2, participant_count: 3 });
    expect(cachedQuestions(store)?.map((x) => x.id).sort()).toEqual(['a', 'b']);

    store.dispatch(live.eventReceived({ type: 'question', seq: 11, question: q('a', { phase: 'pre', text: 'pre', state: 'answered', answered_at: '2026-11-25T03:05:00Z' }) }));
    store.dispatch(live.eventReceived({ type: 'question', seq: 12, question: q('c', { text: 'new' }) }));
    store.dispatch(live.eventReceived({ type: 'question_deleted', seq: 13, question_id: 'b' }));
    store.dispatch(live.eventReceived({ type: 'presence', seq: 14, presence: { count: 5, joined: [], left: [] } }));
    expect(cachedQuestions(store)?.find((x) => x.id === 'a')).toMatchObject({ state: 'answered', answered_at: '2026-11-25T03:05:00Z' });
    expect(cachedQuestions(store)?.map((x) => x.id).sort()).toEqual(['a', 'c']);
    expect(cachedSession(store)).toMatchObject({ question_count: 2, participant_count: 5 });

    store.dispatch(live.eventReceived({ type: 'session', seq: 15, session: { ...snapshot().session, state: 'ended', ended_at: '2026-11-25T04:00:00Z' } }));
    expect(cachedSession(store)).toMatchObject({ state: 'ended', ended_at: '2026-11-25T04:00:00Z' });
  });

  it('ignores events the room did not apply', async () => {
    const store = await cachedStore();
    store.dispatch(live.snapshotReceived(snapshot({ seq: 10, questions: [q('a', { phase: 'pre', text: 'pre' })] })));
    store.dispatch(live.eventReceived({ type: 'question', seq: 10, question: q('a', { state: 'answered' }) })); // duplicate
    store.dispatch(live.eventReceived({ type: 'question', seq: 12, question: q('z') })); // past a gap
    expect(cachedQuestions(store)?.map((x) => [x.id, x.state])).toEqual([['a', 'open']]);
  });

  it('keeps our own votes, which events do not carry', async () => {
    const store = await cachedStore();
    store.dispatch(live.snapshotReceived(snapshot({ seq: 10, questions: [q('a', { phase: 'pre' })] })));
    store.dispatch(live.voteAcked({ questionId: 'a', voted: true }));
    store.dispatch(live.eventReceived({ type: 'question', seq: 11, question: q('a', { phase: 'pre', votes: 1 }) }));
    expect(cachedQuestions(store)?.[0]).toMatchObject({ votes: 1, voted_by_me: true });
  });

  it("keeps the session page's team as the room tells it", async () => {
    const store = await cachedStore();
    await store.dispatch(api.util.upsertQueryData('team', 's1', []));
    const kim = { user: { username: 'kim', display_name: '김', avatar_url: '' }, role: 'moderator' as const, added_at: '2026-11-25T03:00:00Z' };
    store.dispatch(live.snapshotReceived(snapshot({ seq: 10, team: [kim] })));
    expect(api.endpoints.team.select('s1')(store.getState()).data).toEqual([kim]);
    store.dispatch(live.eventReceived({ type: 'team', seq: 11 }));
    expect(api.endpoints.team.select('s1')(store.getState()).data).toEqual([]);
  });
});
