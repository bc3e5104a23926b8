import { describe, expect, it } from 'vitest';
import {
  initialLiveState, live, liveReducer, roleIn, selectAnswered, selectCanModerate, selectCanRunStage, selectCurrent, selectHandRaised,
  selectOnAir, selectPublishing, selectQueue, selectRole, type LiveState,
} from './liveSlice';
import type { TeamMember } from '../api/types';
import type { RoomEvent } from './protocol';
import { host, q, snapshot } from '../test/fixtures';

const run = (s: LiveState, ...events: RoomEvent[]) => events.reduce((st, e) => liveReducer(st, live.eventReceived(e)), s);

describe('live room reducer', () => {
  it('loads a snapshot and remembers my votes', () => {
    const s = liveReducer(initialLiveState, live.snapshotReceived(snapshot()));
    expect(s.seq).toBe(10);
    expect(s.epoch).toBe('e1');
    expect(s.status).toBe('open');
    expect(s.myVotes).toEqual({ a: true });
    expect(s.participantCount).toBe(3);
  });

  it('applies events in sequence and keeps my vote across question events', () => {
    let s = liveReducer(initialLiveState, live.snapshotReceived(snapshot()));
    s = run(s,
      { type: 'question', seq: 11, question: q('a', { phase: 'pre', votes: 2 }) },
      { type: 'question', seq: 12, question: q('bb') },
      { type: 'chat', seq: 13, chat: { id: 'c1', session_id: 's1', sender: host, text: 'hi', created_at: '' } },
      { type: 'presence', seq: 14, presence: { count: 4, joined: [], left: [] } },
    );
    expect(s.seq).toBe(14);
    expect(s.questions.a).toMatchObject({ votes: 2, voted_by_me: true });
    expect(Object.keys(s.questions)).toHaveLength(2);
    expect(s.chat).toHaveLength(1);
    expect(s.participantCount).toBe(4);
    expect(s.gap).toBe(false);
  });

  it("keeps the host's list of removed people from the snapshot and removal events", () => {
    const guest = { username: 'g9', display_name: 'G9', avatar_url: '' };
    let s = liveReducer(initialLiveState, live.snapshotReceived(snapshot({ removed: [guest] })));
    expect(s.removed).toEqual([guest]);
    const other = { username: 'g8', display_name: 'G8', avatar_url: '' };
    s = run(s,
      { type: 'removal', seq: 11, removal: { user: other, removed: true } },
      { type: 'removal', seq: 12, removal: { user: guest, removed: false } },
    );
    expect(s.removed).toEqual([other]);
    expect(s.seq).toBe(12);
  });

  it("keeps the stage's time limits, the server's clock, and when my own time ran out", () => {
    const serverTime = new Date(Date.now() + 5000).toISOString();
    let s = liveReducer(initialLiveState, live.snapshotReceived(snapshot({ server_time: serverTime })));
    expect(Math.abs(s.clockOffset - 5000)).toBeLessThan(1000);
    const me = s.you!.username;
    const until = new Date(Date.now() + 60000).toISOString();
    s = run(s, { type: 'on_air', seq: 11, on_air: { speakers: ['host', me], muted: [], change: 'granted', username: me, until: { [me]: until } } });
    expect(s.onAir.until).toEqual({ [me]: until });
    expect(s.timeUpAt).toBeNull();
    s = run(s, { type: 'on_air', seq: 12, on_air: { speakers: ['host'], muted: [], change: 'time_up', username: me } });
    expect(s.onAir.until).toBeUndefined();
    expect(s.timeUpAt).not.toBeNull();
  });

  it('drops duplicates', () => {
    let s = liveReducer(initialLiveState, live.snapshotReceived(snapshot()));
    s = run(s, { type: 'chat', seq: 11, chat: { id: 'c1', session_id: 's1', sender: host, text: 'hi', created_at: '' } });
    const again = run(s,
      { type: 'chat', seq: 11, chat: { id: 'c1', session_id: 's1', sender: host, text: 'hi', created_at: '' } },
      { type: 'question_deleted', seq: 9, question_id: 'a' },
    );
    expect(again).toBe(s);
    expect(again.questions.a).toBeDefined();
  });

  it('detects a gap and stops applying until a fresh snapshot', () => {
    let s = liveReducer(initialLiveState, live.snapshotReceived(snapshot()));
    s = run(s, { type: 'question', seq: 12, question: q('bb') });
    expect(s.gap).toBe(true);
    expect(s.seq).toBe(10);
    expect(s.questions.bb).toBeUndefined();
    s = run(s, { type: 'question', seq: 11, question: q('cc') });
    expect(s.questions.cc).toBeUndefined();
    s = liveReducer(s, live.snapshotReceived(snapshot({ seq: 12, questions: [q('bb')] })));
    expect(s.gap).toBe(false);
    expect(s.questions.bb).toBeDefined();
  });

  it('treats a resume from another epoch, or one that skips events, as a gap', () => {
    const s = liveReducer(initialLiveState, live.snapshotReceived(snapshot()));
    expect(liveReducer(s, live.resumeReceived({ type: 'resume', from: 11, seq: 12, epoch: 'e1' })).gap).toBe(false);
    expect(liveReducer(s, live.resumeReceived({ type: 'resume', from: 11, seq: 12, epoch: 'e2' })).gap).toBe(true);
    expect(liveReducer(s, live.resumeReceived({ type: 'resume', from: 13, seq: 14, epoch: 'e1' })).gap).toBe(true);
  });

  it('derives the current question, the queue order and the answered list', () => {
    let s = liveReducer(initialLiveState, live.snapshotReceived(snapshot({
      questions: [
        q('live-many', { votes: 5 }),
        q('pre-few', { phase: 'pre', votes: 0 }),
        q('live-few', { votes: 1 }),
        q('now', { state: 'answering' }),
        q('done2', { state: 'answered', answered_at: '2026-11-25T03:20:00Z' }),
        q('done1', { state: 'answered', answered_at: '2026-11-25T03:10:00Z' }),
      ],
    })));
    expect(selectCurrent(s)?.id).toBe('now');
    expect(selectQueue(s).map((x) => x.id)).toEqual(['pre-few', 'live-many', 'live-few']);
    expect(selectAnswered(s).map((x) => x.id)).toEqual(['done1', 'done2']);
    s = run(s, { type: 'question', seq: 11, question: q('now', { state: 'answered', answered_at: '2026-11-25T03:30:00Z' }) });
    expect(selectCurrent(s)).toBeNull();
    expect(selectAnswered(s).map((x) => x.id)).toEqual(['done1', 'done2', 'now']);
    // Pinned questions lead, the earliest pinned first; unpinning puts one back.
    s = run(s,
      { type: 'question', seq: 12, question: q('live-few', { votes: 1, pinned_at: '2026-11-25T03:40:00Z' }) },
      { type: 'question', seq: 13, question: q('live-many', { votes: 5, pinned_at: '2026-11-25T03:41:00Z' }) },
    );
    expect(selectQueue(s).map((x) => x.id)).toEqual(['live-few', 'live-many', 'pre-few']);
    s = run(s, { type: 'question', seq: 14, question: q('live-few', { votes: 1, pinned_at: null }) });
    expect(selectQueue(s).map((x) => x.id)).toEqual(['live-many', 'pre-few', 'live-few']);
  });

  it('tracks the stage, speaking and my raised hand', () => {
    let s = liveReducer(initialLiveState, live.snapshotReceived(snapshot()));
    s = run(s, { type: 'question', seq: 11, question: q('v', { kind: 'voice' }) });
    expect(selectHandRaised(s)).toBe(true);
    expect(selectOnAir(s)).toBe(false);
    s = run(s, { type: 'on_air', seq: 12, on_air: { speakers: ['host', 'g1'], muted: [], change: 'granted', username: 'g1' } });
    expect(selectOnAir(s)).toBe(true);
    s = liveReducer(s, live.speakingChanged({ username: 'g1', speaking: true }));
    expect(s.speaking.g1).toBe(true);
    s = run(s, { type: 'on_air', seq: 13, on_air: { speakers: ['host'], muted: [], change: 'revoked', username: 'g1' } });
    expect(selectOnAir(s)).toBe(false);
    expect(s.speaking.g1).toBeUndefined();
  });

  it('marks the room ended when the session event says so', () => {
    let s = liveReducer(initialLiveState, live.snapshotReceived(snapshot()));
    s = run(s, { type: 'session', seq: 11, session: { ...s.session!, state: 'ended' } });
    expect(s.closeReason).toBe('ended');
  });

  it('keeps the microphone open only while on air in an open room', () => {
    let s = liveReducer(initialLiveState, live.snapshotReceived(snapshot()));
    expect(selectPublishing(s)).toBe(false);
    s = run(s, { type: 'on_air', seq: 11, on_air: { speakers: ['host', 'g1'], muted: [], change: 'granted', username: 'g1' } });
    expect(selectPublishing(s)).toBe(true);
    s = liveReducer(s, live.statusChanged({ status: 'reconnecting' }));
    expect(selectPublishing(s)).toBe(true);
    s = run(s, { type: 'session', seq: 12, session: { ...s.session!, state: 'ended' } });
    s = liveReducer(s, live.statusChanged({ status: 'closed', reason: 'ended' }));
    expect(selectOnAir(s)).toBe(true);
    expect(selectPublishing(s)).toBe(false);
  });

  it('keeps the host participant list up to date from presence', () => {
    let s = liveReducer(initialLiveState, live.snapshotReceived(snapshot({ you: { username: 'host', host: true }, participants: [host, { username: 'g1', display_name: 'G1' }] })));
    s = run(s, { type: 'presence', seq: 11, presence: { count: 2, joined: [{ username: 'g2', display_name: 'G2' }], left: ['g1'] } });
    expect(s.participants?.map((p) => p.username)).toEqual(['host', 'g2']);
    // Someone who came and went within one batch is only in left.
    s = run(s, { type: 'presence', seq: 12, presence: { count: 2, joined: [], left: ['g3'] } });
    expect(s.participants?.map((p) => p.username)).toEqual(['host', 'g2']);
  });

  describe('the team', () => {
    const member = (username: string, role: TeamMember['role']): TeamMember => ({
      user: { username, display_name: username.toUpperCase(), avatar_url: '' }, role, added_at: '2026-11-25T03:00:00Z',
    });
    const allowed = (s: LiveState) => [selectRole(s), selectCanModerate(s), selectCanRunStage(s)];

    it('reads our role and the team from the snapshot', () => {
      let s = liveReducer(initialLiveState, live.snapshotReceived(snapshot()));
      expect(s.team).toEqual([]);
      expect(allowed(s)).toEqual([null, false, false]);
      s = liveReducer(initialLiveState, live.snapshotReceived(snapshot({ you: { username: 'host', host: true, role: 'host' } })));
      expect(allowed(s)).toEqual(['host', true, true]);
      const team = [member('g1', 'moderator'), member('g2', 'cohost')];
      s = liveReducer(initialLiveState, live.snapshotReceived(snapshot({ team, you: { username: 'g1', host: false, role: 'moderator' } })));
      expect(s.team).toEqual(team);
      expect(allowed(s)).toEqual(['moderator', true, false]);
      expect([roleIn(s, 'host'), roleIn(s, 'g1'), roleIn(s, 'g2'), roleIn(s, 'g3')]).toEqual(['host', 'moderator', 'cohost', null]);
      // The first snapshot after joining only tells the role: nothing changed.
      expect(s.roleChanges).toBe(0);
    });

    it('follows team events: our role changes at once, and an emptied team has no team field', () => {
      let s = liveReducer(initialLiveState, live.snapshotReceived(snapshot()));
      s = run(s, { type: 'team', seq: 11, team: [member('g2', 'moderator')] });
      expect(s.team.map((m) => m.user.username)).toEqual(['g2']);
      expect(allowed(s)).toEqual([null, false, false]);
      expect(s.roleChanges).toBe(0);

      s = run(s, { type: 'team', seq: 12, team: [member('g2', 'moderator'), member('g1', 'moderator')] });
      expect(allowed(s)).toEqual(['moderator', true, false]);
      expect(s.you?.role).toBe('moderator');
      expect(s.roleChanges).toBe(1);

      s = run(s, { type: 'team', seq: 13, team: [member('g2', 'moderator'), member('g1', 'cohost')] });
      expect(allowed(s)).toEqual(['cohost', true, true]);
      expect(s.roleChanges).toBe(2);

      // The fresh snapshot the server sends after the change agrees: no second notice.
      s = liveReducer(s, live.snapshotReceived(snapshot({
        seq: 13, team: s.team, you: { username: 'g1', host: false, role: 'cohost' }, participants: [host], removed: [],
      })));
      expect(s.roleChanges).toBe(2);
      expect(s.participants).toEqual([host]);

      // The host empties the team: the event comes without a team field.
      s = run(s, { type: 'team', seq: 14 });
      expect(s.team).toEqual([]);
      expect(s.seq).toBe(14);
      expect(allowed(s)).toEqual([null, false, false]);
      expect(s.you?.role).toBeUndefined();
      expect(s.roleChanges).toBe(3);
      // What only the team sees goes with the role.
      expect(s.participants).toBeNull();
    });

    it("keeps the host's role whatever the team says", () => {
      let s = liveReducer(initialLiveState, live.snapshotReceived(snapshot({ you: { username: 'host', host: true, role: 'host' } })));
      s = run(s, { type: 'team', seq: 11, team: [member('g1', 'cohost')] });
      expect(selectRole(s)).toBe('host');
      expect(s.roleChanges).toBe(0);
      expect(roleIn(s, 'g1')).toBe('cohost');
    });

    it('counts a role change that a later snapshot shows (one missed while away)', () => {
      let s = liveReducer(initialLiveState, live.snapshotReceived(snapshot()));
      s = liveReducer(s, live.snapshotReceived(snapshot({ seq: 20, team: [member('g1', 'moderator')], you: { username: 'g1', host: false, role: 'moderator' } })));
      expect(selectRole(s)).toBe('moderator');
      expect(s.roleChanges).toBe(1);
      // Joining again starts over.
      s = liveReducer(s, live.joined('s1'));
      s = liveReducer(s, live.snapshotReceived(snapshot({ team: [member('g1', 'moderator')], you: { username: 'g1', host: false, role: 'moderator' } })));
      expect(s.roleChanges).toBe(0);
    });
  });
});
