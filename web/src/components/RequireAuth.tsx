import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router-dom';
import { useMe } from '../hooks';
import { Loading } from './ui';

/** Sends signed-out visitors to the log-in page, remembering where they were going. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const { me, loading } = useMe();
  const loc = useLocation();
  if (loading) return <Loading />;
  if (!me) return <Navigate to="/login" replace state={{ from: loc.pathname + loc.search }} />;
  return <>{children}</>;
}

/** The remembered destination, only ever a path inside this app. */
export function destination(state: unknown): string {
  const from = (state as { from?: unknown } | null)?.from;
  return typeof from === 'string' && from.startsWith('/') && !from.startsWith('//') ? from : '/';
}
