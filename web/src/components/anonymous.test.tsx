// Anonymous questions as each viewer sees them — the audience, the author,
// the host and the team — in the question list, the live room's current
// question and the archive; and the choices that make them: the host's
// "allow" on the session form and the asker's "ask anonymously".
import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Route, Routes } from 'react-router-dom';
import type { Question, Session } from '../api/types';
import { live } from '../live/liveSlice';
import { ArchivePage } from '../pages/Archive';
import { CurrentQuestion, GuestControls } from '../pages/LiveRoom';
import { SessionFormPage } from '../pages/SessionForm';
import { makeStore } from '../store';
import { host, q, snapshot } from '../test/fixtures';
import { json, problem, renderWithStore, stubFetch } from '../test/render';
import { AskBox, QuestionList } from './QuestionList';

afterEach(() => {
  vi.unstubAllGlobals();
});

const author = { username: 'g1', display_name: 'Guest One', avatar_url: '' };
const nobody = { username: '', display_name: '', avatar_url: '' };

/** An anonymous question as the audience gets it (no author) or as its author, the host and the team get it. */
const anon = (id: string, over: Partial<Question> = {}) => q(id, { text: 'Who decides the roadmap?', anonymous: true, author: nobody, ...over });
const named = (id: string, over: Partial<Question> = {}) => anon(id, { author, ...over });

describe('an anonymous question in the list', () => {
  it('shows the audience "Anonymous" and a silhouette, never an empty name', () => {
    renderWithStore(<QuestionList me="g2" onVote={vi.fn()} questions={[anon('a')]} />);
    const item = screen.getByRole('listitem');
    expect(item.querySelector('.q-author')).toHaveTextContent(/^Anonymous$/);
    expect(item.querySelector('.avatar-anon')).not.toBeNull();
    expect(item.querySelector('.avatar-initial, img')).toBeNull();
    expect(item).not.toHaveTextContent('Yours');
    expect(item).not.toHaveTextContent('Anonymous to the audience');
    // Someone else's question: it may be upvoted.
    expect(within(item).getByRole('button', { name: /Upvote/ })).toBeEnabled();
  });

  it('is not taken for the question of a viewer who is signed out', () => {
    renderWithStore(<QuestionList me="" questions={[anon('a')]} onEdit={vi.fn()} />);
    expect(screen.getByRole('listitem')).not.toHaveTextContent('Yours');
    expect(screen.queryByRole('button', { name: 'Edit' })).toBeNull();
  });

  it('shows its author that it went out anonymously, as their own', () => {
    renderWithStore(<QuestionList me="g1" onVote={vi.fn()} onEdit={vi.fn()} questions={[named('a')]} />);
    const item = screen.getByRole('listitem');
    expect(item.querySelector('.q-author')).toHaveTextContent(/^Asked anonymously$/);
    expect(item).toHaveTextContent('Yours');
    expect(item).not.toHaveTextContent('Guest One');
    expect(item.querySelector('.avatar-anon')).not.toBeNull();
    expect(within(item).getByRole('button', { name: 'Edit' })).toBeInTheDocument();
    expect(within(item).getByRole('button', { name: /Upvote/ })).toBeDisabled();
  });

  it('shows the host and the team who asked, tagged as anonymous to the audience', () => {
    renderWithStore(<QuestionList me="host" questions={[named('a'), q('b', { text: 'named one', author: { username: 'g3', display_name: 'Guest Three' } })]} />);
    const [first, second] = screen.getAllByRole('listitem');
    expect(first.querySelector('.q-author')).toHaveTextContent(/^Guest One$/);
    expect(within(first).getByText('Anonymous to the audience')).toHaveClass('tag');
    expect(first.querySelector('.avatar-initial')).toHaveTextContent('G');
    expect(second).toHaveTextContent('Guest Three');
    expect(second).not.toHaveTextContent('Anonymous');
  });
});

describe('the live room’s current question', () => {
  const answering = (over: Partial<Question>) => q('cur', { state: 'answering', text: 'How many goroutines?', ...over });
  function show(you: { username: string; host: boolean; role?: 'moderator' | 'cohost' }, question: Question) {
    const store = makeStore();
    store.dispatch(live.snapshotReceived(snapshot({ you, questions: [question] })));
    return renderWithStore(<CurrentQuestion send={vi.fn()} role={you.host ? 'host' : you.role ?? null} micLimit={0} />, { store });
  }

  it('is an anonymous question to the audience', () => {
    show({ username: 'g2', host: false }, answering({ anonymous: true, author: nobody }));
    const current = screen.getByRole('region', { name: 'Current question' });
    expect(current).toHaveTextContent('Anonymous question');
    expect(current.querySelector('.avatar-anon')).not.toBeNull();
    expect(current).not.toHaveTextContent(/'s question/);
  });

  it('is "your anonymous question" to its author', () => {
    show({ username: 'g1', host: false }, answering({ anonymous: true, author }));
    const current = screen.getByRole('region', { name: 'Current question' });
    expect(current).toHaveTextContent('Your anonymous question');
    expect(current).not.toHaveTextContent('Guest One');
  });

  it('names the author to a moderator, tagged', () => {
    show({ username: 'mod', host: false, role: 'moderator' }, answering({ anonymous: true, author }));
    const current = screen.getByRole('region', { name: 'Current question' });
    expect(current).toHaveTextContent("Guest One's question");
    expect(within(current).getByText('Anonymous to the audience')).toBeInTheDocument();
  });

  it('tells a guest that the next question is coming, without saying who picks it', () => {
    show({ username: 'g2', host: false }, q('next'));
    expect(screen.getByRole('region', { name: 'Current question' })).toHaveTextContent('The next question will be picked soon.');
  });
});

describe('the archive', () => {
  const ended: Session = {
    id: 's1', title: 'Over', description: '', state: 'ended', starts_at: null, started_at: '2026-11-25T03:00:00Z', ended_at: '2026-11-25T04:00:00Z',
    target_guests: 0, wish_count: 0, wished_by_me: false, question_count: 1, participant_count: 0, host: host, allow_anonymous: true,
  };
  function archive(me: string | null, question: Question) {
    vi.stubGlobal('fetch', stubFetch((req) => {
      const path = new URL(req.url).pathname;
      if (path === '/api/v1/me') return me ? json({ username: me, display_name: me }) : problem(401, 'unauthenticated', 'sign in');
      if (path === '/api/v1/sessions/s1') return json(ended);
      return json({ items: [question], next_cursor: null });
    }).fn);
    renderWithStore(<Routes><Route path="/sessions/:id/archive" element={<ArchivePage />} /></Routes>, { route: '/sessions/s1/archive' });
  }
  const answered = { state: 'answered' as const, answered_at: '2026-11-25T03:30:00Z' };

  it('names no one to the audience, and links to no profile', async () => {
    archive(null, anon('a', answered));
    const item = (await screen.findByText('Who decides the roadmap?')).closest('li')!;
    expect(item).toHaveTextContent('Anonymous question');
    expect(item.querySelector('a[href^="/u/"]')).toBeNull();
    expect(item.querySelector('.avatar-anon')).not.toBeNull();
  });

  it('names the author to the host, with the tag and a link', async () => {
    archive('host', named('a', answered));
    const item = (await screen.findByText('Who decides the roadmap?')).closest('li')!;
    expect(within(item).getByRole('link', { name: 'Asked by Guest One' })).toHaveAttribute('href', '/u/g1');
    expect(item).toHaveTextContent('Anonymous to the audience');
  });

  it('tells the author it was theirs, asked anonymously', async () => {
    archive('g1', named('a', answered));
    const item = (await screen.findByText('Who decides the roadmap?')).closest('li')!;
    await waitFor(() => expect(item).toHaveTextContent('Your anonymous question'));
    expect(item).not.toHaveTextContent('Guest One');
  });
});

describe('asking anonymously', () => {
  it('offers the choice only where the session allows it, and says who still sees the name', async () => {
    const onAsk = vi.fn().mockResolvedValue(undefined);
    const { unmount } = renderWithStore(<AskBox onAsk={onAsk} />);
    expect(screen.queryByRole('checkbox', { name: 'Ask anonymously' })).toBeNull();
    await userEvent.type(screen.getByLabelText('Ask a question'), 'plain');
    await userEvent.click(screen.getByRole('button', { name: 'Ask' }));
    expect(onAsk).toHaveBeenLastCalledWith('plain', false);
    unmount();

    renderWithStore(<AskBox onAsk={onAsk} allowAnonymous />);
    const box = screen.getByRole('checkbox', { name: 'Ask anonymously' });
    expect(box).not.toBeChecked();
    expect(box).toHaveAccessibleDescription("Other people won't see your name; the host and their team will.");
    await userEvent.click(box);
    await userEvent.type(screen.getByLabelText('Ask a question'), 'hidden');
    await userEvent.click(screen.getByRole('button', { name: 'Ask' }));
    expect(onAsk).toHaveBeenLastCalledWith('hidden', true);
  });

  it('remembers the choice in this browser', async () => {
    const { unmount } = renderWithStore(<AskBox onAsk={vi.fn()} allowAnonymous />);
    await userEvent.click(screen.getByRole('checkbox', { name: 'Ask anonymously' }));
    unmount();
    renderWithStore(<AskBox onAsk={vi.fn()} allowAnonymous />);
    expect(screen.getByRole('checkbox', { name: 'Ask anonymously' })).toBeChecked();
  });

  it('sends a live text question anonymously when chosen, and a raised hand never', async () => {
    const store = makeStore();
    store.dispatch(live.snapshotReceived(snapshot({ questions: [] })));
    const send = vi.fn().mockResolvedValue({});
    renderWithStore(<GuestControls send={send} allowAnonymous />, { store });
    await userEvent.click(screen.getByRole('checkbox', { name: 'Ask anonymously' }));
    await userEvent.type(screen.getByLabelText('Text question'), 'live one');
    await userEvent.click(screen.getByRole('button', { name: 'Ask' }));
    expect(send).toHaveBeenLastCalledWith({ type: 'ask', kind: 'text', text: 'live one', anonymous: true });
    await userEvent.click(screen.getByRole('button', { name: /raise hand/ }));
    expect(send).toHaveBeenLastCalledWith({ type: 'ask', kind: 'voice', text: '' });
  });

  it('does not offer it in a live room that does not allow it, even when remembered', async () => {
    localStorage.setItem('ask2live.askAnonymously', '1');
    const store = makeStore();
    store.dispatch(live.snapshotReceived(snapshot({ questions: [] })));
    const send = vi.fn().mockResolvedValue({});
    renderWithStore(<GuestControls send={send} allowAnonymous={false} />, { store });
    expect(screen.queryByRole('checkbox', { name: 'Ask anonymously' })).toBeNull();
    await userEvent.type(screen.getByLabelText('Text question'), 'named one');
    await userEvent.click(screen.getByRole('button', { name: 'Ask' }));
    expect(send).toHaveBeenLastCalledWith({ type: 'ask', kind: 'text', text: 'named one' });
  });
});

describe('the session form', () => {
  const sent = async (calls: Request[], method: string) => calls.find((c) => c.method === method)!.json();

  it('lets the host allow anonymous questions when opening a session, saying what it means', async () => {
    const { fn, calls } = stubFetch((req) => (req.method === 'POST' ? json({ id: 's9', state: 'live' }, 201) : json({})));
    vi.stubGlobal('fetch', fn);
    renderWithStore(<Routes><Route path="/new" element={<SessionFormPage />} /><Route path="*" element={<p>moved on</p>} /></Routes>, { route: '/new' });
    await userEvent.type(screen.getByLabelText('Title'), 'Ask me anything');
    await userEvent.click(screen.getByRole('checkbox', { name: 'Open a live session right now' }));
    const allow = screen.getByRole('checkbox', { name: 'Allow anonymous questions' });
    expect(allow).not.toBeChecked();
    expect(allow).toHaveAccessibleDescription("The audience won't see who asked; you and your team will.");
    await userEvent.click(allow);
    await userEvent.click(screen.getByRole('button', { name: 'Create' }));
    await screen.findByText('moved on');
    expect(await sent(calls, 'POST')).toMatchObject({ title: 'Ask me anything', open_now: true, allow_anonymous: true });
  });

  it('shows and changes the setting when editing', async () => {
    const s = {
      id: 's1', title: 'T', description: '', state: 'scheduled', starts_at: '2030-01-01T00:00:00Z', started_at: null, ended_at: null,
      target_guests: 0, wish_count: 0, wished_by_me: false, question_count: 0, participant_count: 0, host, allow_anonymous: true,
    };
    const { fn, calls } = stubFetch((req) => json(req.method === 'PATCH' ? { ...s, allow_anonymous: false } : s));
    vi.stubGlobal('fetch', fn);
    renderWithStore(<Routes><Route path="/sessions/:id/edit" element={<SessionFormPage />} /><Route path="*" element={<p>moved on</p>} /></Routes>,
      { route: '/sessions/s1/edit' });
    const allow = await screen.findByRole('checkbox', { name: 'Allow anonymous questions' });
    await waitFor(() => expect(allow).toBeChecked());
    await userEvent.click(allow);
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    await screen.findByText('moved on');
    expect(await sent(calls, 'PATCH')).toMatchObject({ allow_anonymous: false });
  });
});
