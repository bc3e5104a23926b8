import { useCallback, useId, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { isMine, sortQuestions, type Question } from '../api/types';
import { problemMessage } from '../errors';
import { AuthorAvatar, AuthorName } from './Author';
import { useConfirm } from './Dialog';
import { useNotify } from './Toasts';
import { EmptyState } from './ui';

export const QUESTION_MAX = 500;

interface Props {
  questions: Question[];
  me?: string;
  /** Keep the given order instead of the queue order. */
  ordered?: boolean;
  canVote?: boolean;
  onVote?: (q: Question, voted: boolean) => void;
  onEdit?: (q: Question, text: string) => Promise<unknown> | void;
  onDelete?: (q: Question) => void;
  actions?: (q: Question) => ReactNode;
  empty?: string;
  label?: string;
}

export function QuestionList({ questions, me, ordered, canVote = true, onVote, onEdit, onDelete, actions, empty, label }: Props) {
  const { t } = useTranslation();
  const list = ordered ? questions : sortQuestions(questions);
  if (!list.length) return <EmptyState icon="💬" title={empty ?? t('q.empty')} />;
  return (
    <ol className="questions" aria-label={label}>
      {list.map((q) => (
        <QuestionItem key={q.id} q={q} me={me} mine={isMine(q, me)} canVote={canVote && !!me}
          onVote={onVote} onEdit={onEdit} onDelete={onDelete} actions={actions} />
      ))}
    </ol>
  );
}

function QuestionItem({ q, me, mine, canVote, onVote, onEdit, onDelete, actions }: {
  q: Question; me?: string; mine: boolean; canVote: boolean;
} & Pick<Props, 'onVote' | 'onEdit' | 'onDelete' | 'actions'>) {
  const { t } = useTranslation();
  const confirm = useConfirm();
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(q.text);
  // What went wrong, kept as the error (or a message key) so it is read in the current language.
  const [err, setErr] = useState<unknown>(null);
  const editable = mine && q.state === 'open';
  const body = q.text || (q.kind === 'voice' ? t('live.voiceQuestion') : '');
  return (
    <li className={`question q-${q.state}${mine ? ' q-mine' : ''}${q.kind === 'voice' ? ' q-voice' : ''}${q.pinned_at ? ' q-pinned' : ''}`}>
      <div className="q-main">
        <AuthorAvatar q={q} me={me} size={32} />
        <div className="q-body">
          <div className="q-head">
            {q.pinned_at && <span className="tag tag-pin">📌 {t('q.pinned')}</span>}
            <AuthorName q={q} me={me} className="q-author" />
            {q.phase === 'pre' && <span className="tag">{t('q.pre')}</span>}
            {q.kind === 'voice' && <span className="tag tag-voice">{t('q.voice')}</span>}
            {mine && <span className="tag tag-mine">{t('q.mine')}</span>}
            {q.state === 'answering' && <span className="tag tag-live">{t('q.answering')}</span>}
            {q.state === 'answered' && <span className="tag tag-done">{t('q.answered')}</span>}
          </div>
          {editing ? (
            <form className="q-edit" onSubmit={async (e) => {
              e.preventDefault();
              const v = text.trim();
              if (!v || v.length > QUESTION_MAX) {
                setErr('tooLong');
                return;
              }
              try {
                await onEdit?.(q, v);
                setEditing(false);
                setErr(null);
              } catch (x) {
                setErr(x);
              }
            }}>
              <label className="sr-only" htmlFor={`edit-${q.id}`}>{t('q.edit')}</label>
              <textarea id={`edit-${q.id}`} value={text} maxLength={QUESTION_MAX} onChange={(e) => setText(e.target.value)} rows={2} autoFocus />
              {!!err && <small className="field-error" role="alert">
                {err === 'tooLong' ? t('q.tooLong', { max: QUESTION_MAX }) : problemMessage(t, err, 'question')}
              </small>}
              <div className="row">
                <button className="btn btn-primary btn-sm" type="submit">{t('q.save')}</button>
                <button className="btn btn-ghost btn-sm" type="button" onClick={() => { setEditing(false); setText(q.text); }}>{t('q.cancel')}</button>
              </div>
            </form>
          ) : (
            <p className="q-text">{body}</p>
          )}
        </div>
        <button type="button" className={`vote${q.voted_by_me ? ' vote-on' : ''}`} aria-pressed={q.voted_by_me}
          disabled={!canVote || mine || !onVote}
          onClick={() => onVote?.(q, !q.voted_by_me)}
          aria-label={`${q.voted_by_me ? t('q.upvoted') : t('q.upvote')} · ${t('q.votes', { count: q.votes })}`}>
          <span aria-hidden="true">▲</span>
          <span className="vote-count">{q.votes}</span>
        </button>
      </div>
      {(editable && (onEdit || onDelete) && !editing) || actions ? (
        <div className="q-actions">
          {editable && onEdit && !editing && (
            <button type="button" className="btn btn-ghost btn-sm" onClick={() => setEditing(true)}>{t('q.edit')}</button>
          )}
          {editable && onDelete && !editing && (
            <button type="button" className="btn btn-ghost btn-sm btn-danger" onClick={async () => {
              if (await confirm({ title: t('q.confirmDelete'), body: q.text, confirm: t('q.delete'), danger: true })) onDelete(q);
            }}>{t('q.delete')}</button>
          )}
          {actions?.(q)}
        </div>
      ) : null}
    </li>
  );
}

const ANONYMOUS_KEY = 'ask2live.askAnonymously';

/** Whether to ask anonymously where a session allows it, remembered in this browser. */
export function useAskAnonymously(): [boolean, (on: boolean) => void] {
  const [on, setOn] = useState(() => {
    try {
      return localStorage.getItem(ANONYMOUS_KEY) === '1';
    } catch {
      return false;
    }
  });
  const set = useCallback((v: boolean) => {
    setOn(v);
    try {
      if (v) localStorage.setItem(ANONYMOUS_KEY, '1');
      else localStorage.removeItem(ANONYMOUS_KEY);
    } catch {
      /* storage blocked: remembered on this page only */
    }
  }, []);
  return [on, set];
}

/** The "Ask anonymously" checkbox, and what it means, for a session that allows it. */
export function AnonymousChoice({ checked, onChange, disabled }: { checked: boolean; onChange: (on: boolean) => void; disabled?: boolean }) {
  const { t } = useTranslation();
  const hint = useId();
  return (
    <div className="anon-choice">
      <label className="check">
        <input type="checkbox" checked={checked} disabled={disabled} aria-describedby={hint} onChange={(e) => onChange(e.target.checked)} />
        {t('q.askAnonymously')}
      </label>
      <small id={hint} className="hint">{t('q.askAnonymouslyHint')}</small>
    </div>
  );
}

/**
 * The box to add a question. A posted question is announced as a
 * notification. With allowAnonymous, the asker may choose to go unnamed.
 */
export function AskBox({ onAsk, disabled, label, allowAnonymous = false }: {
  onAsk: (text: string, anonymous: boolean) => Promise<unknown>; disabled?: boolean; label?: string; allowAnonymous?: boolean;
}) {
  const { t } = useTranslation();
  const notify = useNotify();
  const [anonymous, setAnonymous] = useAskAnonymously();
  const [text, setText] = useState('');
  const [err, setErr] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  return (
    <form className="ask-box" onSubmit={async (e) => {
      e.preventDefault();
      const v = text.trim();
      if (!v) return;
      if (v.length > QUESTION_MAX) {
        setErr('tooLong');
        return;
      }
      setBusy(true);
      setErr(null);
      try {
        await onAsk(v, allowAnonymous && anonymous);
        setText('');
        notify.success('q.posted');
      } catch (x) {
        setErr(x);
      } finally {
        setBusy(false);
      }
    }}>
      <label htmlFor="ask-text">{label ?? t('q.ask')}</label>
      <textarea id="ask-text" value={text} rows={3} maxLength={QUESTION_MAX} placeholder={t('q.placeholder')} disabled={disabled}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => { if (e.key === 'Enter' && (e.metaKey || e.ctrlKey)) e.currentTarget.form?.requestSubmit(); }}
        aria-describedby="ask-count" />
      {allowAnonymous && <AnonymousChoice checked={anonymous} onChange={setAnonymous} disabled={disabled} />}
      <div className="row between">
        <small id="ask-count" className="muted">{t('form.count', { n: text.length, max: QUESTION_MAX })}</small>
        <button className="btn btn-primary" type="submit" disabled={disabled || busy || !text.trim()}>{t('q.submit')}</button>
      </div>
      {!!err && <p className="field-error" role="alert">
        {err === 'tooLong' ? t('q.tooLong', { max: QUESTION_MAX }) : problemMessage(t, err, 'question')}
      </p>}
    </form>
  );
}
