import { useState, type ChangeEvent, type FormEvent } from 'react';
import { Link, useLocation, useNavigate } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { useLoginMutation, useRegisterMutation } from '../api/api';
import { destination } from '../components/RequireAuth';
import { Field, ProblemAlert } from '../components/ui';
import { fieldMessages } from '../errors';
import { useTitle } from '../hooks';

export const USERNAME_RE = /^[a-z0-9_.-]{3,32}$/;

export function validateAuth(v: { username: string; password: string; display_name?: string }, register: boolean) {
  const e: Record<string, string> = {};
  if (!USERNAME_RE.test(v.username.trim().toLowerCase())) e.username = 'auth.badUsername';
  if (v.password.length < 8) e.password = 'auth.badPassword';
  if (register) {
    const n = (v.display_name ?? '').trim();
    if (!n || Array.from(n).length > 40) e.display_name = 'auth.badDisplayName';
  }
  return e;
}

export function AuthPage({ mode }: { mode: 'login' | 'register' }) {
  const { t } = useTranslation();
  const register = mode === 'register';
  useTitle(register ? t('auth.registerTitle') : t('auth.loginTitle'));
  const [login, loginState] = useLoginMutation();
  const [signup, signupState] = useRegisterMutation();
  const state = register ? signupState : loginState;
  const navigate = useNavigate();
  const loc = useLocation();
  const [values, setValues] = useState({ username: '', password: '', display_name: '' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const server = state.error;
  const serverFields = fieldMessages(t, server);
  const fieldError = (f: string) => (errors[f] ? t(errors[f]) : serverFields[f]);
  const set = (k: keyof typeof values) => (e: ChangeEvent<HTMLInputElement>) => setValues({ ...values, [k]: e.target.value });

  async function submit(e: FormEvent) {
    e.preventDefault();
    const errs = validateAuth(values, register);
    setErrors(errs);
    if (Object.keys(errs).length) return;
    const username = values.username.trim().toLowerCase();
    try {
      if (register) await signup({ username, password: values.password, display_name: values.display_name.trim() }).unwrap();
      else await login({ username, password: values.password }).unwrap();
      navigate(destination(loc.state), { replace: true });
    } catch {
      /* shown from state.error */
    }
  }

  return (
    <div className="auth-page">
      <form className="card auth-card" onSubmit={submit} noValidate aria-labelledby="auth-title">
        <h1 id="auth-title">{register ? t('auth.registerTitle') : t('auth.loginTitle')}</h1>
        {(loc.state as { from?: string } | null)?.from && <p className="muted">{t('auth.loginRequired')}</p>}
        <ProblemAlert error={server} context={register ? 'register' : 'login'} fields={['username', 'password', 'display_name']} />
        <Field label={t('auth.username')} error={fieldError('username')} hint={register ? t('auth.usernameHint') : undefined}>
          {(p) => <input {...p} name="username" autoComplete="username" autoCapitalize="none" spellCheck={false}
            value={values.username} onChange={set('username')} autoFocus />}
        </Field>
        {register && (
          <Field label={t('auth.displayName')} error={fieldError('display_name')}>
            {(p) => <input {...p} name="display_name" autoComplete="nickname" maxLength={40} value={values.display_name} onChange={set('display_name')} />}
          </Field>
        )}
        <Field label={t('auth.password')} error={fieldError('password')} hint={register ? t('auth.passwordHint') : undefined}>
          {(p) => <input {...p} type="password" name="password" autoComplete={register ? 'new-password' : 'current-password'}
            value={values.password} onChange={set('password')} />}
        </Field>
        <button className="btn btn-primary btn-block" type="submit" disabled={state.isLoading}>
          {register ? t('auth.submitRegister') : t('auth.submitLogin')}
        </button>
        <p className="muted center">
          {register ? t('auth.haveAccount') : t('auth.noAccount')}{' '}
          <Link to={register ? '/login' : '/register'} state={loc.state}>{register ? t('nav.login') : t('nav.register')}</Link>
        </p>
      </form>
    </div>
  );
}
