import { useParams } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { useGetSessionQuery, useQuestionsQuery } from '../api/api';
import { answeredInOrder } from '../api/types';
import { AuthorAvatar, AuthorName } from '../components/Author';
import { EmptyState, ErrorPage, Loading, ProblemAlert, StateBadge } from '../components/ui';
import { useSessionStream } from '../events';
import { formatDateTime } from '../format';
import { useMe, useTitle } from '../hooks';
import { HostCard } from './SessionDetail';

export function ArchivePage() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const { me } = useMe();
  const sq = useGetSessionQuery(id);
  const qq = useQuestionsQuery(id);
  useSessionStream(id);
  useTitle(sq.data ? `${sq.data.title} · ${t('archive.title')}` : undefined);
  if (sq.isLoading) return <Loading />;
  const s = sq.data;
  if (!s) return <ErrorPage error={sq.error} context="session" onRetry={() => void sq.refetch()} />;
  const answered = answeredInOrder(qq.data ?? []);
  return (
    <div className="page detail">
      <div className="detail-main">
        <div className="row wrap"><StateBadge state={s.state} />{s.ended_at && <span className="muted">{t('archive.endedAt', { time: formatDateTime(s.ended_at) })}</span>}</div>
        <h1>{s.title}</h1>
        {s.description && <p className="prewrap muted">{s.description}</p>}
        <section className="section" aria-labelledby="arch-title">
          <h2 id="arch-title">{t('archive.title')} <span className="muted">({answered.length})</span></h2>
          <ProblemAlert error={qq.error} context="session" />
          {qq.isLoading && <Loading />}
          {qq.data && !answered.length && <EmptyState icon="🗂" title={t('archive.empty')} />}
          <ol className="archive">
            {answered.map((q, i) => (
              <li key={q.id} className="card archive-item">
                <span className="archive-num" aria-hidden="true">{i + 1}</span>
                <div className="grow">
                  <p className="q-text">{q.text || t('live.voiceQuestion')}</p>
                  <div className="row wrap small muted">
                    <AuthorAvatar q={q} me={me?.username} size={20} />
                    <AuthorName q={q} me={me?.username} phrase="askedBy" link />
                    {q.kind === 'voice' && <span className="tag tag-voice">{t('q.voice')}</span>}
                    {q.answered_at && <time dateTime={q.answered_at}>{formatDateTime(q.answered_at)}</time>}
                  </div>
                </div>
              </li>
            ))}
          </ol>
        </section>
      </div>
      <aside className="detail-side"><HostCard host={s.host} /></aside>
    </div>
  );
}
