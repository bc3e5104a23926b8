import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useUpdateMeMutation, useUploadAvatarMutation } from '../api/api';
import { useNotify } from '../components/Toasts';
import { Avatar, Field, Loading, ProblemAlert } from '../components/ui';
import { fieldMessages } from '../errors';
import { useMe, useTitle } from '../hooks';

export const AVATAR_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/gif'];
export const AVATAR_MAX = 5 << 20;

export function checkAvatar(f: File): string | null {
  if (!AVATAR_TYPES.includes(f.type)) return 'profile.avatarType';
  if (f.size > AVATAR_MAX) return 'profile.avatarSize';
  return null;
}

const LIMITS = { display_name: 40, company: 100, work_field: 100, bio: 1000 } as const;

export function ProfileEditPage() {
  const { t } = useTranslation();
  const { me } = useMe();
  const [update, us] = useUpdateMeMutation();
  const [upload, ups] = useUploadAvatarMutation();
  const [v, setV] = useState({ display_name: '', company: '', work_field: '', bio: '' });
  const [preview, setPreview] = useState<string | null>(null);
  const [fileErr, setFileErr] = useState<string | null>(null);
  const notify = useNotify();
  const [errors, setErrors] = useState<Record<string, string>>({});
  useTitle(t('profile.editTitle'));
  useEffect(() => {
    if (me) setV({ display_name: me.display_name, company: me.company ?? '', work_field: me.work_field ?? '', bio: me.bio ?? '' });
  }, [me]);
  useEffect(() => () => { if (preview) URL.revokeObjectURL(preview); }, [preview]);
  if (!me) return <Loading />;
  const sf = fieldMessages(t, us.error);

  async function save(e: FormEvent) {
    e.preventDefault();
    const errs: Record<string, string> = {};
    for (const [k, max] of Object.entries(LIMITS)) {
      const len = Array.from(v[k as keyof typeof v]).length;
      if (len > max) errs[k] = t('q.tooLong', { max });
    }
    if (!v.display_name.trim()) errs.display_name = t('auth.badDisplayName');
    setErrors(errs);
    if (Object.keys(errs).length) return;
    try {
      await update({ ...v, display_name: v.display_name.trim() }).unwrap();
      notify.success('profile.saved');
    } catch {
      /* shown */
    }
  }

  const field = (k: keyof typeof v, label: string, multiline = false) => (
    <Field label={label} error={errors[k] ?? sf[k]} hint={t('form.count', { n: Array.from(v[k]).length, max: LIMITS[k] })}>
      {(p) => multiline
        ? <textarea {...p} rows={5} maxLength={LIMITS[k]} value={v[k]} onChange={(e) => setV({ ...v, [k]: e.target.value })} />
        : <input {...p} maxLength={LIMITS[k]} value={v[k]} onChange={(e) => setV({ ...v, [k]: e.target.value })} />}
    </Field>
  );

  return (
    <div className="page narrow">
      <h1>{t('profile.editTitle')}</h1>
      <section className="card avatar-card" aria-labelledby="avatar-title">
        <h2 id="avatar-title" className="h3">{t('profile.avatar')}</h2>
        <div className="avatar-row">
          <div className={`avatar-preview${ups.isLoading ? ' busy' : ''}`}>
            {preview ? <img className="avatar" src={preview} alt="" width={96} height={96} /> : <Avatar user={me} size={96} />}
          </div>
          <div className="avatar-controls">
            {/* Choosing a picture uploads it: one step, with the preview shown meanwhile. */}
            <label className={`btn btn-ghost btn-sm file-btn${ups.isLoading ? ' disabled' : ''}`}>
              {ups.isLoading ? t('profile.uploading') : t('profile.chooseAvatar')}
              <input type="file" accept={AVATAR_TYPES.join(',')} className="sr-only" disabled={ups.isLoading} onChange={async (e) => {
                const f = e.target.files?.[0] ?? null;
                e.target.value = '';
                if (!f) return;
                const bad = checkAvatar(f);
                setFileErr(bad);
                if (bad) return;
                setPreview(URL.createObjectURL(f));
                try {
                  await upload(f).unwrap();
                  notify.success('profile.avatarSaved');
                } catch {
                  /* shown below */
                } finally {
                  setPreview(null);
                }
              }} />
            </label>
            <small className="hint">{t('profile.avatarHint')}</small>
            {fileErr && <p className="field-error" role="alert">{t(fileErr)}</p>}
            <ProblemAlert error={ups.error} context="avatar" />
          </div>
        </div>
      </section>
      <form className="card form" onSubmit={save} noValidate>
        <ProblemAlert error={us.error} fields={Object.keys(LIMITS)} />
        {field('display_name', t('profile.displayName'))}
        {field('company', t('profile.company'))}
        {field('work_field', t('profile.workField'))}
        {field('bio', t('profile.bio'), true)}
        <button className="btn btn-primary btn-block" type="submit" disabled={us.isLoading}>{t('profile.save')}</button>
      </form>
    </div>
  );
}
