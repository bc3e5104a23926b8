import { Link, useNavigate } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { useDeleteSessionMutation, useSessionActionMutation } from '../api/api';
import type { Session } from '../api/types';
import { useConfirm } from './Dialog';
import { useNotify } from './Toasts';

/** The host's buttons for a session, by its state: edit, confirm, go live, delete. */
export function HostActions({ session: s }: { session: Session }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const confirm = useConfirm();
  const notify = useNotify();
  const [act, actState] = useSessionActionMutation();
  const [del, delState] = useDeleteSessionMutation();
  const beforeLive = s.state === 'recruiting' || s.state === 'ready' || s.state === 'scheduled';
  const busy = actState.isLoading || delState.isLoading;
  return (
    <>
      {beforeLive && <Link className="btn btn-ghost btn-sm" to={`/sessions/${s.id}/edit`}>✎ {t('session.edit')}</Link>}
      {s.state === 'ready' && (
        <button type="button" className="btn btn-primary btn-sm" disabled={busy} onClick={async () => {
          try {
            await act({ id: s.id, action: 'confirm' }).unwrap();
            notify.success('session.confirmed');
          } catch (e) {
            notify.error(e, 'session');
          }
        }}>{t('session.confirm')}</button>
      )}
      {s.state === 'scheduled' && (
        <button type="button" className="btn btn-live btn-sm" disabled={busy} onClick={async () => {
          try {
            await act({ id: s.id, action: 'start' }).unwrap();
            navigate(`/sessions/${s.id}/live`);
          } catch (e) {
            notify.error(e, 'session');
          }
        }}>{t('session.goLive')}</button>
      )}
      {s.state === 'live' && <Link className="btn btn-live btn-sm" to={`/sessions/${s.id}/live`}>{t('session.enter')}</Link>}
      {beforeLive && (
        <button type="button" className="btn btn-ghost btn-sm btn-danger" disabled={busy} onClick={async () => {
          const ok = await confirm({ title: t('session.confirmDelete'), body: t('session.confirmDeleteBody', { title: s.title }), confirm: t('session.delete'), danger: true });
          if (!ok) return;
          try {
            await del(s.id).unwrap();
            notify.success('session.deleted');
          } catch (e) {
            notify.error(e, 'session');
          }
        }}>{t('session.delete')}</button>
      )}
    </>
  );
}
