import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { sortQuestions, type Question } from '../api/types';
import { problemMessage } from '../errors';
import { useConfirm } from './Dialog';
import { useNotify } from './Toasts';
import { Avatar, EmptyState } from './ui';

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
        <QuestionItem key={q.id} q={q} mine={!!me && q.author.username === me} canVote={canVote && !!me}
          onVote={onVote} onEdit={onEdit} onDelete={onDelete} actions={actions} />
      ))}
    </ol>
  );
}

function QuestionItem({ q, mine, canVote, onVote, onEdit, onDelete, actions }: {
  q: Question; mine: boolean; canVote: boolean;
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
        <Avatar user={q.author} size={32} />
        <div className="q-body">
          <div className="q-head">
            {q.pinned_at && <span className="tag tag-pin">📌 {t('q.pinned')}</span>}
            <span className="q-author">{q.author.display_name}</span>
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

/** The box to add a question. A posted question is announced as a notification. */
export function AskBox({ onAsk, disabled, label }: { onAsk: (text: string) => Promise<unknown>; disabled?: boolean; label?: string }) {
  const { t } = useTranslation();
  const notify = useNotify();
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
        await onAsk(v);
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
