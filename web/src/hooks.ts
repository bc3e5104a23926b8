import { useEffect } from 'react';
import { useDispatch, useSelector } from 'react-redux';
import { useGetMeQuery } from './api/api';
import type { AppDispatch, RootState } from './store';

export const useAppDispatch = useDispatch.withTypes<AppDispatch>();
export const useAppSelector = useSelector.withTypes<RootState>();

/** Who is signed in: `me` is undefined while loading or when signed out. */
export function useMe() {
  const q = useGetMeQuery();
  const signedOut = !!q.error && (q.error as { status?: number }).status === 401;
  return { me: q.data, loading: q.isLoading, signedOut, signedIn: !!q.data };
}

/** Names the browser tab after the page, so history and screen readers say where we are. */
export function useTitle(title: string | undefined) {
  useEffect(() => {
    document.title = title ? `${title} · ask2live` : 'ask2live';
  }, [title]);
}
