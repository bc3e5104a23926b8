// The main page's server-sent event stream: sessions going live, ending or
// changing update the cached feed without polling. If the stream is missing
// (404) or keeps failing, we stop quietly and the page works as before.
import { useEffect } from 'react';
import { useDispatch } from 'react-redux';
import { api } from './api/api';
import type { Session } from './api/types';
import type { AppDispatch } from './store';

export const EVENT_TYPES = ['session.live', 'session.ended', 'session.updated'] as const;

export function applySessionEvent(dispatch: AppDispatch, session: Session) {
  dispatch(api.util.updateQueryData('getSession', session.id, (s) => ({
    ...s,
    ...session,
    // Per-viewer fields are not in a broadcast; keep ours.
    wished_by_me: s.wished_by_me,
  })));
  dispatch(api.util.invalidateTags(['Feed', 'MySessions']));
}

export function useSessionEvents() {
  const dispatch = useDispatch<AppDispatch>();
  useEffect(() => {
    if (typeof EventSource === 'undefined') return;
    let failures = 0;
    const es = new EventSource('/api/v1/events');
    const onEvent = (ev: MessageEvent) => {
      failures = 0;
      try {
        const data = JSON.parse(ev.data) as { session?: Session };
        if (data.session) applySessionEvent(dispatch, data.session);
      } catch {
        /* ignore malformed */
      }
    };
    for (const t of EVENT_TYPES) es.addEventListener(t, onEvent as EventListener);
    es.onmessage = onEvent;
    es.onopen = () => {
      failures = 0;
      // Whatever happened before the stream was open — between the page's
      // own fetch of the feed and this open, or while it was reconnecting —
      // was not sent to us: fetch the feed again.
      dispatch(api.util.invalidateTags(['Feed']));
    };
    es.onerror = () => {
      // A 404 or wrong content type closes the stream for good (readyState
      // CLOSED); a flaky network makes EventSource retry, but not forever.
      failures++;
      if (es.readyState === EventSource.CLOSED || failures > 5) es.close();
    };
    return () => es.close();
  }, [dispatch]);
}
