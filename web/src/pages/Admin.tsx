// The site administration: accounts (suspend, unsuspend, delete), sessions
// (end, cancel, remove), moderators' reports (none exist yet) and the audit
// log. The server enforces every rule; this page is only shown to admins.
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import {
  useAdminSessionActionMutation, useAdminUserActionMutation, useAdminUsersQuery, useAuditLogQuery, useListSessionsQuery,
} from '../api/api';
import type { AdminUser, AuditEntry, Session } from '../api/types';
import { useConfirm } from '../components/Dialog';
import { useNotify } from '../components/Toasts';
import { Avatar, EmptyState, ErrorPage, Loading, ProblemAlert, Section, StateBadge } from '../components/ui';
import { sessionHref } from '../components/SessionCard';
import { formatDateTime } from '../format';
import { useMe, useTitle } from '../hooks';

const notFound = { status: 404, code: 'not_found' };

export function AdminPage() {
  const { t } = useTranslation();
  const { me, loading } = useMe();
  useTitle(t('admin.title'));
  // admin is known once /me has answered (log-in answers without it).
  if (loading || (me && me.admin === undefined)) return <Loading />;
  if (!me?.admin) return <ErrorPage error={notFound} context="page" />;
  return (
    <div className="page admin">
      <h1 className="h2">{t('admin.title')}</h1>
      <p className="muted">{t('admin.intro')}</p>
      <Accounts self={me.username} />
      <Sessions />
      <Section title={t('admin.reports')} id="reports">
        <EmptyState icon="⚑" title={t('admin.noReports')}>{t('admin.noReportsText')}</EmptyState>
      </Section>
      <Audit />
    </div>
  );
}

/** A search box: a labelled input and a button, submitted as a form. */
function Search({ label, onSearch }: { label: string; onSearch: (q: string) => void }) {
  const { t } = useTranslation();
  const [text, setText] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSearch(text.trim());
  };
  return (
    <form className="row admin-search" role="search" aria-label={label} onSubmit={submit}>
      <input type="search" className="grow" aria-label={label} placeholder={label} value={text} maxLength={200}
        onChange={(e) => setText(e.target.value)} />
      <button type="submit" className="btn btn-ghost">{t('admin.searchButton')}</button>
    </form>
  );
}

function Accounts({ self }: { self: string }) {
  const { t } = useTranslation();
  const [q, setQ] = useState('');
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  return (
    <Section title={t('admin.users')} id="accounts">
      <Search label={t('admin.search')} onSearch={(v) => { setQ(v); setCursors([undefined]); }} />
      <ul className="admin-list">
        {cursors.map((c, i) => (
          <UserPage key={c ?? ''} q={q} cursor={c} self={self} last={i === cursors.length - 1}
            onMore={(next) => setCursors((cs) => [...cs, next])} />
        ))}
      </ul>
    </Section>
  );
}

function UserPage({ q, cursor, self, last, onMore }: {
  q: string; cursor?: string; self: string; last: boolean; onMore: (next: string) => void;
}) {
  const { t } = useTranslation();
  const r = useAdminUsersQuery({ q: q || undefined, cursor });
  if (r.isLoading) return <li><Loading /></li>;
  if (r.error) return <li><ProblemAlert error={r.error} /></li>;
  const items = r.data?.items ?? [];
  return (
    <>
      {!cursor && !items.length && <li><EmptyState icon="👤" title={t('admin.noUsers')} /></li>}
      {items.map((u) => <UserRow key={u.username} user={u} self={u.username === self} />)}
      {last && r.data?.next_cursor && (
        <li className="admin-more">
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => onMore(r.data!.next_cursor!)}>{t('admin.more')}</button>
        </li>
      )}
    </>
  );
}

function UserRow({ user: u, self }: { user: AdminUser; self: boolean }) {
  const { t } = useTranslation();
  const confirm = useConfirm();
  const notify = useNotify();
  const [act, state] = useAdminUserActionMutation();
  const run = async (action: 'suspend' | 'unsuspend' | 'delete') => {
    const key = { suspend: 'Suspend', unsuspend: 'Unsuspend', delete: 'Delete' }[action];
    const names = { name: u.display_name, username: u.username };
    const ok = await confirm({
      title: t(`admin.confirm${key}`, names), body: t(`admin.confirm${key}Body`, names),
      confirm: t(`admin.${action}`), danger: action !== 'unsuspend',
    });
    if (!ok) return;
    try {
      await act({ username: u.username, action }).unwrap();
      notify.success(`admin.${{ suspend: 'suspended', unsuspend: 'unsuspended', delete: 'deleted' }[action]}`, { username: u.username });
    } catch (err) {
      notify.error(err);
    }
  };
  return (
    <li className="card admin-row">
      <Avatar user={u} size={40} />
      <div className="grow admin-who">
        <p className="admin-name">
          {u.deleted_at ? <span>{u.display_name}</span> : <Link to={`/u/${u.username}`}>{u.display_name}</Link>}
          {self && <span className="muted small"> ({t('admin.you')})</span>}
        </p>
        <p className="muted small">@{u.username} · {t('admin.joined', { when: formatDateTime(u.created_at) })}</p>
        <p className="row wrap small">
          {u.role === 'admin' && <span className="badge">{t('admin.roleAdmin')}</span>}
          {u.deleted_at ? <span className="badge badge-cancelled">{t('admin.deletedAt', { when: formatDateTime(u.deleted_at) })}</span>
            : u.suspended_at ? <span className="badge badge-suspended">{t('admin.suspendedAt', { when: formatDateTime(u.suspended_at) })}</span>
              : <span className="badge badge-ready">{t('admin.active')}</span>}
        </p>
      </div>
      {!self && !u.deleted_at && (
        <div className="row wrap admin-actions" role="group" aria-label={t('admin.actions', { name: `@${u.username}` })}>
          {u.suspended_at
            ? <button type="button" className="btn btn-ghost btn-sm" disabled={state.isLoading} onClick={() => run('unsuspend')}>{t('admin.unsuspend')}</button>
            : <button type="button" className="btn btn-ghost btn-sm" disabled={state.isLoading} onClick={() => run('suspend')}>{t('admin.suspend')}</button>}
          <button type="button" className="btn btn-danger btn-sm" disabled={state.isLoading} onClick={() => run('delete')}>{t('admin.delete')}</button>
        </div>
      )}
    </li>
  );
}

function Sessions() {
  const { t } = useTranslation();
  const [q, setQ] = useState('');
  const r = useListSessionsQuery({ q: q || undefined, limit: 20 });
  return (
    <Section title={t('admin.sessions')} id="sessions">
      <Search label={t('admin.sessionSearch')} onSearch={setQ} />
      {r.isLoading && <Loading />}
      <ProblemAlert error={r.error} />
      {r.data && !r.data.items.length && <EmptyState icon="🎙" title={t('admin.noSessions')} />}
      <ul className="admin-list">
        {r.data?.items.map((s) => <SessionRow key={s.id} session={s} />)}
      </ul>
    </Section>
  );
}

function SessionRow({ session: s }: { session: Session }) {
  const { t } = useTranslation();
  const confirm = useConfirm();
  const notify = useNotify();
  const [act, state] = useAdminSessionActionMutation();
  const beforeLive = s.state === 'recruiting' || s.state === 'ready' || s.state === 'scheduled';
  const run = async (action: 'end' | 'remove') => {
    const title = action === 'remove' ? t('admin.confirmRemove') : s.state === 'live' ? t('admin.confirmEnd') : t('admin.confirmCancel');
    const body = t(action === 'remove' ? 'admin.confirmRemoveBody' : s.state === 'live' ? 'admin.confirmEndBody' : 'admin.confirmCancelBody', { title: s.title });
    const label = action === 'remove' ? t('admin.remove') : s.state === 'live' ? t('admin.end') : t('admin.cancel');
    if (!await confirm({ title, body, confirm: label, danger: true })) return;
    try {
      const out = await act({ id: s.id, action }).unwrap();
      notify.success(action === 'remove' ? 'admin.removed' : out.state === 'ended' ? 'admin.ended' : 'admin.cancelled');
    } catch (err) {
      notify.error(err, 'session');
    }
  };
  return (
    <li className="card admin-row">
      <div className="grow admin-who">
        <p className="admin-name"><Link to={sessionHref(s)}>{s.title}</Link></p>
        <p className="row wrap small">
          <StateBadge state={s.state} />
          <span className="muted">{t('admin.hostBy', { name: s.host.display_name })}</span>
        </p>
      </div>
      {s.state !== 'cancelled' && (
        <div className="row wrap admin-actions" role="group" aria-label={t('admin.actions', { name: s.title })}>
          {(s.state === 'live' || beforeLive) && (
            <button type="button" className="btn btn-ghost btn-sm" disabled={state.isLoading} onClick={() => run('end')}>
              {s.state === 'live' ? t('admin.end') : t('admin.cancel')}
            </button>
          )}
          <button type="button" className="btn btn-danger btn-sm" disabled={state.isLoading} onClick={() => run('remove')}>{t('admin.remove')}</button>
        </div>
      )}
    </li>
  );
}

function Audit() {
  const { t } = useTranslation();
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  return (
    <Section title={t('admin.audit')} id="audit">
      <ol className="admin-list audit-list">
        {cursors.map((c, i) => (
          <AuditPage key={c ?? ''} cursor={c} last={i === cursors.length - 1} onMore={(next) => setCursors((cs) => [...cs, next])} />
        ))}
      </ol>
    </Section>
  );
}

function AuditPage({ cursor, last, onMore }: { cursor?: string; last: boolean; onMore: (next: string) => void }) {
  const { t } = useTranslation();
  const r = useAuditLogQuery({ cursor });
  if (r.isLoading) return <li><Loading /></li>;
  if (r.error) return <li><ProblemAlert error={r.error} /></li>;
  const items = r.data?.items ?? [];
  return (
    <>
      {!cursor && !items.length && <li><EmptyState icon="📜" title={t('admin.noAudit')} /></li>}
      {items.map((e) => <AuditRow key={e.id} entry={e} />)}
      {last && r.data?.next_cursor && (
        <li className="admin-more">
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => onMore(r.data!.next_cursor!)}>{t('admin.more')}</button>
        </li>
      )}
    </>
  );
}

function AuditRow({ entry: e }: { entry: AuditEntry }) {
  const { t } = useTranslation();
  const target = e.target_type === 'user' ? `@${e.target}` : e.target;
  return (
    <li className="card audit-row">
      <p className="admin-name">
        <strong>{t(`admin.action.${e.action}`, { defaultValue: e.action })}</strong>
        {' · '}
        {e.target_type === 'user' ? <Link to={`/u/${e.target}`}>{target}</Link> : <span className="mono">{target}</span>}
      </p>
      {e.detail && <p className="small">{e.detail}</p>}
      <p className="muted small">
        {e.actor ? `@${e.actor.username}` : t('admin.commandLine')}
        {' · '}
        <time dateTime={e.created_at}>{formatDateTime(e.created_at)}</time>
      </p>
    </li>
  );
}
