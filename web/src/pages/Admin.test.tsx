import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import i18n from '../i18n';
import { AppRoutes } from '../App';
import { ConfirmProvider } from '../components/Dialog';
import { Header } from '../components/Header';
import { ToastProvider } from '../components/Toasts';
import { json, problem, renderWithStore, stubFetch } from '../test/render';
import type { AdminUser, AuditEntry } from '../api/types';

afterEach(() => {
  vi.unstubAllGlobals();
  void i18n.changeLanguage('en');
});

const me = { username: 'boss', display_name: 'Boss', company: '', work_field: '', bio: '', avatar_url: '' };
const kim: AdminUser = {
  username: 'kim', display_name: '김철수', avatar_url: '', created_at: '2026-11-01T00:00:00Z', role: '', suspended_at: null, deleted_at: null,
};
const entry: AuditEntry = {
  id: 'a1', actor: null, action: 'admin.grant', target_type: 'user', target: 'boss', detail: '', created_at: '2026-11-02T00:00:00Z',
};

function app() {
  return (
    <ToastProvider>
      <ConfirmProvider>
        <Header />
        <main id="main"><AppRoutes /></main>
      </ConfirmProvider>
    </ToastProvider>
  );
}

/** A server with one admin (boss) and one account (kim). */
function server(admin: boolean) {
  let suspended: string | null = null;
  return stubFetch((req) => {
    const path = new URL(req.url).pathname;
    if (path === '/api/v1/me') return json({ ...me, admin });
    if (!admin && path.startsWith('/api/v1/admin/')) return problem(403, 'forbidden', 'only site admins can do this');
    if (path === '/api/v1/admin/users') return json({ items: [{ ...me, role: 'admin', created_at: kim.created_at, suspended_at: null, deleted_at: null }, { ...kim, suspended_at: suspended }], next_cursor: '' });
    if (path === '/api/v1/admin/users/kim/suspend' && req.method === 'POST') {
      suspended = '2026-11-03T00:00:00Z';
      return json({ ...kim, suspended_at: suspended });
    }
    if (path === '/api/v1/admin/audit') return json({ items: [entry], next_cursor: '' });
    if (path === '/api/v1/sessions') return json({ items: [], next_cursor: '' });
    return problem(404, 'not_found', 'no such thing');
  });
}

describe('admin page', () => {
  it('is a not-found page for someone who is not an admin, and not in their header', async () => {
    const { fn, calls } = server(false);
    vi.stubGlobal('fetch', fn);
    renderWithStore(app(), { route: '/admin' });
    expect(await screen.findByRole('heading', { name: 'Page not found.' })).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'Admin' })).toBeNull();
    expect(calls.some((c) => new URL(c.url).pathname.startsWith('/api/v1/admin/'))).toBe(false);
  });

  it('suspends an account after the app’s own confirmation, and shows reports and the audit log', async () => {
    const { fn, calls } = server(true);
    vi.stubGlobal('fetch', fn);
    renderWithStore(app(), { route: '/admin' });
    expect(await screen.findByRole('heading', { name: 'Site administration', level: 1 })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Admin' })).toHaveAttribute('href', '/admin');

    const reports = screen.getByRole('region', { name: 'Reports' });
    expect(within(reports).getByText('No reports yet')).toBeInTheDocument();
    const audit = screen.getByRole('region', { name: 'Audit log' });
    expect(await within(audit).findByText('Made admin')).toBeInTheDocument();
    expect(within(audit).getByText(/command line/)).toBeInTheDocument();

    // No actions on one's own account.
    await screen.findByText('김철수');
    expect(screen.queryByRole('group', { name: 'Actions on @boss' })).toBeNull();
    const actions = screen.getByRole('group', { name: 'Actions on @kim' });
    await userEvent.click(within(actions).getByRole('button', { name: 'Suspend' }));
    const dialog = screen.getByRole('dialog', { name: 'Suspend 김철수?' });
    // Destructive: Cancel has the focus; nothing is sent until confirmed.
    expect(within(dialog).getByRole('button', { name: 'Cancel' })).toHaveFocus();
    expect(calls.some((c) => c.method === 'POST')).toBe(false);
    await userEvent.click(within(dialog).getByRole('button', { name: 'Suspend' }));
    expect(await screen.findByText('@kim is suspended.')).toBeInTheDocument();
    const post = calls.find((c) => c.method === 'POST')!;
    expect(new URL(post.url).pathname).toBe('/api/v1/admin/users/kim/suspend');
    await waitFor(() => expect(within(screen.getByRole('group', { name: 'Actions on @kim' })).getByRole('button', { name: 'Unsuspend' })).toBeInTheDocument());
  });

  it('ends a live session and cancels an upcoming one, each after asking', async () => {
    const live = { id: 's1', title: 'Live one', state: 'live', host: me };
    const later = { id: 's2', title: 'Later one', state: 'scheduled', host: me };
    const sessions = [live, later];
    const { fn, calls } = stubFetch((req) => {
      const path = new URL(req.url).pathname;
      if (path === '/api/v1/me') return json({ ...me, admin: true });
      if (path === '/api/v1/sessions') return json({ items: sessions, next_cursor: '' });
      if (path === '/api/v1/admin/sessions/s1/end') return json({ ...live, state: 'ended' });
      if (path === '/api/v1/admin/sessions/s2/end') return json({ ...later, state: 'cancelled' });
      if (path.startsWith('/api/v1/admin/')) return json({ items: [], next_cursor: '' });
      return problem(404, 'not_found', 'no such thing');
    });
    vi.stubGlobal('fetch', fn);
    renderWithStore(app(), { route: '/admin' });
    const liveRow = await screen.findByRole('group', { name: 'Actions on Live one' });
    await userEvent.click(within(liveRow).getByRole('button', { name: 'End' }));
    const end = screen.getByRole('dialog', { name: 'End this live session?' });
    await userEvent.click(within(end).getByRole('button', { name: 'End' }));
    expect(await screen.findByText('The session is ended.')).toBeInTheDocument();

    const laterRow = screen.getByRole('group', { name: 'Actions on Later one' });
    await userEvent.click(within(laterRow).getByRole('button', { name: 'Cancel session' }));
    const cancel = screen.getByRole('dialog', { name: 'Cancel this session?' });
    expect(cancel).toHaveAccessibleDescription(/cancelled in the host’s place/);
    // The dialog's own Cancel and the action are told apart.
    await userEvent.click(within(cancel).getByRole('button', { name: 'Cancel session' }));
    expect(await screen.findByText('The session is cancelled.')).toBeInTheDocument();
    expect(calls.filter((c) => c.method === 'POST').map((c) => new URL(c.url).pathname))
      .toEqual(['/api/v1/admin/sessions/s1/end', '/api/v1/admin/sessions/s2/end']);
  });

  it('speaks Korean', async () => {
    await i18n.changeLanguage('ko');
    vi.stubGlobal('fetch', server(true).fn);
    renderWithStore(app(), { route: '/admin' });
    expect(await screen.findByRole('heading', { name: '사이트 관리', level: 1 })).toBeInTheDocument();
    expect(screen.getByRole('region', { name: '신고' })).toHaveTextContent('아직 신고가 없습니다');
    expect(await screen.findByText('관리자 지정')).toBeInTheDocument();
  });
});
