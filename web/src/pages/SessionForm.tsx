import { useEffect, useState, type FormEvent } from 'react';
import { useNavigate, useParams } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { useCreateSessionMutation, useGetSessionQuery, useUpdateSessionMutation } from '../api/api';
import { ErrorPage, Field, Loading, ProblemAlert } from '../components/ui';
import { fieldMessages } from '../errors';
import { fromLocalInput, toLocalInput } from '../format';
import { useTitle } from '../hooks';

interface Values { title: string; description: string; starts_at: string; target_guests: string; open_now: boolean; allow_anonymous: boolean }

export function validateSession(v: Values, now = Date.now()): Record<string, string> {
  const e: Record<string, string> = {};
  const title = v.title.trim();
  if (!title) e.title = 'form.titleRequired';
  else if (Array.from(title).length > 100) e.title = 'form.titleTooLong';
  if (Array.from(v.description).length > 2000) e.description = 'form.descTooLong';
  if (!v.open_now) {
    const iso = fromLocalInput(v.starts_at);
    if (!iso) e.starts_at = 'form.startsRequired';
    else if (new Date(iso).getTime() <= now) e.starts_at = 'form.startsFuture';
    if (!/^\d+$/.test(v.target_guests.trim())) e.target_guests = 'form.targetInvalid';
  }
  return e;
}

export function SessionFormPage() {
  const { id } = useParams();
  const editing = !!id;
  const { t } = useTranslation();
  const navigate = useNavigate();
  const existing = useGetSessionQuery(id ?? '', { skip: !editing });
  const [create, cs] = useCreateSessionMutation();
  const [update, us] = useUpdateSessionMutation();
  const [v, setV] = useState<Values>({ title: '', description: '', starts_at: '', target_guests: '0', open_now: false, allow_anonymous: false });
  const [errors, setErrors] = useState<Record<string, string>>({});
  useTitle(editing ? t('form.editTitle') : t('form.createTitle'));
  useEffect(() => {
    const s = existing.data;
    if (s) {
      setV({
        title: s.title, description: s.description, starts_at: toLocalInput(s.starts_at), target_guests: String(s.target_guests), open_now: false,
        allow_anonymous: !!s.allow_anonymous,
      });
    }
  }, [existing.data]);
  const server = editing ? us.error : cs.error;
  const sf = fieldMessages(t, server);
  const err = (f: string) => (errors[f] ? t(errors[f]) : sf[f]);
  if (editing && existing.isLoading) return <Loading />;
  if (editing && existing.error) return <ErrorPage error={existing.error} context="session" onRetry={() => void existing.refetch()} />;

  async function submit(e: FormEvent) {
    e.preventDefault();
    const errs = validateSession(v);
    setErrors(errs);
    if (Object.keys(errs).length) return;
    const body = {
      title: v.title.trim(),
      description: v.description,
      starts_at: v.open_now ? null : fromLocalInput(v.starts_at),
      target_guests: v.open_now ? 0 : Number(v.target_guests),
      allow_anonymous: v.allow_anonymous,
    };
    try {
      if (editing && id) {
        await update({ id, ...body }).unwrap();
        navigate(`/sessions/${id}`);
      } else {
        const s = await create({ ...body, open_now: v.open_now }).unwrap();
        navigate(s.state === 'live' ? `/sessions/${s.id}/live` : `/sessions/${s.id}`);
      }
    } catch {
      /* shown from the mutation state */
    }
  }

  return (
    <div className="page narrow">
      <h1>{editing ? t('form.editTitle') : t('form.createTitle')}</h1>
      <form className="card form" onSubmit={submit} noValidate>
        <ProblemAlert error={server} context="session" fields={['title', 'description', 'starts_at', 'target_guests']} />
        <Field label={t('form.title')} error={err('title')} hint={t('form.count', { n: Array.from(v.title).length, max: 100 })}>
          {(p) => <input {...p} value={v.title} maxLength={100} required onChange={(e) => setV({ ...v, title: e.target.value })} />}
        </Field>
        <Field label={t('form.description')} error={err('description')} hint={t('form.count', { n: Array.from(v.description).length, max: 2000 })}>
          {(p) => <textarea {...p} rows={6} maxLength={2000} value={v.description} onChange={(e) => setV({ ...v, description: e.target.value })} />}
        </Field>
        {!editing && (
          <label className="check">
            <input type="checkbox" checked={v.open_now} onChange={(e) => setV({ ...v, open_now: e.target.checked })} />
            {t('form.openNow')}
          </label>
        )}
        {!v.open_now && (
          <div className="form-row">
            <Field label={t('form.startsAt')} error={err('starts_at')}>
              {(p) => <input {...p} type="datetime-local" value={v.starts_at} min={toLocalInput(new Date().toISOString())}
                onChange={(e) => setV({ ...v, starts_at: e.target.value })} />}
            </Field>
            <Field label={t('form.target')} error={err('target_guests')} hint={t('form.targetHint')}>
              {(p) => <input {...p} type="number" inputMode="numeric" min={0} step={1} value={v.target_guests}
                onChange={(e) => setV({ ...v, target_guests: e.target.value })} />}
            </Field>
          </div>
        )}
        <div className="anon-choice">
          <label className="check">
            <input type="checkbox" checked={v.allow_anonymous} aria-describedby="allow-anonymous-hint"
              onChange={(e) => setV({ ...v, allow_anonymous: e.target.checked })} />
            {t('form.allowAnonymous')}
          </label>
          <small id="allow-anonymous-hint" className="hint">{t('form.allowAnonymousHint')}</small>
        </div>
        <button type="submit" className="btn btn-primary btn-block" disabled={cs.isLoading || us.isLoading}>
          {editing ? t('form.submitEdit') : t('form.submitCreate')}
        </button>
      </form>
    </div>
  );
}
