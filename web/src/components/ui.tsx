import { useId, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Problem, SessionState, UserRef } from '../api/types';
import { isProblem } from '../api/http';

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

/** Shows a server problem's detail (or a generic message) in an alert region. */
export function ProblemAlert({ error }: { error: unknown }) {
  const { t } = useTranslation();
  if (!error) return null;
  let text = t('common.error');
  if (isProblem(error)) {
    text = error.status === 0 ? t('common.network') : error.detail || error.title || text;
  } else if (error instanceof Error) {
    text = error.message;
  }
  return <p className="alert alert-error" role="alert">{text}</p>;
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
