import { Link } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { useFeedQuery } from '../api/api';
import { SessionCard, SessionGrid } from '../components/SessionCard';
import { Loading, ProblemAlert, Section } from '../components/ui';
import { useSessionEvents } from '../events';
import { useMe, useTitle } from '../hooks';

export function MainPage() {
  const { t } = useTranslation();
  const { me } = useMe();
  const feed = useFeedQuery();
  useSessionEvents();
  useTitle(t('nav.home'));
  const profileIncomplete = !!me && (!me.company || !me.work_field || !me.bio || !me.avatar_url);
  const f = feed.data;
  return (
    <div className="page">
      <div className="page-head">
        <div>
          <h1>{t('app.tagline')}</h1>
          <p className="muted">{t('main.welcome')}</p>
        </div>
        <Link className="btn btn-primary" to="/sessions/new">＋ {t('main.open')}</Link>
      </div>
      {profileIncomplete && (
        <aside className="nudge" aria-label={t('main.nudgeAction')}>
          <p>{t('main.nudge')}</p>
          <Link className="btn btn-sm btn-ghost" to="/me/edit">{t('main.nudgeAction')}</Link>
        </aside>
      )}
      <ProblemAlert error={feed.error} />
      {feed.isLoading && <Loading />}
      {f && (
        <>
          {f.wished_live.length > 0 && (
            <section className="wished-live" aria-labelledby="wished-live-title" aria-live="polite">
              <h2 id="wished-live-title">🔴 {t('main.wishedLive')}</h2>
              <ul className="carousel" role="list">
                {f.wished_live.map((s) => <li key={s.id}><SessionCard session={s} /></li>)}
              </ul>
            </section>
          )}
          <div aria-live="polite" aria-atomic="false">
            <Section title={t('main.live')}><SessionGrid sessions={f.live} empty={t('main.noLive')} /></Section>
          </div>
          <Section title={t('main.upcoming')}><SessionGrid sessions={f.upcoming} empty={t('main.noUpcoming')} /></Section>
          <Section title={t('main.recruiting')}><SessionGrid sessions={f.recruiting} empty={t('main.noRecruiting')} /></Section>
        </>
      )}
    </div>
  );
}
