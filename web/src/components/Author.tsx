// Who asked a question, as this viewer may know it. An anonymous question
// reaches the audience without its author, and they see "Anonymous". Its
// author sees that it went out anonymously; the host and the team see who
// asked, with a tag saying the audience does not.
import { Link } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { authorView, type Question } from '../api/types';
import { Avatar } from './ui';

/** The picture for someone not named: the same silhouette for every anonymous question. */
export function AnonymousAvatar({ size = 40 }: { size?: number }) {
  return (
    <span className="avatar avatar-anon" aria-hidden="true" style={{ width: size, height: size }}>
      <svg viewBox="0 0 24 24" width={Math.round(size * 0.62)} height={Math.round(size * 0.62)} focusable="false">
        <circle cx="12" cy="8" r="4.3" />
        <path d="M3.6 21.5c.5-4.7 4-7.6 8.4-7.6s7.9 2.9 8.4 7.6z" />
      </svg>
    </span>
  );
}

/** The avatar beside a question: its author's, or the anonymous one where the audience sees no name. */
export function AuthorAvatar({ q, me, size = 40 }: { q: Question; me?: string; size?: number }) {
  const view = authorView(q, me);
  if (view === 'anonymous' || view === 'own') return <AnonymousAvatar size={size} />;
  return <Avatar user={q.author} size={size} />;
}

/** Tells the host and the team that the audience does not see this name. */
export function AnonymousTag() {
  const { t } = useTranslation();
  return <span className="tag tag-anon">{t('q.anonymousToAudience')}</span>;
}

/** How the name is said: alone (a list), as "Kim's question", or as "Asked by Kim". */
type Phrase = 'name' | 'question' | 'askedBy';

const PHRASES: Record<Phrase, { named: string; anonymous: string; own: string }> = {
  name: { named: '', anonymous: 'q.anonymous', own: 'q.askedAnonymously' },
  question: { named: 'q.by', anonymous: 'q.anonymousQuestion', own: 'q.yourAnonymousQuestion' },
  askedBy: { named: 'archive.askedBy', anonymous: 'q.anonymousQuestion', own: 'q.yourAnonymousQuestion' },
};

/**
 * Who asked, in words: the name (linked to the profile with link); for the
 * audience of an anonymous question "Anonymous"; for its author, that it
 * was asked anonymously; for the host and the team, the name and a tag
 * saying the audience does not see it. Never an empty name.
 */
export function AuthorName({ q, me, phrase = 'name', link = false, className }: {
  q: Question; me?: string; phrase?: Phrase; link?: boolean; className?: string;
}) {
  const { t } = useTranslation();
  const view = authorView(q, me);
  const words = PHRASES[phrase];
  if (view === 'anonymous' || view === 'own') {
    return <span className={className}>{t(view === 'own' ? words.own : words.anonymous)}</span>;
  }
  const name = q.author.display_name || q.author.username;
  const text = words.named ? t(words.named, { name }) : name;
  return (
    <>
      {link ? <Link to={`/u/${encodeURIComponent(q.author.username)}`} className={className}>{text}</Link> : <span className={className}>{text}</span>}
      {view === 'revealed' && <AnonymousTag />}
    </>
  );
}
