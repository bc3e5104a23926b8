// Calendars: the detail page's "Add to calendar" (a download of the
// session's .ics file) and My page's private feed of wished sessions, which
// calendar apps subscribe to. The server keeps only a hash of the feed's
// secret, so its address is shown once, when it is made; afterwards the
// page says the feed is on and offers a new address or turning it off.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  sessionCalendarURL, useCalendarFeedQuery, useCreateCalendarFeedMutation, useRevokeCalendarFeedMutation,
} from '../api/api';
import type { NewCalendarFeed, Session } from '../api/types';
import { formatDateTime } from '../format';
import { useConfirm } from './Dialog';
import { useNotify } from './Toasts';
import { Field, Loading, ProblemAlert, Section } from './ui';

/** Whether a session can go into a calendar: it has a time and has not gone live or been cancelled. */
export function calendarReady(s: Session): boolean {
  return !!s.starts_at && (s.state === 'recruiting' || s.state === 'ready' || s.state === 'scheduled');
}

/** The session's .ics file, as a download link. */
export function AddToCalendar({ session }: { session: Session }) {
  const { t } = useTranslation();
  if (!calendarReady(session)) return null;
  return (
    <div className="row wrap calendar-add">
      <a className="btn btn-ghost btn-sm" href={sessionCalendarURL(session.id)} download
        aria-describedby="calendar-add-hint">
        <span aria-hidden="true">📅</span> {t('calendar.add')}
      </a>
      <small id="calendar-add-hint" className="hint">{t('calendar.addHint')}</small>
    </div>
  );
}

/** My page's calendar feed: make, copy, make anew, turn off. */
export function CalendarFeedSection() {
  const { t } = useTranslation();
  const q = useCalendarFeedQuery();
  const [create, cs] = useCreateCalendarFeedMutation();
  const [revoke, rs] = useRevokeCalendarFeedMutation();
  // The address just made; gone with a reload, as the server keeps none.
  const [fresh, setFresh] = useState<NewCalendarFeed | null>(null);
  const confirm = useConfirm();
  const notify = useNotify();
  const busy = cs.isLoading || rs.isLoading;
  const on = !!fresh || !!q.data?.active;

  async function make() {
    if (on) {
      const ok = await confirm({ title: t('calendar.confirmRotate'), body: t('calendar.confirmRotateBody'), confirm: t('calendar.rotate') });
      if (!ok) return;
    }
    try {
      setFresh(await create().unwrap());
      notify.success(on ? 'calendar.rotated' : 'calendar.created');
    } catch (e) {
      notify.error(e);
    }
  }

  async function turnOff() {
    const ok = await confirm({ title: t('calendar.confirmRevoke'), body: t('calendar.confirmRevokeBody'), confirm: t('calendar.revoke'), danger: true });
    if (!ok) return;
    try {
      await revoke().unwrap();
      setFresh(null);
      notify.success('calendar.revoked');
    } catch (e) {
      notify.error(e);
    }
  }

  async function copy(url: string, input: HTMLInputElement | null) {
    try {
      await navigator.clipboard.writeText(url);
      notify.success('calendar.copied');
    } catch {
      // Selected, so that one keystroke copies it by hand.
      input?.select();
      notify.failure('calendar.copyFailed');
    }
  }

  return (
    <Section title={t('calendar.title')} id="calendar-feed">
      <div className="card calendar-card">
        <p className="muted">{t('calendar.intro')}</p>
        {q.isLoading && <Loading />}
        <ProblemAlert error={q.error} />
        {fresh && (
          <Field label={t('calendar.url')} hint={t('calendar.secretHint')}>
            {(p) => (
              <div className="copy-row">
                <input {...p} className="calendar-url" readOnly value={fresh.url} spellCheck={false}
                  onFocus={(e) => e.currentTarget.select()} />
                <button type="button" className="btn btn-primary btn-sm"
                  onClick={(e) => void copy(fresh.url, e.currentTarget.parentElement?.querySelector('input') ?? null)}>
                  {t('calendar.copy')}
                </button>
              </div>
            )}
          </Field>
        )}
        {!fresh && q.data?.active && (
          <div className="calendar-status">
            <p>
              <span className="badge badge-on">{t('calendar.on')}</span>{' '}
              {t('calendar.activeSince', { when: formatDateTime(q.data.created_at) })}
            </p>
            <p className="hint">{t('calendar.shownOnce')}</p>
          </div>
        )}
        {q.data && (
          <div className="row wrap">
            {fresh && <a className="btn btn-ghost btn-sm" href={fresh.webcal_url}>{t('calendar.openApp')}</a>}
            <button type="button" className={`btn btn-sm ${on ? 'btn-ghost' : 'btn-primary'}`} disabled={busy} onClick={() => void make()}>
              {on ? t('calendar.rotate') : t('calendar.create')}
            </button>
            {on && (
              <button type="button" className="btn btn-ghost btn-sm btn-danger" disabled={busy} onClick={() => void turnOff()}>
                {t('calendar.revoke')}
              </button>
            )}
          </div>
        )}
      </div>
    </Section>
  );
}
