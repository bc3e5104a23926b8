import type { ReactNode } from 'react';
import { Link } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import type { Session } from '../api/types';
import { formatDateTime, formatRange } from '../format';
import { Avatar, EmptyState, StateBadge } from './ui';

export function WishProgress({ count, target }: { count: number; target: number }) {
  const { t } = useTranslation();
  if (target <= 0) return <span className="muted">{t('session.wishesNoTarget', { count })}</span>;
  const pct = Math.min(100, Math.round((count / target) * 100));
  const label = t('session.wishes', { count, target });
  return (
    <div className="progress-wrap">
      <div className="progress" role="progressbar" aria-label={t('session.progress')} aria-valuemin={0}
        aria-valuemax={target} aria-valuenow={Math.min(count, target)} aria-valuetext={label}>
        <div className="progress-bar" style={{ width: `${pct}%` }} />
      </div>
      <span className="progress-label">{label}</span>
    </div>
  );
}

/** Where a click on a session should go: the room when live, the archive when ended. */
export function sessionHref(s: Pick<Session, 'id' | 'state'>): string {
  if (s.state === 'live') return `/sessions/${s.id}/live`;
  if (s.state === 'ended') return `/sessions/${s.id}/archive`;
  return `/sessions/${s.id}`;
}

/** The card's corner: who is in a live room, when an ended session ran, when a coming one starts. */
function CardTime({ session: s }: { session: Session }) {
  const { t } = useTranslation();
  if (s.state === 'live') return <span className="muted">{t('session.participants', { count: s.participant_count })}</span>;
  if (s.state === 'ended') {
    const ran = s.started_at ?? s.ended_at;
    return ran ? <time className="muted" dateTime={ran}>{formatRange(s.started_at, s.ended_at)}</time> : null;
  }
  if (s.state === 'cancelled' || !s.starts_at) return null;
  return <time className="muted" dateTime={s.starts_at}>{formatDateTime(s.starts_at)}</time>;
}

export function SessionCard({ session: s, actions }: { session: Session; actions?: ReactNode }) {
  const { t } = useTranslation();
  return (
    <article className={`card session-card state-${s.state}`}>
      <div className="card-top">
        <StateBadge state={s.state} />
        <CardTime session={s} />
      </div>
      <h3 className="card-title">
        <Link to={sessionHref(s)} className="stretched">{s.title}</Link>
      </h3>
      <div className="card-host">
        <Avatar user={s.host} size={24} />
        <span>{s.host.display_name}</span>
        {s.host.company && <span className="muted">· {s.host.company}</span>}
      </div>
      {(s.state === 'recruiting' || s.state === 'ready') && <WishProgress count={s.wish_count} target={s.target_guests} />}
      <div className="card-meta muted">
        <span>{t('session.questions', { count: s.question_count })}</span>
        {s.state !== 'recruiting' && s.state !== 'ready' && <span>{t('session.wishesNoTarget', { count: s.wish_count })}</span>}
      </div>
      {actions && <div className="card-actions">{actions}</div>}
    </article>
  );
}

/** Session cards in a grid; empty is a title for the empty state, or the empty state itself. */
export function SessionGrid({ sessions, empty, actions }: { sessions: Session[] | undefined; empty: ReactNode; actions?: (s: Session) => ReactNode }) {
  if (!sessions?.length) return typeof empty === 'string' ? <EmptyState title={empty} /> : <>{empty}</>;
  return (
    <ul className="grid" role="list">
      {sessions.map((s) => (
        <li key={s.id}><SessionCard session={s} actions={actions?.(s)} /></li>
      ))}
    </ul>
  );
}
