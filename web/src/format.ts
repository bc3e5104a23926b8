import i18n from './i18n';

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return new Intl.DateTimeFormat(i18n.language === 'ko' ? 'ko-KR' : 'en', {
    dateStyle: 'medium',
    timeStyle: 'short',
  }).format(d);
}

/** When something ran: its start and end, with the end's date left out when it is the same day. */
export function formatRange(start: string | null | undefined, end: string | null | undefined): string {
  if (!start) return '';
  const a = new Date(start);
  const b = end ? new Date(end) : null;
  if (Number.isNaN(a.getTime())) return '';
  const f = new Intl.DateTimeFormat(i18n.language === 'ko' ? 'ko-KR' : 'en', { dateStyle: 'medium', timeStyle: 'short' });
  if (!b || Number.isNaN(b.getTime()) || b < a) return f.format(a);
  return f.formatRange(a, b);
}

/** Value for <input type="datetime-local"> in local time. */
export function toLocalInput(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function fromLocalInput(v: string): string | null {
  if (!v) return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
