import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { Link, NavLink, useNavigate } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { useLogoutMutation } from '../api/api';
import { useMe } from '../hooks';
import { LANGS, setLanguage, type Lang } from '../i18n';
import { Avatar } from './ui';

const LANG_NAMES: Record<Lang, string> = { ko: '한국어', en: 'English' };

function Globe() {
  return (
    <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" fill="none" stroke="currentColor" strokeWidth="1.8">
      <circle cx="12" cy="12" r="9" />
      <path d="M3 12h18M12 3c2.5 2.6 3.8 5.6 3.8 9s-1.3 6.4-3.8 9c-2.5-2.6-3.8-5.6-3.8-9S9.5 5.6 12 3z" />
    </svg>
  );
}

/**
 * The language menu: a button naming the current language that opens a
 * menu of the two. Arrow keys move, Enter or Space chooses, Escape or a
 * click elsewhere closes, and focus returns to the button.
 */
export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  const current = (LANGS as readonly string[]).includes(i18n.language) ? (i18n.language as Lang) : 'en';
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLUListElement>(null);
  const menuId = useId();
  const items = () => Array.from(menu.current?.querySelectorAll<HTMLButtonElement>('[role=menuitemradio]') ?? []);

  useEffect(() => {
    if (!open) return;
    (items().find((b) => b.getAttribute('aria-checked') === 'true') ?? items()[0])?.focus();
    const away = (e: MouseEvent) => {
      const target = e.target as Node;
      if (!menu.current?.contains(target) && !button.current?.contains(target)) setOpen(false);
    };
    document.addEventListener('mousedown', away);
    return () => document.removeEventListener('mousedown', away);
  }, [open]);

  const close = () => {
    setOpen(false);
    button.current?.focus();
  };
  const choose = (lang: Lang) => {
    setLanguage(lang);
    close();
  };
  const onMenuKey = (e: KeyboardEvent) => {
    const list = items();
    const at = list.indexOf(document.activeElement as HTMLButtonElement);
    const move = (i: number) => list[(i + list.length) % list.length]?.focus();
    switch (e.key) {
      case 'ArrowDown': move(at + 1); break;
      case 'ArrowUp': move(at - 1); break;
      case 'Home': move(0); break;
      case 'End': move(list.length - 1); break;
      case 'Escape': close(); break;
      case 'Tab': setOpen(false); return;
      default: return;
    }
    e.preventDefault();
  };

  return (
    <div className="lang-menu">
      <button ref={button} type="button" className="btn btn-ghost btn-sm lang-button" aria-haspopup="menu" aria-expanded={open}
        aria-controls={open ? menuId : undefined} aria-label={`${t('nav.language')}: ${LANG_NAMES[current]}`}
        onClick={() => setOpen((o) => !o)}
        onKeyDown={(e) => { if (e.key === 'ArrowDown' || e.key === 'ArrowUp') { e.preventDefault(); setOpen(true); } }}>
        <Globe />
        <span className="lang-code" aria-hidden="true">{current.toUpperCase()}</span>
      </button>
      {open && (
        <ul ref={menu} id={menuId} role="menu" aria-label={t('nav.language')} className="menu" onKeyDown={onMenuKey}>
          {LANGS.map((l) => (
            <li key={l} role="none">
              <button type="button" role="menuitemradio" aria-checked={l === current} lang={l} tabIndex={-1} onClick={() => choose(l)}>
                <span className="menu-check" aria-hidden="true">{l === current ? '✓' : ''}</span>{LANG_NAMES[l]}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
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
        <Link to="/" className="brand" aria-label={`ask2live — ${t('nav.home')}`}>
          ask<span>2</span>live
        </Link>
        <nav className="header-nav" aria-label={t('nav.main')}>
          <LanguageSwitch />
          {signedIn && me ? (
            <>
              {me.admin && <NavLink to="/admin" className="btn btn-ghost btn-sm">{t('nav.admin')}</NavLink>}
              <NavLink to="/me" className="header-me" aria-label={`${t('nav.my')} (${me.display_name})`}>
                <Avatar user={me} size={30} />
                <span className="hide-narrow header-name">{me.display_name}</span>
              </NavLink>
              <button type="button" className="btn btn-ghost btn-sm" onClick={async () => {
                await logout().unwrap().catch(() => undefined);
                navigate('/');
              }}>{t('nav.logout')}</button>
            </>
          ) : (
            <>
              <NavLink to="/login" className="btn btn-ghost btn-sm">{t('nav.login')}</NavLink>
              <NavLink to="/register" className="btn btn-primary btn-sm">{t('nav.register')}</NavLink>
            </>
          )}
        </nav>
      </div>
    </header>
  );
}
