import { createApi } from '@reduxjs/toolkit/query/react';
import { baseQuery } from './http';
import type {
  AdminUser, AuditEntry, CalendarFeedState, Feed, NewCalendarFeed, Me, MySessions, Page, ProfileInput, PublicProfile, Question, QuestionState, Session, SessionInput,
  TeamMember, TeamRole, User,
} from './types';

type AuthResult = { user: User; token: string };

/** The server's answer about a team; the list is absent when nobody is on it. */
type TeamResponse = { team?: TeamMember[] | null };
const teamOf = (r: TeamResponse) => r.team ?? [];

/** The largest page of questions the server gives. */
const QUESTION_PAGE = 500;

/**
 * baseQuery, and when the server says a credential is no longer good (it
 * expired, was revoked, or the account was suspended), asks /me again, so
 * every page shows at once that the user is signed out.
 */
const signOutOn401: typeof baseQuery = async (args, bq, extra) => {
  const r = await baseQuery(args, bq, extra);
  const url = typeof args === 'string' ? args : args.url;
  if (r.error?.status === 401 && url !== '/me' && !url.startsWith('/auth/')) {
    bq.dispatch(api.util.invalidateTags(['Me']));
  }
  return r;
};

export const api = createApi({
  reducerPath: 'api',
  baseQuery: signOutOn401,
  tagTypes: ['Me', 'Feed', 'MySessions', 'Session', 'Questions', 'User', 'Admin', 'CalendarFeed', 'Team'],
  endpoints: (b) => ({
    getMe: b.query<Me, void>({ query: () => '/me', providesTags: ['Me'] }),
    register: b.mutation<AuthResult, { username: string; password: string; display_name: string }>({
      query: (body) => ({ url: '/auth/register', method: 'POST', body }),
      async onQueryStarted(_, { dispatch, queryFulfilled }) {
        const { data } = await queryFulfilled.catch(() => ({ data: null }));
        if (data) signedIn(dispatch, data.user);
      },
    }),
    login: b.mutation<AuthResult, { username: string; password: string }>({
      query: (body) => ({ url: '/auth/login', method: 'POST', body }),
      async onQueryStarted(_, { dispatch, queryFulfilled }) {
        const { data } = await queryFulfilled.catch(() => ({ data: null }));
        if (data) signedIn(dispatch, data.user);
      },
    }),
    logout: b.mutation<void, void>({
      query: () => ({ url: '/auth/logout', method: 'POST' }),
      async onQueryStarted(_, { dispatch, queryFulfilled }) {
        await queryFulfilled.catch(() => undefined);
        dispatch(api.util.resetApiState());
      },
    }),
    updateMe: b.mutation<Me, ProfileInput>({
      query: (body) => ({ url: '/me', method: 'PATCH', body }),
      async onQueryStarted(_, { dispatch, queryFulfilled }) {
        const { data } = await queryFulfilled.catch(() => ({ data: null }));
        if (data) dispatch(api.util.upsertQueryData('getMe', undefined, data));
      },
      invalidatesTags: ['User'],
    }),
    uploadAvatar: b.mutation<{ avatar_url: string }, File>({
      query: (file) => {
        const form = new FormData();
        form.append('file', file);
        return { url: '/me/avatar', method: 'PUT', body: form };
      },
      invalidatesTags: ['Me', 'User'],
    }),
    getUser: b.query<PublicProfile, string>({
      query: (username) => `/users/${encodeURIComponent(username)}`,
      providesTags: (_r, _e, u) => [{ type: 'User', id: u }],
    }),
    calendarFeed: b.query<CalendarFeedState, void>({ query: () => '/me/calendar-feed', providesTags: ['CalendarFeed'] }),
    createCalendarFeed: b.mutation<NewCalendarFeed, void>({
      query: () => ({ url: '/me/calendar-feed', method: 'POST' }),
      invalidatesTags: ['CalendarFeed'],
    }),
    revokeCalendarFeed: b.mutation<void, void>({
      query: () => ({ url: '/me/calendar-feed', method: 'DELETE' }),
      invalidatesTags: ['CalendarFeed'],
    }),
    mySessions: b.query<MySessions, void>({ query: () => '/me/sessions', providesTags: ['MySessions'] }),
    feed: b.query<Feed, void>({ query: () => '/feed', providesTags: ['Feed'] }),
    listSessions: b.query<Page<Session>, { state?: string; host?: string; q?: string; cursor?: string; limit?: number }>({
      query: (params) => ({ url: '/sessions', params }),
      providesTags: ['Feed'],
    }),
    getSession: b.query<Session, string>({
      query: (id) => `/sessions/${id}`,
      providesTags: (_r, _e, id) => [{ type: 'Session', id }],
    }),
    createSession: b.mutation<Session, SessionInput>({
      query: (body) => ({ url: '/sessions', method: 'POST', body }),
      invalidatesTags: ['Feed', 'MySessions', 'User'],
    }),
    updateSession: b.mutation<Session, { id: string } & Partial<SessionInput>>({
      query: ({ id, ...body }) => ({ url: `/sessions/${id}`, method: 'PATCH', body }),
      async onQueryStarted(_, { dispatch, queryFulfilled }) {
        const { data } = await queryFulfilled.catch(() => ({ data: null }));
        if (data) dispatch(api.util.upsertQueryData('getSession', data.id, data));
      },
      invalidatesTags: ['Feed', 'MySessions', 'User'],
    }),
    deleteSession: b.mutation<void, string>({
      query: (id) => ({ url: `/sessions/${id}`, method: 'DELETE' }),
      invalidatesTags: (_r, _e, id) => [{ type: 'Session', id }, 'Feed', 'MySessions', 'User'],
    }),
    wish: b.mutation<Session, { id: string; wished: boolean }>({
      query: ({ id, wished }) => ({ url: `/sessions/${id}/wish`, method: wished ? 'PUT' : 'DELETE' }),
      // Optimistic: the button and the progress move at once; the server's
      // answer (exact count) replaces the guess, a failure rolls it back.
      async onQueryStarted({ id, wished }, { dispatch, queryFulfilled }) {
        const patch = dispatch(
          api.util.updateQueryData('getSession', id, (s) => {
            if (s.wished_by_me !== wished) {
              s.wished_by_me = wished;
              s.wish_count += wished ? 1 : -1;
            }
          }),
        );
        try {
          const { data } = await queryFulfilled;
          dispatch(api.util.upsertQueryData('getSession', id, data));
          dispatch(replaceSessionInLists(data));
        } catch {
          patch.undo();
        }
      },
      invalidatesTags: ['MySessions'],
    }),
    sessionAction: b.mutation<Session, { id: string; action: 'confirm' | 'start' | 'end' }>({
      query: ({ id, action }) => ({ url: `/sessions/${id}/${action}`, method: 'POST' }),
      async onQueryStarted(_, { dispatch, queryFulfilled }) {
        const { data } = await queryFulfilled.catch(() => ({ data: null }));
        if (data) dispatch(api.util.upsertQueryData('getSession', data.id, data));
      },
      invalidatesTags: ['Feed', 'MySessions', 'User'],
    }),
    team: b.query<TeamMember[], string>({
      query: (id) => `/sessions/${id}/team`,
      transformResponse: teamOf,
      providesTags: (_r, _e, id) => [{ type: 'Team', id }],
    }),
    /** Appoints someone to a session's team with a role, or (role null) takes them off it. */
    setTeamRole: b.mutation<TeamMember[], { sessionId: string; username: string; role: TeamRole | null }>({
      query: ({ sessionId, username, role }) => ({
        url: `/sessions/${sessionId}/team/${encodeURIComponent(username)}`,
        method: role ? 'PUT' : 'DELETE',
        body: role ? { role } : undefined,
      }),
      transformResponse: teamOf,
      async onQueryStarted({ sessionId }, { dispatch, queryFulfilled }) {
        const { data } = await queryFulfilled.catch(() => ({ data: null }));
        if (data) dispatch(api.util.upsertQueryData('team', sessionId, data));
      },
    }),
    questions: b.query<Question[], string>({
      // The server lists the queue a page at a time; the pages together are
      // the queue.
      async queryFn(id, _api, _extra, fetchPage) {
        const items: Question[] = [];
        let cursor = '';
        for (;;) {
          const params: Record<string, string> = { limit: String(QUESTION_PAGE) };
          if (cursor) params.cursor = cursor;
          const r = await fetchPage({ url: `/sessions/${id}/questions`, params });
          if (r.error) return { error: r.error };
          const page = r.data as Page<Question>;
          items.push(...page.items);
          if (!page.next_cursor) return { data: items };
          cursor = page.next_cursor;
        }
      },
      providesTags: (_r, _e, id) => [{ type: 'Questions', id }],
    }),
    ask: b.mutation<Question, { sessionId: string; text: string; kind?: 'text' | 'voice'; anonymous?: boolean }>({
      query: ({ sessionId, text, kind = 'text', anonymous }) => ({
        url: `/sessions/${sessionId}/questions`, method: 'POST', body: anonymous ? { text, kind, anonymous } : { text, kind },
      }),
      async onQueryStarted({ sessionId }, { dispatch, queryFulfilled }) {
        const { data } = await queryFulfilled.catch(() => ({ data: null }));
        if (!data) return;
        dispatch(api.util.updateQueryData('questions', sessionId, (qs) => {
          const had = qs.find((q) => q.id === data.id);
          if (!had) qs.push(data);
          // The session's stream may have brought it first, without its
          // author if it is anonymous: this answer names the author to them.
          else if (!had.author.username) had.author = data.author;
        }));
        dispatch(recountQuestions(sessionId));
      },
    }),
    editQuestion: b.mutation<Question, { id: string; sessionId: string; text?: string; state?: QuestionState }>({
      query: ({ id, text, state }) => ({ url: `/questions/${id}`, method: 'PATCH', body: text !== undefined ? { text } : { state } }),
      async onQueryStarted({ sessionId }, { dispatch, queryFulfilled }) {
        const { data } = await queryFulfilled.catch(() => ({ data: null }));
        if (data) dispatch(replaceQuestion(sessionId, data));
      },
    }),
    deleteQuestion: b.mutation<void, { id: string; sessionId: string }>({
      query: ({ id }) => ({ url: `/questions/${id}`, method: 'DELETE' }),
      async onQueryStarted({ id, sessionId }, { dispatch, queryFulfilled }) {
        if (!await queryFulfilled.then(() => true, () => false)) return;
        dispatch(api.util.updateQueryData('questions', sessionId, (qs) => qs.filter((q) => q.id !== id)));
        dispatch(recountQuestions(sessionId));
      },
    }),
    vote: b.mutation<Question, { id: string; sessionId: string; voted: boolean }>({
      query: ({ id, voted }) => ({ url: `/questions/${id}/vote`, method: voted ? 'PUT' : 'DELETE' }),
      async onQueryStarted({ id, sessionId, voted }, { dispatch, queryFulfilled }) {
        const patch = dispatch(api.util.updateQueryData('questions', sessionId, (qs) => {
          const q = qs.find((x) => x.id === id);
          if (q && q.voted_by_me !== voted) {
            q.voted_by_me = voted;
            q.votes += voted ? 1 : -1;
          }
        }));
        try {
          const { data } = await queryFulfilled;
          dispatch(replaceQuestion(sessionId, data));
        } catch {
          patch.undo();
        }
      },
    }),
    adminUsers: b.query<Page<AdminUser>, { q?: string; cursor?: string }>({
      query: (params) => ({ url: '/admin/users', params }),
      providesTags: ['Admin'],
    }),
    adminUserAction: b.mutation<AdminUser, { username: string; action: 'suspend' | 'unsuspend' | 'delete' }>({
      query: ({ username, action }) => action === 'delete'
        ? { url: `/admin/users/${encodeURIComponent(username)}`, method: 'DELETE' }
        : { url: `/admin/users/${encodeURIComponent(username)}/${action}`, method: 'POST' },
      invalidatesTags: ['Admin', 'User', 'Feed', 'Session', 'Questions'],
    }),
    adminSessionAction: b.mutation<Session, { id: string; action: 'end' | 'remove' }>({
      query: ({ id, action }) => ({ url: `/admin/sessions/${id}/${action}`, method: 'POST' }),
      async onQueryStarted(_, { dispatch, queryFulfilled }) {
        const { data } = await queryFulfilled.catch(() => ({ data: null }));
        if (data) dispatch(api.util.upsertQueryData('getSession', data.id, data));
      },
      invalidatesTags: ['Admin', 'Feed', 'MySessions', 'User'],
    }),
    auditLog: b.query<Page<AuditEntry>, { cursor?: string }>({
      query: (params) => ({ url: '/admin/audit', params }),
      providesTags: ['Admin'],
    }),
  }),
});

function signedIn(dispatch: (a: unknown) => unknown, user: User) {
  // Everything fetched while signed out (wished_by_me, voted_by_me, the feed)
  // depends on who is asking, so drop it and keep only the new identity.
  dispatch(api.util.resetApiState());
  const stored = dispatch(api.util.upsertQueryData('getMe', undefined, user)) as Promise<unknown>;
  // Only /me says whether the user is a site admin: ask it, once the
  // answer above is stored (a request under way would be reused).
  void Promise.resolve(stored).then(() => dispatch(api.endpoints.getMe.initiate(undefined, { subscribe: false, forceRefetch: true })));
}

/**
 * A changed question, keeping the author we were told: an anonymous
 * question comes to the audience (and in the session's public stream)
 * without its author, and one who knows who asked (its author, the host, the
 * team) goes on knowing.
 */
export function keepAuthor(next: Question, had: Question | undefined): Question {
  return had?.author?.username && next.anonymous && !next.author?.username ? { ...next, author: had.author } : next;
}

function replaceQuestion(sessionId: string, q: Question) {
  return api.util.updateQueryData('questions', sessionId, (qs) => {
    const i = qs.findIndex((x) => x.id === q.id);
    if (i >= 0) qs[i] = keepAuthor(q, qs[i]);
    else qs.push(q);
  });
}

/** Sets the cached session's question count from its cached question list (the whole queue). */
export function recountQuestions(sessionId: string) {
  return (dispatch: (a: unknown) => unknown, getState: () => unknown) => {
    const qs = api.endpoints.questions.select(sessionId)(getState() as never).data;
    if (qs) dispatch(api.util.updateQueryData('getSession', sessionId, (s) => { s.question_count = qs.length; }));
  };
}

/** Writes a changed session (or some of its fields) into the cached feed wherever it appears. */
export function replaceSessionInLists(s: Partial<Session> & Pick<Session, 'id'>) {
  return api.util.updateQueryData('feed', undefined, (feed) => {
    for (const key of ['wished_live', 'live', 'upcoming', 'recruiting'] as const) {
      const i = feed[key].findIndex((x) => x.id === s.id);
      if (i >= 0) feed[key][i] = { ...feed[key][i], ...s };
    }
  });
}

export const {
  useAdminUsersQuery, useAdminUserActionMutation, useAdminSessionActionMutation, useAuditLogQuery,
  useGetMeQuery, useRegisterMutation, useLoginMutation, useLogoutMutation, useUpdateMeMutation,
  useUploadAvatarMutation, useGetUserQuery, useMySessionsQuery, useFeedQuery, useListSessionsQuery,
  useGetSessionQuery, useCreateSessionMutation, useUpdateSessionMutation, useDeleteSessionMutation,
  useWishMutation, useSessionActionMutation, useQuestionsQuery, useAskMutation, useEditQuestionMutation,
  useDeleteQuestionMutation, useVoteMutation, useCalendarFeedQuery, useCreateCalendarFeedMutation, useRevokeCalendarFeedMutation,
  useTeamQuery, useSetTeamRoleMutation,
} = api;

/** Where a session's calendar file is downloaded from. */
export function sessionCalendarURL(id: string): string {
  return `/api/v1/sessions/${encodeURIComponent(id)}/calendar.ics`;
}
