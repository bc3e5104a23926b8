import { useParams } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { useGetUserQuery } from '../api/api';
import { SessionGrid } from '../components/SessionCard';
import { Avatar, ErrorPage, Loading, Section } from '../components/ui';
import { useTitle } from '../hooks';

export function PublicProfilePage() {
  const { username = '' } = useParams();
  const { t } = useTranslation();
  const q = useGetUserQuery(username);
  useTitle(q.data?.user.display_name);
  if (q.isLoading) return <Loading />;
  if (!q.data) return <ErrorPage error={q.error} context="user" onRetry={() => void q.refetch()} />;
  const { user, upcoming, past } = q.data;
  return (
    <div className="page">
      <section className="card profile-hero">
        <Avatar user={user} size={112} />
        <div>
          <h1>{user.display_name}</h1>
          <p className="muted">@{user.username}</p>
          {(user.company || user.work_field) && <p className="lead">{[user.company, user.work_field].filter(Boolean).join(' · ')}</p>}
          {user.bio && <p className="prewrap">{user.bio}</p>}
        </div>
      </section>
      <Section title={t('profile.upcoming')}><SessionGrid sessions={upcoming} empty={t('profile.none')} /></Section>
      <Section title={t('profile.past')}><SessionGrid sessions={past} empty={t('profile.none')} /></Section>
    </div>
  );
}
