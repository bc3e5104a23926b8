import type { BaseQueryFn, FetchArgs, FetchBaseQueryError } from '@reduxjs/toolkit/query';
import { fetchBaseQuery } from '@reduxjs/toolkit/query/react';
import type { Problem } from './types';

export const CSRF_COOKIE = 'ask2live_csrf';

export function readCookie(name: string): string | null {
  if (typeof document === 'undefined') return null;
  for (const part of document.cookie.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return null;
}

function origin(): string {
  return typeof window !== 'undefined' && window.location?.origin && window.location.origin !== 'null'
    ? window.location.origin
    : 'http://localhost';
}

/** Turns whatever fetchBaseQuery reports into a Problem the UI can show. */
export function toProblem(err: FetchBaseQueryError): Problem {
  if (typeof err.status === 'number') {
    const data = (err.data && typeof err.data === 'object' ? err.data : {}) as Partial<Problem>;
    return {
      status: err.status,
      code: data.code ?? (err.status === 401 ? 'unauthenticated' : err.status >= 500 ? 'internal' : 'invalid_input'),
      title: data.title,
      detail: data.detail ?? data.title,
      errors: data.errors,
    };
  }
  if (err.status === 'PARSING_ERROR') {
    return { status: err.originalStatus, code: err.originalStatus >= 500 ? 'unavailable' : 'internal' };
  }
  return { status: 0, code: 'unavailable' };
}

const raw = fetchBaseQuery({
  baseUrl: `${origin()}/api/v1`,
  credentials: 'same-origin',
});

const unsafe = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** fetchBaseQuery plus the double-submit CSRF header and problem+json errors. */
export const baseQuery: BaseQueryFn<string | FetchArgs, unknown, Problem> = async (args, api, extra) => {
  const a: FetchArgs = typeof args === 'string' ? { url: args } : { ...args };
  const method = (a.method ?? 'GET').toUpperCase();
  if (unsafe.has(method)) {
    const token = readCookie(CSRF_COOKIE);
    const headers = new Headers(a.headers as HeadersInit | undefined);
    if (token) headers.set('X-CSRF-Token', token);
    a.headers = headers;
  }
  const r = await raw(a, api, extra);
  if (r.error) return { error: toProblem(r.error), meta: r.meta };
  return { data: r.data, meta: r.meta };
};

export function isProblem(x: unknown): x is Problem {
  return !!x && typeof x === 'object' && 'code' in x && 'status' in x;
}
