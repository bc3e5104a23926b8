// A session's team: the people its host appoints to help run it. Everyone
// sees who is on it; the host appoints, changes roles and takes people off,
// on the session's page before (or during) the session, and from the live
// room's participant list.
import { useId, useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { useSetTeamRoleMutation, useTeamQuery } from '../api/api';
import type { Session, SessionRole, TeamRole, UserRef } from '../api/types';
import { Modal } from './Dialog';
import { useNotify } from './Toasts';
import { Avatar, ProblemAlert } from './ui';

const ROLES: TeamRole[] = ['moderator', 'cohost'];

/** A badge naming someone's role in the session; nothing for a guest. */
export function RoleTag({ role }: { role: SessionRole }) {
  const { t } = useTranslation();
  if (!role) return null;
  return <span className={`tag tag-role tag-${role}`}>{t(`team.role.${role}`)}</span>;
}

/** The notification key that tells the host an appointment was made. */
export function appointedKey(role: TeamRole | null): string {
  if (role === 'moderator') return 'team.appointedModerator';
  if (role === 'cohost') return 'team.appointedCohost';
  return 'team.removedFromTeam';
}

/**
 * The team on the session's page: a list for everyone once someone is on
 * it; for the host, while the session is not over, the way to change it.
 */
export function TeamSection({ session: s, isHost }: { session: Session; isHost: boolean }) {
  const { t } = useTranslation();
  const tq = useTeamQuery(s.id);
  const [setRole, setState] = useSetTeamRoleMutation();
  const notify = useNotify();
  const [username, setUsername] = useState('');
  const [role, setNewRole] = useState<TeamRole>('moderator');
  const [err, setErr] = useState<unknown>(null);
  const ids = useId();
  const team = tq.data ?? [];
  const manage = isHost && s.state !== 'ended' && s.state !== 'cancelled';
  if (!manage && team.length === 0) return null;

  const change = async (who: UserRef, to: TeamRole | null) => {
    setErr(null);
    try {
      await setRole({ sessionId: s.id, username: who.username, role: to }).unwrap();
      notify.success(appointedKey(to), { name: who.display_name });
      return true;
    } catch (e) {
      setErr(e);
      return false;
    }
  };
  const add = async (e: FormEvent) => {
    e.preventDefault();
    const name = username.trim().replace(/^@/, '');
    if (!name) return;
    setErr(null);
    try {
      const after = await setRole({ sessionId: s.id, username: name, role }).unwrap();
      const added = after.find((m) => m.user.username === name.toLowerCase());
      notify.success(appointedKey(role), { name: added?.user.display_name ?? name });
      setUsername('');
    } catch (x) {
      setErr(x);
    }
  };

  return (
    <section className="card team-card" aria-labelledby={`${ids}-title`}>
      <h2 id={`${ids}-title`} className="h3">{t('team.title')}</h2>
      {manage && <p className="muted small">{t('team.intro')}</p>}
      {team.length > 0 ? (
        <ul className="team-list">
          {team.map((m) => (
            <li key={m.user.username} className="team-member">
              <Link to={`/u/${m.user.username}`} className="team-who">
                <Avatar user={m.user} size={36} />
                <span className="team-name">
                  <strong>{m.user.display_name}</strong>
                  <span className="muted small">@{m.user.username}</span>
                </span>
              </Link>
              {manage ? (
                <span className="team-controls">
                  <select aria-label={t('team.roleOf', { name: m.user.display_name })} value={m.role} disabled={setState.isLoading}
                    onChange={(e) => void change(m.user, e.target.value as TeamRole)}>
                    {ROLES.map((r) => <option key={r} value={r}>{t(`team.role.${r}`)}</option>)}
                  </select>
                  <button type="button" className="btn btn-ghost btn-sm btn-danger" disabled={setState.isLoading}
                    aria-label={t('team.removeMember', { name: m.user.display_name })}
                    onClick={() => void change(m.user, null)}>{t('team.remove')}</button>
                </span>
              ) : (
                <RoleTag role={m.role} />
              )}
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted small">{t('team.empty')}</p>
      )}
      {manage && (
        <form className="team-add" onSubmit={add}>
          <label htmlFor={`${ids}-user`}>{t('team.username')}</label>
          <input id={`${ids}-user`} value={username} autoComplete="off" autoCapitalize="none" spellCheck={false}
            placeholder={t('team.usernamePlaceholder')} onChange={(e) => { setUsername(e.target.value); setErr(null); }} />
          <div className="row">
            <label htmlFor={`${ids}-role`} className="sr-only">{t('team.roleLabel')}</label>
            <select id={`${ids}-role`} className="grow" value={role} onChange={(e) => setNewRole(e.target.value as TeamRole)}>
              {ROLES.map((r) => <option key={r} value={r}>{t(`team.role.${r}`)}</option>)}
            </select>
            <button type="submit" className="btn btn-primary btn-sm" disabled={!username.trim() || setState.isLoading}>{t('team.add')}</button>
          </div>
          <small className="hint">{t('team.hint')}</small>
        </form>
      )}
      <ProblemAlert error={err} context="team" />
    </section>
  );
}

/**
 * The host's dialog for one person's role, from the live room: guest,
 * moderator or co-host, each with what it may do. Resolves by closing.
 */
export function TeamRoleDialog({ sessionId, person, role, onClose }: {
  sessionId: string; person: UserRef; role: TeamRole | null; onClose: () => void;
}) {
  const { t } = useTranslation();
  const [setRole, st] = useSetTeamRoleMutation();
  const notify = useNotify();
  const [choice, setChoice] = useState<TeamRole | 'guest'>(role ?? 'guest');
  const [err, setErr] = useState<unknown>(null);
  const name = useId();
  const save = async (e: FormEvent) => {
    e.preventDefault();
    const to = choice === 'guest' ? null : choice;
    setErr(null);
    try {
      await setRole({ sessionId, username: person.username, role: to }).unwrap();
      notify.success(appointedKey(to), { name: person.display_name });
      onClose();
    } catch (x) {
      setErr(x);
    }
  };
  return (
    <Modal title={t('team.dialogTitle', { name: person.display_name })} onCancel={onClose}>
      <form onSubmit={save}>
        <fieldset className="role-choices">
          <legend className="sr-only">{t('team.roleLabel')}</legend>
          {(['guest', ...ROLES] as const).map((r) => (
            <label key={r} className="role-choice">
              <input type="radio" name={name} value={r} checked={choice === r} data-autofocus={choice === r ? true : undefined}
                onChange={() => setChoice(r)} />
              <span>
                <strong>{t(`team.role.${r}`)}</strong>
                <span className="muted small">{t(`team.about.${r}`)}</span>
              </span>
            </label>
          ))}
        </fieldset>
        <ProblemAlert error={err} context="team" />
        <div className="modal-actions">
          <button type="button" className="btn btn-ghost" onClick={onClose}>{t('dialog.cancel')}</button>
          <button type="submit" className="btn btn-primary" disabled={st.isLoading || choice === (role ?? 'guest')}>{t('team.save')}</button>
        </div>
      </form>
    </Modal>
  );
}
