import { Link, NavLink, useNavigate } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { useLogoutMutation } from '../api/api';
import { useMe } from '../hooks';
import { LANGS, setLanguage, type Lang } from '../i18n';
import { Avatar } from './ui';

export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  return (
    <label className="lang-switch">
      <span className="sr-only">{t('nav.language')}</span>
      <select value={i18n.language} onChange={(e) => setLanguage(e.target.value as Lang)} aria-label={t('nav.language')}>
        {LANGS.map((l) => (
          <option key={l} value={l}>{l === 'ko' ? '한국어' : 'English'}</option>
        ))}
      </select>
    </label>
  );
}

export function Header() {
  const { t } = useTranslation();
  const { me, signedIn } = useMe();
  const [logout] = useLogoutMutation();
  const navigate = useNavigate();
  return (
    <header className="header">
      <a className="skip-link" href="#main">{t('nav.skip')}</a>
      <div className="header-inner">
        <Link to="/" className="brand" aria-label={t('nav.home')}>
          ask<span>2</span>live
        </Link>
        <nav className="header-nav" aria-label="main">
          <LanguageSwitch />
          {signedIn && me ? (
            <>
              <NavLink to="/me" className="header-me">
                <Avatar user={me} size={28} />
                <span className="hide-narrow">{me.display_name}</span>
                <span className="sr-only">{t('nav.my')}</span>
              </NavLink>
              <button type="button" className="btn btn-ghost" onClick={async () => {
                await logout().unwrap().catch(() => undefined);
                navigate('/');
              }}>{t('nav.logout')}</button>
            </>
          ) : (
            <>
              <NavLink to="/login" className="btn btn-ghost">{t('nav.login')}</NavLink>
              <NavLink to="/register" className="btn btn-primary hide-narrow">{t('nav.register')}</NavLink>
            </>
          )}
        </nav>
      </div>
    </header>
  );
}
