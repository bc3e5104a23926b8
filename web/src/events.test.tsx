import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderHook } from '@testing-library/react';
import { Provider } from 'react-redux';
import type { ReactNode } from 'react';
import { api } from './api/api';
import { useSessionEvents, useSessionStream } from './events';
import { makeStore } from './store';
import { json, stubFetch } from './test/render';
import { q } from './test/fixtures';

class FakeEventSource {
  static CLOSED = 2;
  static last: FakeEventSource;
  readyState = 0;
  listeners: Record<string, ((e: MessageEvent) => void)[]> = {};
  onmessage: ((e: MessageEvent) => void) | null = null;
  onerror: (() => void) | null = null;
  onopen: (() => void) | null = null;
  closed = false;
  constructor(public url: string) { FakeEventSource.last = this; }
  addEventListener(t: string, f: (e: MessageEvent) => void) { (this.listeners[t] ??= []).push(f); }
  close() { this.closed = true; this.readyState = 2; }
  emit(t: string, data: unknown) { for (const f of this.listeners[t] ?? []) f(new MessageEvent(t, { data: JSON.stringify(data) })); }
}

afterEach(() => vi.unstubAllGlobals());

const session = {
  id: 's1', title: 'T', description: '', state: 'scheduled', starts_at: null, started_at: null, ended_at: null, target_guests: 0,
  wish_count: 1, wished_by_me: true, question_count: 0, participant_count: 0, host: { username: 'h', display_name: 'H' },
};

describe('main page event stream', () => {
  it('patches the cached session and refetches the feed when a session goes live', async () => {
    vi.stubGlobal('EventSource', FakeEventSource);
    const { fn, calls } = stubFetch((req) => (new URL(req.url).pathname === '/api/v1/feed'
      ? json({ wished_live: [], live: [], upcoming: [session], recruiting: [] })
      : json(session)));
    vi.stubGlobal('fetch', fn);
    const store = makeStore();
    await store.dispatch(api.endpoints.getSession.initiate('s1'));
    store.dispatch(api.endpoints.feed.initiate());
    await vi.waitFor(() => expect(calls.filter((c) => c.url.endsWith('/feed'))).toHaveLength(1));
    const wrapper = ({ children }: { children: ReactNode }) => <Provider store={store}>{children}</Provider>;
    renderHook(() => useSessionEvents(), { wrapper });
    expect(FakeEventSource.last.url).toBe('/api/v1/events');
    FakeEventSource.last.emit('session.live', { type: 'session.live', session: { ...session, state: 'live', wished_by_me: false } });
    const s = api.endpoints.getSession.select('s1')(store.getState()).data;
    expect(s).toMatchObject({ state: 'live', wished_by_me: true });
    await vi.waitFor(() => expect(calls.filter((c) => c.url.endsWith('/feed'))).toHaveLength(2));
  });

  it('fetches the feed again whenever the stream opens, so nothing before it is missed', async () => {
    vi.stubGlobal('EventSource', FakeEventSource);
    const { fn, calls } = stubFetch(() => json({ wished_live: [], live: [], upcoming: [session], recruiting: [] }));
    vi.stubGlobal('fetch', fn);
    const store = makeStore();
    const feed = store.dispatch(api.endpoints.feed.initiate());
    await vi.waitFor(() => expect(calls).toHaveLength(1));
    const wrapper = ({ children }: { children: ReactNode }) => <Provider store={store}>{children}</Provider>;
    renderHook(() => useSessionEvents(), { wrapper });
    FakeEventSource.last.onopen?.();
    await vi.waitFor(() => expect(calls).toHaveLength(2));
    FakeEventSource.last.onerror?.();
    expect(calls).toHaveLength(2);
    FakeEventSource.last.onopen?.();
    await vi.waitFor(() => expect(calls).toHaveLength(3));
    feed.unsubscribe();
  });

  it('gives up quietly when the stream does not exist', () => {
    vi.stubGlobal('EventSource', FakeEventSource);
    const store = makeStore();
    const wrapper = ({ children }: { children: ReactNode }) => <Provider store={store}>{children}</Provider>;
    renderHook(() => useSessionEvents(), { wrapper });
    FakeEventSource.last.readyState = FakeEventSource.CLOSED;
    FakeEventSource.last.onerror?.();
    expect(FakeEventSource.last.closed).toBe(true);
  });
});

describe("a session's own stream", () => {
  it('adds, changes and removes questions and keeps the count with the list', async () => {
    vi.stubGlobal('EventSource', FakeEventSource);
    const store = makeStore();
    await store.dispatch(api.util.upsertQueryData('getSession', 's1', { ...session, question_count: 1 } as never));
    await store.dispatch(api.util.upsertQueryData('questions', 's1', [q('a', { voted_by_me: true, votes: 1 })]));
    const wrapper = ({ children }: { children: ReactNode }) => <Provider store={store}>{children}</Provider>;
    renderHook(() => useSessionStream('s1'), { wrapper });
    expect(FakeEventSource.last.url).toBe('/api/v1/sessions/s1/events');
    FakeEventSource.last.emit('question', { type: 'question', question: q('b', { text: 'new one' }) });
    FakeEventSource.last.emit('question', { type: 'question', question: q('a', { votes: 2, voted_by_me: false }) });
    const cached = () => api.endpoints.questions.select('s1')(store.getState()).data;
    expect(cached()?.map((x) => x.id)).toEqual(['a', 'b']);
    expect(cached()?.[0]).toMatchObject({ votes: 2, voted_by_me: true });
    expect(api.endpoints.getSession.select('s1')(store.getState()).data?.question_count).toBe(2);
    FakeEventSource.last.emit('question_deleted', { type: 'question_deleted', question_id: 'a' });
    expect(cached()?.map((x) => x.id)).toEqual(['b']);
    expect(api.endpoints.getSession.select('s1')(store.getState()).data?.question_count).toBe(1);
  });

  it('counts the people in a live room on the main page without refetching it', async () => {
    vi.stubGlobal('EventSource', FakeEventSource);
    const { fn, calls } = stubFetch(() => json({ wished_live: [], live: [{ ...session, state: 'live' }], upcoming: [], recruiting: [] }));
    vi.stubGlobal('fetch', fn);
    const store = makeStore();
    store.dispatch(api.endpoints.feed.initiate());
    await vi.waitFor(() => expect(calls).toHaveLength(1));
    const wrapper = ({ children }: { children: ReactNode }) => <Provider store={store}>{children}</Provider>;
    renderHook(() => useSessionEvents(), { wrapper });
    FakeEventSource.last.emit('session.presence', { type: 'session.presence', session_id: 's1', participant_count: 4 });
    await vi.waitFor(() => expect(api.endpoints.feed.select()(store.getState()).data?.live[0].participant_count).toBe(4));
    expect(calls).toHaveLength(1);
  });

  it('applies team changes to the cached team, and asks for the questions again when we join or leave it', async () => {
    vi.stubGlobal('EventSource', FakeEventSource);
    const { fn, calls } = stubFetch(() => json({ items: [], next_cursor: null }));
    vi.stubGlobal('fetch', fn);
    const store = makeStore();
    await store.dispatch(api.util.upsertQueryData('getMe', undefined, { username: 'kim', display_name: '김' }));
    await store.dispatch(api.util.upsertQueryData('getSession', 's1', session as never));
    await store.dispatch(api.util.upsertQueryData('team', 's1', []));
    const qs = store.dispatch(api.endpoints.questions.initiate('s1'));
    await vi.waitFor(() => expect(calls).toHaveLength(1));
    const wrapper = ({ children }: { children: ReactNode }) => <Provider store={store}>{children}</Provider>;
    renderHook(() => useSessionStream('s1'), { wrapper });
    const team = () => api.endpoints.team.select('s1')(store.getState()).data;
    const lee = { user: { username: 'lee', display_name: 'Lee', avatar_url: '' }, role: 'cohost', added_at: '2026-11-25T03:00:00Z' };
    const kim = { user: { username: 'kim', display_name: '김', avatar_url: '' }, role: 'moderator', added_at: '2026-11-25T03:01:00Z' };

    FakeEventSource.last.emit('team', { type: 'team', team: [lee] });
    expect(team()?.map((m) => m.user.username)).toEqual(['lee']);
    FakeEventSource.last.emit('team', { type: 'team', team: [lee, kim] });
    expect(team()?.map((m) => m.role)).toEqual(['cohost', 'moderator']);
    // We are on the team now: we are told who asked the anonymous questions.
    await vi.waitFor(() => expect(calls).toHaveLength(2));
    // An emptied team comes without its list.
    FakeEventSource.last.emit('team', { type: 'team' });
    expect(team()).toEqual([]);
    await vi.waitFor(() => expect(calls).toHaveLength(3));
    qs.unsubscribe();
  });

  it('keeps the author of an anonymous question it knows, and the host asks who asked a new one', async () => {
    vi.stubGlobal('EventSource', FakeEventSource);
    const nobody = { username: '', display_name: '', avatar_url: '' };
    const known = q('a', { anonymous: true, author: { username: 'g1', display_name: 'G1', avatar_url: '' } });
    const { fn, calls } = stubFetch(() => json({ items: [known], next_cursor: null }));
    vi.stubGlobal('fetch', fn);
    const store = makeStore();
    await store.dispatch(api.util.upsertQueryData('getMe', undefined, { username: 'h', display_name: 'H' }));
    await store.dispatch(api.util.upsertQueryData('getSession', 's1', session as never));
    const qs = store.dispatch(api.endpoints.questions.initiate('s1'));
    await vi.waitFor(() => expect(calls).toHaveLength(1));
    const wrapper = ({ children }: { children: ReactNode }) => <Provider store={store}>{children}</Provider>;
    renderHook(() => useSessionStream('s1'), { wrapper });
    const cached = () => api.endpoints.questions.select('s1')(store.getState()).data;

    FakeEventSource.last.emit('question', { type: 'question', question: { ...known, author: nobody, votes: 4 } });
    expect(cached()?.[0]).toMatchObject({ votes: 4, author: { username: 'g1' } });
    expect(calls).toHaveLength(1);
    FakeEventSource.last.emit('question', { type: 'question', question: q('b', { anonymous: true, author: nobody }) });
    await vi.waitFor(() => expect(calls).toHaveLength(2));
    qs.unsubscribe();
  });

  it('leaves a guest with the anonymous question as the audience sees it', async () => {
    vi.stubGlobal('EventSource', FakeEventSource);
    const { fn, calls } = stubFetch(() => json({ items: [], next_cursor: null }));
    vi.stubGlobal('fetch', fn);
    const store = makeStore();
    await store.dispatch(api.util.upsertQueryData('getMe', undefined, { username: 'g2', display_name: 'G2' }));
    await store.dispatch(api.util.upsertQueryData('getSession', 's1', session as never));
    await store.dispatch(api.util.upsertQueryData('team', 's1', []));
    const qs = store.dispatch(api.endpoints.questions.initiate('s1'));
    await vi.waitFor(() => expect(calls).toHaveLength(1));
    const wrapper = ({ children }: { children: ReactNode }) => <Provider store={store}>{children}</Provider>;
    renderHook(() => useSessionStream('s1'), { wrapper });
    FakeEventSource.last.emit('question', { type: 'question', question: q('b', { anonymous: true, author: { username: '', display_name: '', avatar_url: '' } }) });
    expect(api.endpoints.questions.select('s1')(store.getState()).data?.map((x) => x.id)).toEqual(['b']);
    // A refetch starts as the invalidation is handled; by the next task it would have been asked for.
    await new Promise((ok) => setTimeout(ok, 0));
    expect(api.endpoints.questions.select('s1')(store.getState()).status).toBe('fulfilled');
    expect(calls).toHaveLength(1);
    qs.unsubscribe();
  });
});
