import { Link, useLocation, useNavigate, useParams } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import {
  useAskMutation, useDeleteQuestionMutation, useEditQuestionMutation, useGetSessionQuery, useQuestionsQuery,
  useVoteMutation, useWishMutation,
} from '../api/api';
import type { Session, User } from '../api/types';
import { AddToCalendar } from '../components/CalendarFeed';
import { AskBox, QuestionList } from '../components/QuestionList';
import { WishProgress } from '../components/SessionCard';
import { HostActions } from '../components/HostActions';
import { TeamSection } from '../components/Team';
import { useNotify } from '../components/Toasts';
import { Avatar, ErrorPage, Loading, ProblemAlert, StateBadge } from '../components/ui';
import { useSessionStream } from '../events';
import { formatDateTime } from '../format';
import { useMe, useTitle } from '../hooks';

export function HostCard({ host }: { host: User }) {
  const { t } = useTranslation();
  return (
    <Link to={`/u/${host.username}`} className="card host-card">
      <Avatar user={host} size={56} />
      <div>
        <div className="muted small">{t('session.host')}</div>
        <div className="host-name">{host.display_name}</div>
        {(host.company || host.work_field) && (
          <div className="muted">{[host.company, host.work_field].filter(Boolean).join(' · ')}</div>
        )}
        {host.bio && <p className="host-bio">{host.bio}</p>}
      </div>
    </Link>
  );
}

function WishButton({ session }: { session: Session }) {
  const { t } = useTranslation();
  const { me } = useMe();
  const navigate = useNavigate();
  const loc = useLocation();
  const [wish, st] = useWishMutation();
  const notify = useNotify();
  if (me?.username === session.host.username) return <p className="muted">{t('session.ownSession')}</p>;
  return (
    <div className="wish">
      <button type="button" className={`btn ${session.wished_by_me ? 'btn-ghost' : 'btn-primary'}`} aria-pressed={session.wished_by_me}
        disabled={st.isLoading}
        onClick={async () => {
          if (!me) {
            navigate('/login', { state: { from: loc.pathname } });
            return;
          }
          const wished = !session.wished_by_me;
          try {
            await wish({ id: session.id, wished }).unwrap();
            notify.success(wished ? 'session.wished' : 'session.unwished');
          } catch (e) {
            notify.error(e, 'session');
          }
        }}>
        {session.wished_by_me ? `♥ ${t('session.unwish')}` : `♡ ${t('session.wish')}`}
      </button>
    </div>
  );
}

export function SessionDetailPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const { me } = useMe();
  const sq = useGetSessionQuery(id);
  const qq = useQuestionsQuery(id);
  const [ask] = useAskMutation();
  const [vote] = useVoteMutation();
  const [edit] = useEditQuestionMutation();
  const [del] = useDeleteQuestionMutation();
  const notify = useNotify();
  useSessionStream(id);
  const s = sq.data;
  useTitle(s?.title);
  if (sq.isLoading) return <Loading />;
  if (!s) return <ErrorPage error={sq.error} context="session" onRetry={() => void sq.refetch()} />;
  const isHost = me?.username === s.host.username;
  const open = s.state !== 'ended' && s.state !== 'cancelled';
  return (
    <div className="page detail">
      <div className="detail-main">
        <div className="row wrap">
          <StateBadge state={s.state} />
          {s.state === 'live' && <Link className="btn btn-live" to={`/sessions/${s.id}/live`}>{t('session.enter')}</Link>}
          {s.state === 'ended' && <Link className="btn btn-ghost" to={`/sessions/${s.id}/archive`}>{t('session.archive')}</Link>}
        </div>
        <h1>{s.title}</h1>
        <dl className="facts">
          <div><dt>{t('session.startsAt')}</dt><dd>{s.starts_at ? <time dateTime={s.starts_at}>{formatDateTime(s.starts_at)}</time> : t('session.notScheduled')}</dd></div>
          <div><dt>{t('q.listTitle')}</dt><dd>{t('session.questions', { count: qq.data?.length ?? s.question_count })}</dd></div>
        </dl>
        <AddToCalendar session={s} />
        {s.description && (
          <section aria-label={t('session.topic')}>
            <h2 className="h3">{t('session.topic')}</h2>
            <p className="prewrap">{s.description}</p>
          </section>
        )}
        {(s.state === 'recruiting' || s.state === 'ready' || s.state === 'scheduled') && (
          <div className="card wish-card">
            <WishProgress count={s.wish_count} target={s.target_guests} />
            <WishButton session={s} />
          </div>
        )}
        {isHost && <div className="row wrap"><HostActions session={s} /></div>}
        <section className="section" aria-labelledby="preq-title">
          <h2 id="preq-title">{t('q.title')} <span className="muted">({qq.data?.length ?? 0})</span></h2>
          {open && me && <AskBox allowAnonymous={!!s.allow_anonymous} onAsk={(text, anonymous) => ask({ sessionId: s.id, text, anonymous }).unwrap()} />}
          {open && !me && <p><Link to="/login" state={{ from: `/sessions/${s.id}` }}>{t('auth.loginRequired')}</Link></p>}
          {!open && <p className="muted">{t('q.closed')}</p>}
          <ProblemAlert error={qq.error} context="session" />
          <div aria-live="polite">
            <QuestionList questions={qq.data ?? []} me={me?.username} label={t('q.listTitle')}
              onVote={(q, voted) => void vote({ id: q.id, sessionId: s.id, voted }).unwrap().catch((e) => notify.error(e, 'question'))}
              onEdit={(q, text) => edit({ id: q.id, sessionId: s.id, text }).unwrap()}
              onDelete={async (q) => {
                try {
                  await del({ id: q.id, sessionId: s.id }).unwrap();
                  notify.success('q.deleted');
                } catch (e) {
                  notify.error(e, 'question');
                }
              }} />
          </div>
        </section>
      </div>
      <aside className="detail-side">
        <HostCard host={s.host} />
        <TeamSection session={s} isHost={isHost} />
      </aside>
    </div>
  );
}
