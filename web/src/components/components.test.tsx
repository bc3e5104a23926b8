import { afterEach, describe, expect, it, vi } from 'vitest';
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Route, Routes } from 'react-router-dom';
import i18n, { LANG_KEY } from '../i18n';
import { AuthPage } from '../pages/Auth';
import { json, problem, renderWithStore, stubFetch } from '../test/render';
import { q, snapshot } from '../test/fixtures';
import { live } from '../live/liveSlice';
import { Stage } from '../pages/LiveRoom';
import { makeStore } from '../store';
import { LanguageSwitch } from './Header';
import { RequireAuth } from './RequireAuth';
import { QuestionList } from './QuestionList';
import { SessionCard } from './SessionCard';
import type { Session } from '../api/types';

afterEach(() => {
  vi.unstubAllGlobals();
  void i18n.changeLanguage('en');
});

describe('log-in form', () => {
  it('validates before sending anything', async () => {
    const { fn, calls } = stubFetch(() => json({}));
    vi.stubGlobal('fetch', fn);
    renderWithStore(<AuthPage mode="login" />, { route: '/login' });
    await userEvent.type(screen.getByLabelText('Username'), 'x');
    await userEvent.type(screen.getByLabelText('Password'), 'short');
    await userEvent.click(screen.getByRole('button', { name: 'Log in' }));
    expect(screen.getByText(/Usernames are 3–32 characters/)).toBeInTheDocument();
    expect(screen.getByText(/at least 8 characters/)).toBeInTheDocument();
    expect(screen.getByLabelText('Username')).toHaveAttribute('aria-invalid', 'true');
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0);
  });

  it('says a refused log-in in the reader language, not the server detail', async () => {
    vi.stubGlobal('fetch', stubFetch((req) => (req.url.endsWith('/auth/login')
      ? problem(401, 'unauthenticated', 'wrong username or password')
      : problem(401, 'unauthenticated', 'not signed in'))).fn);
    renderWithStore(<AuthPage mode="login" />, { route: '/login' });
    await userEvent.type(screen.getByLabelText('Username'), 'kim');
    await userEvent.type(screen.getByLabelText('Password'), 'password1');
    await userEvent.click(screen.getByRole('button', { name: 'Log in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Wrong username or password.');
    expect(screen.queryByText(/wrong username or password/)).toBeNull();
  });

  it('shows field errors from the server next to the field', async () => {
    vi.stubGlobal('fetch', stubFetch(() => problem(409, 'conflict', 'username is taken', [{ field: 'username', message: 'is taken' }])).fn);
    renderWithStore(<AuthPage mode="register" />, { route: '/register' });
    await userEvent.type(screen.getByLabelText('Username'), 'kim');
    await userEvent.type(screen.getByLabelText('Display name'), '김');
    await userEvent.type(screen.getByLabelText('Password'), 'password1');
    await userEvent.click(screen.getByRole('button', { name: 'Create account' }));
    expect(await screen.findByText('That username is taken.')).toBeInTheDocument();
    expect(screen.getByLabelText('Username')).toHaveAccessibleDescription(expect.stringContaining('That username is taken.'));
    // Said once, beside the field.
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('sends a signed-out visitor to log in and back to where they were going', async () => {
    let signedIn = false;
    vi.stubGlobal('fetch', stubFetch((req) => {
      const path = new URL(req.url).pathname;
      if (path === '/api/v1/auth/login') {
        signedIn = true;
        return json({ user: { username: 'kim', display_name: 'K' }, token: 't' });
      }
      if (path === '/api/v1/me') return signedIn ? json({ username: 'kim', display_name: 'K' }) : problem(401, 'unauthenticated', 'sign in');
      return json({ hosting: [], wished: [], ended: [] });
    }).fn);
    renderWithStore(
      <Routes>
        <Route path="/login" element={<AuthPage mode="login" />} />
        <Route path="/secret" element={<RequireAuth><p>secret page</p></RequireAuth>} />
      </Routes>,
      { route: '/secret' },
    );
    await userEvent.type(await screen.findByLabelText('Username'), 'kim');
    await userEvent.type(screen.getByLabelText('Password'), 'password1');
    await userEvent.click(screen.getByRole('button', { name: 'Log in' }));
    expect(await screen.findByText('secret page')).toBeInTheDocument();
  });
});

function session(over: Partial<Session> = {}): Session {
  return {
    id: 's1', title: 'Go로 만드는 라이브 Q&A', description: '', state: 'recruiting', starts_at: '2030-01-01T00:00:00Z', started_at: null, ended_at: null,
    target_guests: 10, wish_count: 4, wished_by_me: false, question_count: 3, participant_count: 0,
    host: { username: 'host', display_name: '김호스트', company: 'ask2live' }, ...over,
  };
}

describe('session card', () => {
  it('shows wishes against the target as a progress bar', () => {
    renderWithStore(<SessionCard session={session()} />);
    const bar = screen.getByRole('progressbar');
    expect(bar).toHaveAttribute('aria-valuenow', '4');
    expect(bar).toHaveAttribute('aria-valuemax', '10');
    expect(screen.getByText('4/10 wishes')).toBeInTheDocument();
    expect(bar.querySelector('.progress-bar')).toHaveStyle({ width: '40%' });
    expect(screen.getByRole('link', { name: 'Go로 만드는 라이브 Q&A' })).toHaveAttribute('href', '/sessions/s1');
  });

  it('caps the bar at 100% and links live sessions to the room', () => {
    renderWithStore(<SessionCard session={session({ wish_count: 15, state: 'ready' })} />);
    expect(screen.getByRole('progressbar').querySelector('.progress-bar')).toHaveStyle({ width: '100%' });
    renderWithStore(<SessionCard session={session({ id: 's2', state: 'live', title: 'Live one' })} />);
    expect(screen.getByRole('link', { name: 'Live one' })).toHaveAttribute('href', '/sessions/s2/live');
  });
});

describe('session card times', () => {
  it('shows when an ended session ran, not when it was planned', () => {
    renderWithStore(<SessionCard session={session({
      state: 'ended', starts_at: '2031-05-01T09:00:00Z', started_at: '2030-02-03T09:00:00Z', ended_at: '2030-02-03T10:15:00Z',
    })} />);
    const time = document.querySelector('time');
    expect(time).toHaveAttribute('datetime', '2030-02-03T09:00:00Z');
    expect(time?.textContent).toMatch(/2030/);
    expect(time?.textContent).not.toMatch(/2031/);
  });

  it('shows no time for a cancelled session', () => {
    renderWithStore(<SessionCard session={session({ state: 'cancelled' })} />);
    expect(document.querySelector('time')).toBeNull();
  });
});

describe('question list', () => {
  it('orders pre-questions first, then by votes, then by time', () => {
    renderWithStore(
      <QuestionList me="me" questions={[
        q('live-top', { votes: 9, text: 'live top' }),
        q('p', { phase: 'pre', votes: 0, text: 'pre low' }),
        q('pp', { phase: 'pre', votes: 2, text: 'pre high' }),
        q('l', { votes: 9, text: 'live older', created_at: '2026-11-25T02:00:00Z' }),
      ]} />,
    );
    const items = within(screen.getByRole('list')).getAllByRole('listitem');
    expect(items.map((li) => li.querySelector('.q-text')?.textContent)).toEqual(['pre high', 'pre low', 'live older', 'live top']);
  });

  it('upvotes, but not your own question', async () => {
    const onVote = vi.fn();
    renderWithStore(
      <QuestionList me="g1" onVote={onVote} questions={[
        q('mine', { text: 'mine' }),
        q('other', { text: 'other', votes: 3, author: { username: 'g2', display_name: 'G2' } }),
      ]} />,
    );
    const buttons = screen.getAllByRole('button', { name: /Upvote/ });
    const other = buttons.find((b) => b.textContent?.includes('3'))!;
    const mine = buttons.find((b) => b !== other)!;
    expect(mine).toBeDisabled();
    await userEvent.click(other);
    expect(onVote).toHaveBeenCalledWith(expect.objectContaining({ id: 'other' }), true);
  });

  it('lets the author edit an open question', async () => {
    const onEdit = vi.fn().mockResolvedValue(undefined);
    renderWithStore(<QuestionList me="g1" onEdit={onEdit} onDelete={vi.fn()} questions={[q('mine', { text: 'old' })]} />);
    await userEvent.click(screen.getByRole('button', { name: 'Edit' }));
    const box = screen.getByLabelText('Edit');
    await userEvent.clear(box);
    await userEvent.type(box, 'new text');
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(onEdit).toHaveBeenCalledWith(expect.objectContaining({ id: 'mine' }), 'new text');
  });
});

describe('language menu', () => {
  it('switches the language from the keyboard, remembers it and gives focus back', async () => {
    renderWithStore(<LanguageSwitch />);
    const button = screen.getByRole('button', { name: 'Language: English' });
    expect(button).toHaveAttribute('aria-expanded', 'false');
    button.focus();
    await userEvent.keyboard('{Enter}');
    const menu = screen.getByRole('menu', { name: 'Language' });
    expect(within(menu).getByRole('menuitemradio', { name: 'English' })).toHaveAttribute('aria-checked', 'true');
    expect(within(menu).getByRole('menuitemradio', { name: 'English' })).toHaveFocus();
    await userEvent.keyboard('{ArrowDown}');
    expect(within(menu).getByRole('menuitemradio', { name: '한국어' })).toHaveFocus();
    await userEvent.keyboard('{Enter}');
    await waitFor(() => expect(i18n.language).toBe('ko'));
    expect(localStorage.getItem(LANG_KEY)).toBe('ko');
    expect(screen.queryByRole('menu')).toBeNull();
    expect(screen.getByRole('button', { name: '언어: 한국어' })).toHaveFocus();
    await act(async () => { await i18n.changeLanguage('en'); });
  });

  it('closes on Escape without changing anything', async () => {
    renderWithStore(<LanguageSwitch />);
    await userEvent.click(screen.getByRole('button', { name: /Language/ }));
    await userEvent.keyboard('{Escape}');
    expect(screen.queryByRole('menu')).toBeNull();
    expect(i18n.language).toBe('en');
  });
});

describe('live stage', () => {
  it('offers to turn the sound on when the browser blocked it', async () => {
    const store = makeStore();
    store.dispatch(live.snapshotReceived(snapshot()));
    const onResumeSound = vi.fn();
    renderWithStore(<Stage onResumeSound={onResumeSound} />, { store });
    expect(screen.queryByRole('button', { name: /Turn on sound/ })).toBeNull();
    act(() => { store.dispatch(live.soundBlockedChanged(true)); });
    await userEvent.click(screen.getByRole('button', { name: /Turn on sound/ }));
    expect(onResumeSound).toHaveBeenCalled();
    act(() => { store.dispatch(live.soundBlockedChanged(false)); });
    expect(screen.queryByRole('button', { name: /Turn on sound/ })).toBeNull();
  });
});
