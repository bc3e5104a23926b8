import { Link } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { useFeedQuery, useMySessionsQuery } from '../api/api';
import { SessionCard, SessionGrid } from '../components/SessionCard';
import { EmptyState, Loading, ProblemAlert, Section } from '../components/ui';
import { useMe, useTitle } from '../hooks';

/** The side column: how it works, and (signed in) the sessions one wished, or (signed out) a way in. */
function HomeSide() {
  const { t } = useTranslation();
  const { me } = useMe();
  const mine = useMySessionsQuery(undefined, { skip: !me });
  const wished = (mine.data?.wished ?? []).filter((s) => s.state !== 'ended' && s.state !== 'cancelled').slice(0, 5);
  return (
    <aside className="home-side" aria-label={t('main.about')}>
      {me ? (
        <section className="card side-card" aria-labelledby="side-wished">
          <h2 id="side-wished" className="h3">{t('my.wished')}</h2>
          {wished.length ? (
            <ul className="side-list">
              {wished.map((s) => (
                <li key={s.id}><Link to={`/sessions/${s.id}`}>{s.title}</Link> <span className="muted small">· {t(`session.state.${s.state}`)}</span></li>
              ))}
            </ul>
          ) : <p className="muted small">{t('main.noWishedYet')}</p>}
        </section>
      ) : (
        <section className="card side-card join-card" aria-labelledby="side-join">
          <h2 id="side-join" className="h3">{t('main.joinTitle')}</h2>
          <p className="muted small">{t('main.joinText')}</p>
          <div className="row wrap">
            <Link className="btn btn-primary btn-sm" to="/register">{t('nav.register')}</Link>
            <Link className="btn btn-ghost btn-sm" to="/login">{t('nav.login')}</Link>
          </div>
        </section>
      )}
      <section className="card side-card" aria-labelledby="side-how">
        <h2 id="side-how" className="h3">{t('main.howTitle')}</h2>
        <ol className="steps">
          <li><strong>{t('main.step1')}</strong><span className="muted small">{t('main.step1Text')}</span></li>
          <li><strong>{t('main.step2')}</strong><span className="muted small">{t('main.step2Text')}</span></li>
          <li><strong>{t('main.step3')}</strong><span className="muted small">{t('main.step3Text')}</span></li>
        </ol>
      </section>
    </aside>
  );
}

export function MainPage() {
  const { t } = useTranslation();
  const { me } = useMe();
  const feed = useFeedQuery();
  useTitle(t('nav.home'));
  const profileIncomplete = !!me && (!me.company || !me.work_field || !me.bio || !me.avatar_url);
  const f = feed.data;
  const openLink = <Link className="btn btn-primary btn-sm" to="/sessions/new">＋ {t('main.open')}</Link>;
  return (
    <div className="page home">
      <div className="page-head home-head">
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
      <div className="home-grid">
        <div className="home-feed">
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
                <Section title={t('main.live')}>
                  <SessionGrid sessions={f.live} empty={<EmptyState icon="📡" title={t('main.noLive')} action={openLink}>{t('main.noLiveText')}</EmptyState>} />
                </Section>
              </div>
              <Section title={t('main.upcoming')}>
                <SessionGrid sessions={f.upcoming} empty={<EmptyState icon="📅" title={t('main.noUpcoming')}>{t('main.noUpcomingText')}</EmptyState>} />
              </Section>
              <Section title={t('main.recruiting')}>
                <SessionGrid sessions={f.recruiting} empty={<EmptyState icon="🙋" title={t('main.noRecruiting')}>{t('main.noRecruitingText')}</EmptyState>} />
              </Section>
            </>
          )}
        </div>
        <HomeSide />
      </div>
    </div>
  );
}
