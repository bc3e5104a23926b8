import { useId, type ReactNode } from 'react';
import { Link } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import type { Problem, SessionState, UserRef } from '../api/types';
import { isProblem } from '../api/http';
import { isNotFound, problemMessage, type ErrorContext } from '../errors';

export function Avatar({ user, size = 40 }: { user: Pick<UserRef, 'display_name' | 'avatar_url'> | undefined; size?: number }) {
  const name = user?.display_name ?? '';
  if (user?.avatar_url) {
    return <img className="avatar" src={user.avatar_url} alt="" width={size} height={size} style={{ width: size, height: size }} />;
  }
  const initial = Array.from(name.trim())[0]?.toUpperCase() ?? '?';
  let hue = 0;
  for (const ch of name) hue = (hue * 31 + ch.charCodeAt(0)) % 360;
  return (
    <span className="avatar avatar-initial" aria-hidden="true"
      style={{ width: size, height: size, fontSize: size * 0.45, background: `hsl(${hue} 55% 45%)` }}>
      {initial}
    </span>
  );
}

/**
 * Says what went wrong, in the reader's language, in an alert region. With
 * fields, a problem whose every field error is shown beside one of those
 * fields is left to them.
 */
export function ProblemAlert({ error, context, fields }: { error: unknown; context?: ErrorContext; fields?: string[] }) {
  const { t } = useTranslation();
  if (!error) return null;
  const p = problemOf(error);
  if (fields && p?.errors?.length && p.errors.every((e) => fields.includes(e.field))) return null;
  return <p className="alert alert-error" role="alert">{problemMessage(t, error, context)}</p>;
}

/** A page that could not be shown: what is missing (or what failed) and the way back. */
export function ErrorPage({ error, context, onRetry }: { error: unknown; context?: ErrorContext; onRetry?: () => void }) {
  const { t } = useTranslation();
  const missing = isNotFound(error);
  return (
    <div className="page narrow">
      <section className="card error-page" aria-labelledby="error-title">
        <div className="error-mark" aria-hidden="true">{missing ? '?' : '!'}</div>
        <h1 id="error-title" className="h2">{missing ? problemMessage(t, error, context) : t('common.error')}</h1>
        <p className="muted">{missing ? t('errors.checkAddress') : problemMessage(t, error, context)}</p>
        <div className="row wrap center">
          {!missing && onRetry && <button type="button" className="btn btn-primary" onClick={onRetry}>{t('common.retry')}</button>}
          <Link to="/" className={`btn ${missing || !onRetry ? 'btn-primary' : 'btn-ghost'}`}>{t('common.goHome')}</Link>
        </div>
      </section>
    </div>
  );
}

/** An empty list: what would be here, and (optionally) something to do about it. */
export function EmptyState({ icon, title, children, action }: { icon?: string; title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="empty-state">
      {icon && <div className="empty-icon" aria-hidden="true">{icon}</div>}
      <p className="empty-title">{title}</p>
      {children && <p className="muted small">{children}</p>}
      {action && <div className="empty-action">{action}</div>}
    </div>
  );
}

export function problemOf(error: unknown): Problem | undefined {
  return isProblem(error) ? error : undefined;
}

interface FieldProps {
  label: string;
  error?: string;
  hint?: string;
  children: (props: { id: string; 'aria-invalid': boolean; 'aria-describedby'?: string }) => ReactNode;
}

/** A labelled form control with its hint and error wired for screen readers. */
export function Field({ label, error, hint, children }: FieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errId = `${id}-err`;
  const described = [hint ? hintId : '', error ? errId : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${error ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-invalid': !!error, 'aria-describedby': described })}
      {hint && <small id={hintId} className="hint">{hint}</small>}
      {error && <small id={errId} className="field-error">{error}</small>}
    </div>
  );
}

export function Loading() {
  const { t } = useTranslation();
  return <p className="muted" role="status">{t('common.loading')}</p>;
}

export function StateBadge({ state }: { state: SessionState }) {
  const { t } = useTranslation();
  return <span className={`badge badge-${state}`}>{state === 'live' && <span className="dot" aria-hidden="true" />}{t(`session.state.${state}`)}</span>;
}

export function Section({ title, children, id }: { title: string; children: ReactNode; id?: string }) {
  const hid = useId();
  return (
    <section className="section" aria-labelledby={hid} id={id}>
      <h2 id={hid}>{title}</h2>
      {children}
    </section>
  );
}
