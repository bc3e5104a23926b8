import { describe, expect, it } from 'vitest';
import { initialLiveState, live, liveReducer, selectChatReadyAt, selectChatSlowSeconds, type LiveState } from './liveSlice';
import type { LiveSession, RoomEvent, Snapshot } from './protocol';
import { host, snapshot } from '../test/fixtures';

const session = (slow: number): LiveSession => ({ id: 's1', title: 'T', state: 'live', started_at: null, ended_at: null, host, chat_slow_seconds: slow });
const guest = (over: Partial<Snapshot> = {}) => liveReducer(initialLiveState, live.snapshotReceived(snapshot({ session: session(30), ...over })));
const run = (s: LiveState, ...events: RoomEvent[]) => events.reduce((st, e) => liveReducer(st, live.eventReceived(e)), s);
const me = { username: 'g1', display_name: 'G1', avatar_url: '' };

describe('slow mode in the live state', () => {
  it('is off without chat_slow_seconds, and holds no one', () => {
    const s = liveReducer(initialLiveState, live.snapshotReceived(snapshot()));
    expect(selectChatSlowSeconds(s)).toBe(0);
    expect(selectChatReadyAt(liveReducer(s, live.chatSent(1000)))).toBeNull();
  });

  it('holds a guest for the interval from the ack of their last message', () => {
    let s = guest();
    expect(selectChatSlowSeconds(s)).toBe(30);
    expect(selectChatReadyAt(s)).toBe(0); // nothing sent yet: now
    s = liveReducer(s, live.chatSent(1_000));
    expect(selectChatReadyAt(s)).toBe(31_000);
    // An older time (the room's copy of the same message) changes nothing.
    s = liveReducer(s, live.chatSent(900));
    expect(selectChatReadyAt(s)).toBe(31_000);
  });

  it("takes a refusal's wait when it ends later", () => {
    let s = liveReducer(guest(), live.chatSent(1_000));
    s = liveReducer(s, live.chatRefused({ at: 5_000, retryAfterMs: 40_000 }));
    expect(selectChatReadyAt(s)).toBe(45_000);
    s = liveReducer(s, live.chatRefused({ at: 6_000, retryAfterMs: 1_000 }));
    expect(selectChatReadyAt(s)).toBe(31_000);
  });

  it('does not hold the host or the team', () => {
    const hostState = liveReducer(guest({ you: { username: 'host', host: true } }), live.chatSent(1_000));
    expect(selectChatReadyAt(hostState)).toBeNull();
    const mod = liveReducer(guest({ you: { username: 'g1', host: false, role: 'moderator' } }), live.chatSent(1_000));
    expect(selectChatReadyAt(mod)).toBeNull();
    // Taken off the team, the guest is held again.
    const off = run(mod, { type: 'team', seq: 11 });
    expect(selectChatReadyAt(off)).toBe(31_000);
  });

  it('follows session events: off lets the guest send at once, a new interval forgets the old refusal', () => {
    let s = liveReducer(guest(), live.chatSent(1_000));
    s = liveReducer(s, live.chatRefused({ at: 2_000, retryAfterMs: 60_000 }));
    s = run(s, { type: 'session', seq: 11, session: session(0) });
    expect(selectChatReadyAt(s)).toBeNull();
    s = run(s, { type: 'session', seq: 12, session: session(10) });
    expect(selectChatReadyAt(s)).toBe(11_000);
    // A session event that leaves slow mode alone keeps the refusal.
    s = liveReducer(s, live.chatRefused({ at: 3_000, retryAfterMs: 20_000 }));
    s = run(s, { type: 'session', seq: 13, session: { ...session(10), title: 'New title' } });
    expect(selectChatReadyAt(s)).toBe(23_000);
  });

  it('counts from our own messages in the room, on our clock, after a reload or from another tab', () => {
    const serverTime = new Date(Date.now() + 5_000);
    const sent = new Date(serverTime.getTime() - 10_000);
    let s = guest({
      server_time: serverTime.toISOString(),
      chat: [
        { id: 'c1', session_id: 's1', sender: me, text: 'hi', created_at: sent.toISOString() },
        { id: 'c2', session_id: 's1', sender: host, text: 'hello', created_at: serverTime.toISOString() },
      ],
    });
    // Sent 10 s before the snapshot on the server's clock: 20 s to go, on ours.
    expect(Math.abs(selectChatReadyAt(s)! - (Date.now() + 20_000))).toBeLessThan(1_000);
    const later = new Date(serverTime.getTime() + 2_000);
    s = run(s, { type: 'chat', seq: 11, chat: { id: 'c3', session_id: 's1', sender: me, text: 'again', created_at: later.toISOString() } });
    expect(Math.abs(selectChatReadyAt(s)! - (Date.now() + 32_000))).toBeLessThan(1_000);
    // Someone else's message holds no one else.
    const before = selectChatReadyAt(s);
    s = run(s, { type: 'chat', seq: 12, chat: { id: 'c4', session_id: 's1', sender: host, text: 'x', created_at: new Date(later.getTime() + 9_000).toISOString() } });
    expect(selectChatReadyAt(s)).toBe(before);
  });

  it('starts over when joining a room', () => {
    const s = liveReducer(liveReducer(guest(), live.chatSent(1_000)), live.joined('s2'));
    expect(s.myChatAt).toBeNull();
    expect(s.chatRefusedUntil).toBeNull();
  });
});
