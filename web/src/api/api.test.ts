import { afterEach, describe, expect, it, vi } from 'vitest';
import { api } from './api';
import { makeStore } from '../store';
import { json, problem, stubFetch } from '../test/render';
import type { Question, Session } from './types';

const user = { username: 'kim', display_name: '김', company: '', work_field: '', bio: '', avatar_url: '' };

function session(over: Partial<Session> = {}): Session {
  return {
    id: 's1', title: 'T', description: '', state: 'recruiting', starts_at: '2030-01-01T00:00:00Z', started_at: null, ended_at: null,
    target_guests: 5, wish_count: 2, wished_by_me: false, question_count: 0, participant_count: 0, host: { ...user, username: 'host' }, ...over,
  };
}

afterEach(() => {
  vi.unstubAllGlobals();
  document.cookie = 'ask2live_csrf=; expires=Thu, 01 Jan 1970 00:00:00 GMT';
});

describe('api slice', () => {
  it('sends the CSRF cookie as a header on writes only, with same-origin credentials', async () => {
    document.cookie = 'ask2live_csrf=tok123';
    const { fn, calls } = stubFetch((req) => (req.method === 'GET' ? json(session()) : json({ user, token: 'x' })));
    vi.stubGlobal('fetch', fn);
    const store = makeStore();
    await store.dispatch(api.endpoints.getSession.initiate('s1'));
    await store.dispatch(api.endpoints.login.initiate({ username: 'kim', password: 'password1' }));
    const [get, post] = calls;
    expect(get.headers.get('X-CSRF-Token')).toBeNull();
    expect(post.method).toBe('POST');
    expect(new URL(post.url).pathname).toBe('/api/v1/auth/login');
    expect(post.headers.get('X-CSRF-Token')).toBe('tok123');
    expect(post.credentials).toBe('same-origin');
    expect(await post.json()).toEqual({ username: 'kim', password: 'password1' });
  });

  it('stores the signed-in user after log-in, and asks /me whether they are an admin', async () => {
    const { fn, calls } = stubFetch((req) => new URL(req.url).pathname === '/api/v1/me' ? json({ ...user, admin: true }) : json({ user, token: 'x' }));
    vi.stubGlobal('fetch', fn);
    const store = makeStore();
    await store.dispatch(api.endpoints.login.initiate({ username: 'kim', password: 'password1' }));
    await vi.waitFor(() => expect(api.endpoints.getMe.select()(store.getState()).data).toEqual({ ...user, admin: true }));
    expect(calls.map((c) => new URL(c.url).pathname)).toEqual(['/api/v1/auth/login', '/api/v1/me']);
  });

  it('asks /me again when a request is refused for want of credentials', async () => {
    const { fn, calls } = stubFetch((req) => new URL(req.url).pathname === '/api/v1/me' ? json(user)
      : problem(401, 'unauthenticated', 'missing, expired or revoked credentials'));
    vi.stubGlobal('fetch', fn);
    const store = makeStore();
    const me = store.dispatch(api.endpoints.getMe.initiate());
    await me;
    await store.dispatch(api.endpoints.wish.initiate({ id: 's1', wished: true }));
    await vi.waitFor(() => expect(calls.filter((c) => new URL(c.url).pathname === '/api/v1/me')).toHaveLength(2));
    me.unsubscribe();
  });

  it('turns problem+json into a Problem with detail and field errors', async () => {
    vi.stubGlobal('fetch', stubFetch(() => problem(422, 'invalid_input', 'username is taken', [{ field: 'username', message: 'taken' }])).fn);
    const store = makeStore();
    const r = await store.dispatch(api.endpoints.register.initiate({ username: 'kim', password: 'password1', display_name: 'K' }));
    expect('error' in r && r.error).toMatchObject({ status: 422, code: 'invalid_input', detail: 'username is taken', errors: [{ field: 'username', message: 'taken' }] });
  });

  it('reads the question queue page by page', async () => {
    const page1 = { items: [{ id: 'q1' }, { id: 'q2' }], next_cursor: 'c2' };
    const page2 = { items: [{ id: 'q3' }], next_cursor: '' };
    const { fn, calls } = stubFetch((req) => json(new URL(req.url).searchParams.get('cursor') === 'c2' ? page2 : page1));
    vi.stubGlobal('fetch', fn);
    const store = makeStore();
    const r = await store.dispatch(api.endpoints.questions.initiate('s1'));
    expect(r.data?.map((q) => q.id)).toEqual(['q1', 'q2', 'q3']);
    expect(calls.map((c) => new URL(c.url).pathname)).toEqual(['/api/v1/sessions/s1/questions', '/api/v1/sessions/s1/questions']);
    expect(new URL(calls[1].url).searchParams.get('cursor')).toBe('c2');
  });

  it('reports a network failure as status 0 unavailable', async () => {
    vi.stubGlobal('fetch', () => Promise.reject(new TypeError('Failed to fetch')));
    const store = makeStore();
    const r = await store.dispatch(api.endpoints.feed.initiate());
    expect(r.error).toMatchObject({ status: 0, code: 'unavailable' });
  });

  it('wishes optimistically and takes the server count', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    vi.stubGlobal('fetch', stubFetch(async (req) => {
      if (req.method === 'GET') return json(session());
      await gate;
      return json(session({ wished_by_me: true, wish_count: 5, state: 'ready' }));
    }).fn);
    const store = makeStore();
    await store.dispatch(api.endpoints.getSession.initiate('s1'));
    const p = store.dispatch(api.endpoints.wish.initiate({ id: 's1', wished: true }));
    await Promise.resolve();
    expect(api.endpoints.getSession.select('s1')(store.getState()).data).toMatchObject({ wished_by_me: true, wish_count: 3 });
    release();
    await p;
    await vi.waitFor(() => expect(api.endpoints.getSession.select('s1')(store.getState()).data).toMatchObject({ wished_by_me: true, wish_count: 5, state: 'ready' }));
  });

  it('rolls the optimistic wish back when the server refuses', async () => {
    vi.stubGlobal('fetch', stubFetch((req) => (req.method === 'GET' ? json(session()) : problem(403, 'forbidden', 'hosts cannot wish'))).fn);
    const store = makeStore();
    await store.dispatch(api.endpoints.getSession.initiate('s1'));
    const r = await store.dispatch(api.endpoints.wish.initiate({ id: 's1', wished: true }));
    expect(r.error).toMatchObject({ status: 403, detail: 'hosts cannot wish' });
    expect(api.endpoints.getSession.select('s1')(store.getState()).data).toMatchObject({ wished_by_me: false, wish_count: 2 });
  });

  it('puts an upvoted question from the server into the cached list', async () => {
    const q: Question = {
      id: 'q1', session_id: 's1', kind: 'text', text: 'why?', state: 'open', phase: 'pre', votes: 0, voted_by_me: false,
      author: { username: 'a', display_name: 'A' }, created_at: '2026-01-01T00:00:00Z', answered_at: null,
    };
    vi.stubGlobal('fetch', stubFetch((req) => (req.method === 'GET' ? json({ items: [q] }) : json({ ...q, votes: 7, voted_by_me: true }))).fn);
    const store = makeStore();
    await store.dispatch(api.endpoints.questions.initiate('s1'));
    await store.dispatch(api.endpoints.vote.initiate({ id: 'q1', sessionId: 's1', voted: true }));
    await vi.waitFor(() => expect(api.endpoints.questions.select('s1')(store.getState()).data?.[0]).toMatchObject({ votes: 7, voted_by_me: true }));
  });

  it('asks anonymously only when asked to, and names the author to them even if the stream came first', async () => {
    const nobody = { username: '', display_name: '', avatar_url: '' };
    const asked: Question = {
      id: 'q9', session_id: 's1', kind: 'text', text: 'who?', state: 'open', phase: 'pre', votes: 0, voted_by_me: false,
      author: { username: 'kim', display_name: '김' }, created_at: '2026-01-01T00:00:00Z', answered_at: null, anonymous: true,
    };
    const { fn, calls } = stubFetch((req) => (req.method === 'GET' ? json({ items: [] }) : json(asked, 201)));
    vi.stubGlobal('fetch', fn);
    const store = makeStore();
    await store.dispatch(api.endpoints.questions.initiate('s1'));
    await store.dispatch(api.endpoints.ask.initiate({ sessionId: 's1', text: 'plain' }));
    // The session's public stream brings the anonymous one first, without its author.
    store.dispatch(api.util.updateQueryData('questions', 's1', (qs) => { qs.push({ ...asked, author: nobody }); }));
    await store.dispatch(api.endpoints.ask.initiate({ sessionId: 's1', text: 'who?', anonymous: true }));
    const posts = calls.filter((c) => c.method === 'POST');
    expect(await posts[0].json()).toEqual({ text: 'plain', kind: 'text' });
    expect(await posts[1].json()).toEqual({ text: 'who?', kind: 'text', anonymous: true });
    expect(api.endpoints.questions.select('s1')(store.getState()).data?.find((x) => x.id === 'q9')?.author.username).toBe('kim');
  });

  it('keeps the author it knows when an answer for the audience leaves it out', async () => {
    const q: Question = {
      id: 'q1', session_id: 's1', kind: 'text', text: 'why?', state: 'open', phase: 'pre', votes: 0, voted_by_me: false,
      author: { username: 'a', display_name: 'A' }, created_at: '2026-01-01T00:00:00Z', answered_at: null, anonymous: true,
    };
    const hidden = { ...q, author: { username: '', display_name: '', avatar_url: '' }, votes: 1, voted_by_me: true };
    vi.stubGlobal('fetch', stubFetch((req) => (req.method === 'GET' ? json({ items: [q] }) : json(hidden))).fn);
    const store = makeStore();
    await store.dispatch(api.endpoints.questions.initiate('s1'));
    await store.dispatch(api.endpoints.vote.initiate({ id: 'q1', sessionId: 's1', voted: true }));
    await vi.waitFor(() => expect(api.endpoints.questions.select('s1')(store.getState()).data?.[0]).toMatchObject({ votes: 1, author: { username: 'a' } }));
  });
});
