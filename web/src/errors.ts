// What the server refused, in the reader's language. The server's problem
// documents carry a stable code (and, for bad input, the fields at fault)
// with an English detail meant for developers; people see text chosen here
// from the code, the fields and where it happened, translated at render time
// so it follows a language switch.
import type { TFunction } from 'i18next';

/** Where an error happened, for the few codes whose meaning depends on it. */
export type ErrorContext = 'login' | 'register' | 'session' | 'user' | 'question' | 'avatar' | 'live' | 'page' | 'team';

interface ProblemLike {
  status?: number;
  code?: string;
  detail?: string;
  errors?: { field: string; message: string }[];
}

function asProblem(err: unknown): ProblemLike | null {
  return err && typeof err === 'object' && 'code' in err ? (err as ProblemLike) : null;
}

/** Whether an error is the server saying the thing does not exist. */
export function isNotFound(err: unknown): boolean {
  const p = asProblem(err);
  return !!p && (p.code === 'not_found' || p.status === 404);
}

/** Translates one field's complaint from the server. */
export function fieldMessage(t: TFunction, field: string, message: string): string {
  if (field === 'username') {
    if (message === 'is taken') return t('errors.usernameTaken');
    return t('auth.badUsername');
  }
  if (field === 'password') return /at most/.test(message) ? t('errors.passwordTooLong') : t('auth.badPassword');
  if (field === 'starts_at') return /future/.test(message) ? t('form.startsFuture') : t('form.startsRequired');
  if (field === 'target_guests') return t('form.targetInvalid');
  const max = /at most (\d+) characters/.exec(message);
  if (max) return t('q.tooLong', { max: Number(max[1]) });
  if (/must not be empty|visible characters/.test(message)) return t('errors.required');
  if (/bidirectional|control characters|UTF-8/.test(message)) return t('errors.badCharacters');
  return t('errors.fieldInvalid');
}

/** Field errors from the server, translated, keyed by field name. */
export function fieldMessages(t: TFunction, err: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of asProblem(err)?.errors ?? []) out[e.field] ??= fieldMessage(t, e.field, e.message);
  return out;
}

/** One sentence saying what went wrong, in the current language. */
export function problemMessage(t: TFunction, err: unknown, context?: ErrorContext): string {
  const p = asProblem(err);
  if (!p) return t('common.error');
  if (p.status === 0) return t('common.network');
  switch (p.code) {
    case 'unauthenticated':
      return context === 'login' ? t('errors.badLogin') : t('errors.loginRequired');
    case 'forbidden':
      // Log-in answers 403 for a suspended account (once the password is
      // right) and for a foreign origin; the detail tells them apart.
      return context === 'login' && /suspended/.test(p.detail ?? '') ? t('errors.suspended') : t('errors.forbidden');
    case 'not_found':
      if (context === 'session') return t('session.notFound');
      if (context === 'user') return t('profile.notFound');
      if (context === 'question') return t('errors.questionNotFound');
      if (context === 'page') return t('common.notFound');
      if (context === 'team') return t('team.noSuchUser');
      return t('errors.notFound');
    case 'conflict':
      return context === 'register' ? t('errors.usernameTaken') : t('errors.conflict');
    case 'wrong_state': {
      // A refused live command carries its detail as the error's message.
      const detail = p.detail ?? (err instanceof Error ? err.message : '');
      if (context === 'question') return /anonymous/.test(detail) ? t('q.anonymousOff') : t('q.closed');
      // The team is full, or the session is over; the detail tells which.
      if (context === 'team') return /at most/.test(detail) ? t('team.full') : t('team.closed');
      return t('errors.wrongState');
    }
    case 'too_large':
      return context === 'avatar' ? t('profile.avatarSize') : t('errors.tooLarge');
    case 'unsupported':
      return context === 'avatar' ? t('profile.avatarType') : t('errors.unsupported');
    case 'rate_limited':
      return t('errors.rateLimited');
    case 'unavailable':
      return t('errors.unavailable');
    case 'invalid_input': {
      const first = p.errors?.[0];
      // Without a field at fault, the one thing wrong with an appointment is its person: the host.
      if (!first && context === 'team') return t('team.hostSelf');
      return first ? fieldMessage(t, first.field, first.message) : t('errors.invalid');
    }
    default:
      return t('common.error');
  }
}
