import { Link, useNavigate } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { useDeleteSessionMutation, useSessionActionMutation } from '../api/api';
import type { Session } from '../api/types';
import { ProblemAlert } from './ui';

/** The host's buttons for a session, by its state: edit, confirm, go live, delete. */
export function HostActions({ session: s }: { session: Session }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [act, actState] = useSessionActionMutation();
  const [del, delState] = useDeleteSessionMutation();
  const beforeLive = s.state === 'recruiting' || s.state === 'ready' || s.state === 'scheduled';
  return (
    <>
      {beforeLive && <Link className="btn btn-ghost btn-sm" to={`/sessions/${s.id}/edit`}>✎ {t('session.edit')}</Link>}
      {s.state === 'ready' && (
        <button type="button" className="btn btn-primary btn-sm" onClick={() => void act({ id: s.id, action: 'confirm' })}>{t('session.confirm')}</button>
      )}
      {s.state === 'scheduled' && (
        <button type="button" className="btn btn-live btn-sm" onClick={async () => {
          try {
            await act({ id: s.id, action: 'start' }).unwrap();
            navigate(`/sessions/${s.id}/live`);
          } catch {
            /* shown */
          }
        }}>{t('session.goLive')}</button>
      )}
      {s.state === 'live' && <Link className="btn btn-live btn-sm" to={`/sessions/${s.id}/live`}>{t('session.enter')}</Link>}
      {beforeLive && (
        <button type="button" className="btn btn-ghost btn-sm btn-danger" onClick={() => {
          if (confirm(t('session.confirmDelete'))) void del(s.id);
        }}>{t('session.delete')}</button>
      )}
      <ProblemAlert error={actState.error ?? delState.error} />
    </>
  );
}
