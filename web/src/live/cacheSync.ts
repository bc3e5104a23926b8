// The live room and the REST cache tell of the same session. What happens in
// the room (questions asked and answered, the session ending, people coming)
// is written into the cached session, question list and team as it arrives, so a
// page shown after the room — the archive the host lands on after ending it,
// the session page — shows what happened instead of what was fetched before.
import { createListenerMiddleware, isAnyOf } from '@reduxjs/toolkit';
import { api } from '../api/api';
import type { Question } from '../api/types';
import { live, type LiveState } from './liveSlice';
import type { LiveSession } from './protocol';

type WithLive = { live: LiveState };

export const roomCacheSync = createListenerMiddleware();

function patchSession(id: string, s: Partial<LiveSession> & { question_count?: number; participant_count?: number }) {
  return api.util.updateQueryData('getSession', id, (cached) => {
    if (s.state !== undefined) cached.state = s.state as typeof cached.state;
    if (s.title !== undefined) cached.title = s.title;
    if (s.started_at !== undefined) cached.started_at = s.started_at;
    if (s.ended_at !== undefined) cached.ended_at = s.ended_at;
    if (s.question_count !== undefined) cached.question_count = s.question_count;
    if (s.participant_count !== undefined) cached.participant_count = s.participant_count;
  });
}

function sessionFields(s: LiveSession) {
  return { state: s.state, title: s.title, started_at: s.started_at, ended_at: s.ended_at };
}

roomCacheSync.startListening({
  matcher: isAnyOf(live.snapshotReceived, live.eventReceived, live.voteAcked),
  effect: (action, listener) => {
    const before = (listener.getOriginalState() as WithLive).live;
    const room = (listener.getState() as WithLive).live;
    const id = room.sessionId ?? room.session?.id;
    if (!id) return;
    // The listener is not typed with the store (which includes it); its dispatch takes thunks.
    const d = listener.dispatch as (a: unknown) => unknown;
    const questionCount = Object.keys(room.questions).length;
    if (live.snapshotReceived.match(action)) {
      const qs: Question[] = Object.values(room.questions);
      d(api.util.updateQueryData('questions', id, () => qs));
      d(patchSession(id, { ...sessionFields(action.payload.session), question_count: questionCount, participant_count: room.participantCount }));
      d(api.util.updateQueryData('team', id, () => room.team));
      return;
    }
    if (live.voteAcked.match(action)) {
      const { questionId, voted } = action.payload;
      d(api.util.updateQueryData('questions', id, (qs) => {
        const q = qs.find((x) => x.id === questionId);
        if (q) q.voted_by_me = voted;
      }));
      return;
    }
    // An event the room did not apply (a duplicate, or past a gap) changes nothing.
    if (!live.eventReceived.match(action) || room.seq === before.seq) return;
    const e = action.payload;
    switch (e.type) {
      case 'question': {
        const q = room.questions[e.question.id];
        d(api.util.updateQueryData('questions', id, (qs) => {
          const i = qs.findIndex((x) => x.id === q.id);
          if (i >= 0) qs[i] = q;
          else qs.push(q);
        }));
        d(patchSession(id, { question_count: questionCount }));
        break;
      }
      case 'question_deleted':
        d(api.util.updateQueryData('questions', id, (qs) => qs.filter((x) => x.id !== e.question_id)));
        d(patchSession(id, { question_count: questionCount }));
        break;
      case 'presence':
        d(patchSession(id, { participant_count: e.presence.count }));
        break;
      case 'team':
        d(api.util.updateQueryData('team', id, () => room.team));
        break;
      case 'session':
        d(patchSession(id, sessionFields(e.session)));
        if (e.session.state === 'ended' || e.session.state === 'cancelled') {
          // Lists that hold it (the main page, My page, the host's profile) are out of date.
          d(api.util.invalidateTags(['Feed', 'MySessions', 'User']));
        }
        break;
    }
  },
});
