// Server-sent event streams: the main one (sessions going live, ending,
// changing, and how many are in their rooms) and one per session (its
// questions and its team too) for the pages that show a session outside its
// live room.
// Each event patches the cached data, so pages follow without polling. If a
// stream is missing (404) or keeps failing, we stop quietly and the pages
// work as before.
import { useEffect } from 'react';
import { useDispatch } from 'react-redux';
import { api, keepAuthor, recountQuestions, replaceSessionInLists } from './api/api';
import type { Question, Session, TeamMember } from './api/types';
import type { AppDispatch, RootState } from './store';

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

/** How many are in a session's live room now: written where the session is cached, nothing refetched. */
export function applyPresence(dispatch: AppDispatch, sessionId: string, count: number) {
  dispatch(api.util.updateQueryData('getSession', sessionId, (s) => { s.participant_count = count; }));
  dispatch(replaceSessionInLists({ id: sessionId, participant_count: count }));
}

/**
 * Whether the signed-in user, as cached, hosts the session or is on its team
 * (the cached one, or team): they are told who asked anonymous questions.
 */
function seesAuthors(state: RootState, sessionId: string, team = api.endpoints.team.select(sessionId)(state).data): boolean {
  const me = api.endpoints.getMe.select(undefined)(state).data?.username;
  if (!me) return false;
  if (api.endpoints.getSession.select(sessionId)(state).data?.host.username === me) return true;
  return !!team?.some((m) => m.user.username === me);
}

type Handlers = Record<string, (data: Record<string, unknown>) => void>;

/**
 * Listens to a stream while mounted: each named event's JSON goes to its
 * handler; onOpen runs whenever the stream (re)opens, since whatever
 * happened while it was not open was not sent.
 */
function useEventStream(url: string | null, handlers: (d: AppDispatch) => Handlers, onOpen: (d: AppDispatch) => void) {
  const dispatch = useDispatch<AppDispatch>();
  useEffect(() => {
    if (!url || typeof EventSource === 'undefined') return;
    let failures = 0;
    const es = new EventSource(url);
    for (const [type, handle] of Object.entries(handlers(dispatch))) {
      es.addEventListener(type, ((ev: MessageEvent) => {
        failures = 0;
        try {
          handle(JSON.parse(ev.data));
        } catch {
          /* ignore malformed */
        }
      }) as EventListener);
    }
    es.onopen = () => {
      failures = 0;
      onOpen(dispatch);
    };
    es.onerror = () => {
      // A 404 or wrong content type closes the stream for good (readyState
      // CLOSED); a flaky network makes EventSource retry, but not forever.
      failures++;
      if (es.readyState === EventSource.CLOSED || failures > 5) es.close();
    };
    return () => es.close();
    // handlers and onOpen are fixed per stream; the url names it.
  }, [url, dispatch]);
}

const sessionHandlers = (d: AppDispatch): Handlers => ({
  ...Object.fromEntries(EVENT_TYPES.map((t) => [t, (data: Record<string, unknown>) => {
    if (data.session) applySessionEvent(d, data.session as Session);
  }])),
  'session.presence': (data) => {
    if (typeof data.session_id === 'string' && typeof data.participant_count === 'number') {
      applyPresence(d, data.session_id, data.participant_count);
    }
  },
});

/** The main stream: every cached session and list follows it. */
export function useSessionEvents() {
  useEventStream('/api/v1/events', sessionHandlers, (d) => d(api.util.invalidateTags(['Feed'])));
}

/** One session's stream: its questions and its changes, for its detail page and archive. */
export function useSessionStream(sessionId: string) {
  useEventStream(sessionId ? `/api/v1/sessions/${encodeURIComponent(sessionId)}/events` : null, (d) => {
    const questions = (change: (qs: Question[]) => Question[]) => {
      d(api.util.updateQueryData('questions', sessionId, change));
      d(recountQuestions(sessionId));
    };
    const refetchQuestions = () => d(api.util.invalidateTags([{ type: 'Questions', id: sessionId }]));
    return {
      ...sessionHandlers(d),
      question: (data) => {
        const q = data.question as Question | undefined;
        if (!q) return;
        let unnamed = false;
        questions((qs) => {
          const i = qs.findIndex((x) => x.id === q.id);
          // voted_by_me differs per viewer and is never in a broadcast.
          if (i >= 0) return qs.map((x, j) => (j === i ? { ...keepAuthor(q, x), voted_by_me: x.voted_by_me } : x));
          unnamed = !!q.anonymous && !q.author?.username;
          return [...qs, { ...q, voted_by_me: false }];
        });
        // The stream is public, so a new anonymous question comes without
        // its author; the host and the team ask the server who it was.
        if (unnamed) d((_, getState) => { if (seesAuthors(getState(), sessionId)) refetchQuestions(); });
      },
      question_deleted: (data) => {
        questions((qs) => qs.filter((x) => x.id !== data.question_id));
      },
      team: (data) => {
        const team = (data.team as TeamMember[] | undefined) ?? [];
        d((dispatch, getState) => {
          const saw = seesAuthors(getState(), sessionId);
          dispatch(api.util.updateQueryData('team', sessionId, () => team));
          // Joining the team, or leaving it, changes who we are told asked
          // the anonymous questions.
          if (seesAuthors(getState(), sessionId, team) !== saw) refetchQuestions();
        });
      },
    };
  }, (d) => d(api.util.invalidateTags([{ type: 'Session', id: sessionId }, { type: 'Questions', id: sessionId }])));
}
