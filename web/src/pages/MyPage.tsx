import { Link } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { useMySessionsQuery } from '../api/api';
import type { Session } from '../api/types';
import { CalendarFeedSection } from '../components/CalendarFeed';
import { HostActions } from '../components/HostActions';
import { SessionGrid } from '../components/SessionCard';
import { Avatar, EmptyState, Loading, ProblemAlert, Section } from '../components/ui';
import { useMe, useTitle } from '../hooks';

const ORDER: Session['state'][] = ['live', 'scheduled', 'ready', 'recruiting'];

export function MyPage() {
  const { t } = useTranslation();
  const { me } = useMe();
  const q = useMySessionsQuery();
  useTitle(t('my.title'));
  if (!me) return <Loading />;
  const over = (s: Session) => s.state === 'ended' || s.state === 'cancelled';
  const hosting = (q.data?.hosting ?? []).filter((s) => !over(s));
  // Wished sessions that are over are in the ended list, with the others one took part in.
  const wished = (q.data?.wished ?? []).filter((s) => !over(s));
  return (
    <div className="page">
      <section className="card profile-card" aria-label={t('my.title')}>
        <Avatar user={me} size={72} />
        <div className="grow">
          <h1 className="h2">{me.display_name}</h1>
          <p className="muted">@{me.username}{me.company ? ` · ${me.company}` : ''}{me.work_field ? ` · ${me.work_field}` : ''}</p>
          {me.bio && <p className="prewrap">{me.bio}</p>}
          <div className="row wrap">
            <Link className="btn btn-ghost btn-sm" to="/me/edit">✎ {t('my.editProfile')}</Link>
            <Link className="btn btn-ghost btn-sm" to={`/u/${me.username}`}>{t('my.publicProfile')}</Link>
          </div>
        </div>
      </section>
      <ProblemAlert error={q.error} />
      {q.isLoading && <Loading />}
      {q.data && (
        <>
          {ORDER.map((state) => {
            const list = hosting.filter((s) => s.state === state);
            if (!list.length) return null;
            return (
              <Section key={state} title={`${t('my.hosting')} · ${t(`session.state.${state}`)}`}>
                <SessionGrid sessions={list} empty="" actions={(s) => <HostActions session={s} />} />
              </Section>
            );
          })}
          {!hosting.length && (
            <Section title={t('my.hosting')}>
              <EmptyState icon="🎙" title={t('my.noHosting')} action={<Link className="btn btn-primary btn-sm" to="/sessions/new">＋ {t('main.open')}</Link>}>
                {t('my.noHostingText')}
              </EmptyState>
            </Section>
          )}
          <Section title={t('my.wished')}>
            <SessionGrid sessions={wished} empty={
              <EmptyState icon="♡" title={t('my.noWished')} action={<Link className="btn btn-ghost btn-sm" to="/">{t('my.browse')}</Link>}>{t('main.noWishedYet')}</EmptyState>
            } />
          </Section>
          <CalendarFeedSection />
          <Section title={t('my.ended')}>
            <SessionGrid sessions={q.data.ended} empty={<EmptyState icon="🗂" title={t('my.noEnded')}>{t('my.noEndedText')}</EmptyState>} />
          </Section>
        </>
      )}
    </div>
  );
}
