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
  // A refetch that is refused keeps the last answer's data: it no longer
  // says who is signed in.
  const me = signedOut ? undefined : q.data;
  return { me, loading: q.isLoading, signedOut, signedIn: !!me };
}

/** Names the browser tab after the page, so history and screen readers say where we are. */
export function useTitle(title: string | undefined) {
  useEffect(() => {
    document.title = title ? `${title} · ask2live` : 'ask2live';
  }, [title]);
}
