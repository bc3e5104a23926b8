import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import { en, ko } from './locales';

export const LANG_KEY = 'ask2live.lang';
export const LANGS = ['ko', 'en'] as const;
export type Lang = (typeof LANGS)[number];

/** Saved choice first, then the browser's languages, then Korean. */
export function detectLanguage(): Lang {
  try {
    const saved = localStorage.getItem(LANG_KEY);
    if (saved === 'ko' || saved === 'en') return saved;
  } catch {
    /* storage blocked */
  }
  const prefs = typeof navigator !== 'undefined' ? (navigator.languages ?? [navigator.language]) : [];
  for (const p of prefs) {
    const base = (p ?? '').toLowerCase().split('-')[0];
    if (base === 'ko' || base === 'en') return base;
  }
  return 'ko';
}

export function setLanguage(lang: Lang) {
  try {
    localStorage.setItem(LANG_KEY, lang);
  } catch {
    /* storage blocked */
  }
  void i18n.changeLanguage(lang);
}

i18n.on('languageChanged', (lng) => {
  if (typeof document !== 'undefined') document.documentElement.lang = lng;
});

void i18n.use(initReactI18next).init({
  resources: { ko: { translation: ko }, en: { translation: en } },
  lng: detectLanguage(),
  fallbackLng: 'en',
  interpolation: { escapeValue: false },
});

export default i18n;
