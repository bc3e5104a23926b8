import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { makeStore } from '../store';
import { LiveSocket, CommandFailed } from './socket';
import { snapshot, q } from '../test/fixtures';

class FakeSocket {
  static OPEN = 1;
  readyState = 0;
  sent: Record<string, unknown>[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((e: { data: string }) => void) | null = null;
  onclose: ((e: { code: number }) => void) | null = null;
  constructor(public url: string) {}
  send(data: string) { this.sent.push(JSON.parse(data)); }
  close(code = 1000) { this.readyState = 3; this.onclose?.({ code }); }
  open() { this.readyState = 1; this.onopen?.(); }
  receive(msg: unknown) { this.onmessage?.({ data: JSON.stringify(msg) }); }
  receiveFrame(...msgs: unknown[]) { this.onmessage?.({ data: msgs.map((m) => JSON.stringify(m)).join('\n') }); }
  drop(code: number) { this.readyState = 3; this.onclose?.({ code }); }
}

let sockets: FakeSocket[] = [];

beforeEach(() => {
  sockets = [];
  vi.stubGlobal('WebSocket', FakeSocket);
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

function start() {
  const store = makeStore();
  const s = new LiveSocket({
    sessionId: 's1', dispatch: store.dispatch, getState: store.getState,
    makeSocket: (url) => { const f = new FakeSocket(url); sockets.push(f); return f as unknown as WebSocket; },
  });
  s.start();
  return { store, s };
}

describe('LiveSocket', () => {
  it('says hello, applies the snapshot, and resumes with last_seq after a drop', async () => {
    const { store } = start();
    const ws = sockets[0];
    expect(ws.url).toMatch(/\/api\/v1\/sessions\/s1\/live$/);
    ws.open();
    expect(ws.sent[0]).toEqual({ type: 'hello', v: 1 });
    ws.receive(snapshot());
    ws.receive({ type: 'question', seq: 11, question: q('bb') });
    expect(store.getState().live.seq).toBe(11);
    ws.drop(1001);
    expect(store.getState().live.status).toBe('reconnecting');
    await vi.runOnlyPendingTimersAsync();
    const ws2 = sockets[1];
    ws2.open();
    expect(ws2.sent[0]).toEqual({ type: 'hello', v: 1, last_seq: 11, epoch: 'e1' });
  });

  it('takes several newline-separated messages from one frame, in order', () => {
    const { store } = start();
    const ws = sockets[0];
    ws.open();
    ws.receiveFrame(snapshot(), { type: 'question', seq: 11, question: q('bb') }, { type: 'question', seq: 12, question: q('cc') });
    expect(store.getState().live.seq).toBe(12);
    expect(store.getState().live.gap).toBe(false);
    expect(sockets).toHaveLength(1);
  });

  it('asks for a fresh snapshot when it sees a gap', () => {
    const { store } = start();
    sockets[0].open();
    sockets[0].receive(snapshot());
    sockets[0].receive({ type: 'question', seq: 13, question: q('bb') });
    expect(sockets).toHaveLength(2);
    sockets[1].open();
    expect(sockets[1].sent[0]).toEqual({ type: 'hello', v: 1 });
    sockets[1].receive(snapshot({ seq: 13 }));
    expect(store.getState().live.gap).toBe(false);
  });

  it('resolves commands by their ack and rejects them with typed errors', async () => {
    const { s } = start();
    const ws = sockets[0];
    ws.open();
    ws.receive(snapshot());
    const ok = s.send({ type: 'chat', text: 'hi' });
    const bad = s.send({ type: 'end' });
    const [c1, c2] = ws.sent.slice(1) as { cid: string }[];
    ws.receive({ type: 'ack', cid: c1.cid, result: { id: 'm1' } });
    ws.receive({ type: 'error', cid: c2.cid, code: 'forbidden', message: 'only the host can do this' });
    await expect(ok).resolves.toEqual({ id: 'm1' });
    await expect(bad).rejects.toBeInstanceOf(CommandFailed);
  });

  it('does not reconnect once its credentials are gone (account suspended)', async () => {
    const { store } = start();
    sockets[0].open();
    sockets[0].receive(snapshot());
    sockets[0].drop(4401);
    await vi.runOnlyPendingTimersAsync();
    expect(sockets).toHaveLength(1);
    expect(store.getState().live).toMatchObject({ status: 'closed', closeReason: 'signed_out' });
  });

  it('does not reconnect after being removed', async () => {
    const { store } = start();
    sockets[0].open();
    sockets[0].receive(snapshot());
    sockets[0].drop(4403);
    await vi.runOnlyPendingTimersAsync();
    expect(sockets).toHaveLength(1);
    expect(store.getState().live).toMatchObject({ status: 'closed', closeReason: 'removed' });
  });

  it('does not reconnect when the room has too many of this user\'s sockets', async () => {
    const { store } = start();
    sockets[0].open();
    sockets[0].drop(4429);
    await vi.runOnlyPendingTimersAsync();
    expect(sockets).toHaveLength(1);
    expect(store.getState().live).toMatchObject({ status: 'closed', closeReason: 'too_many_tabs' });
  });

  it('re-sends unanswered commands with the same cid after a reconnect', async () => {
    const { s } = start();
    sockets[0].open();
    sockets[0].receive(snapshot());
    const p = s.send({ type: 'ask', text: 'still there?' });
    const first = sockets[0].sent[1] as { cid: string };
    sockets[0].drop(4008);
    await vi.runOnlyPendingTimersAsync();
    sockets[1].open();
    sockets[1].receive({ type: 'resume', from: 11, seq: 10, epoch: 'e1' });
    const again = sockets[1].sent.find((m) => m.type === 'ask') as { cid: string };
    expect(again.cid).toBe(first.cid);
    sockets[1].receive({ type: 'ack', cid: first.cid, result: { id: 'q9' } });
    await expect(p).resolves.toEqual({ id: 'q9' });
  });

  it('says when the room is in sync, after each snapshot and resume, so voice can (re)join', async () => {
    const onReady = vi.fn();
    const store = makeStore();
    const s = new LiveSocket({
      sessionId: 's1', dispatch: store.dispatch, getState: store.getState, onReady,
      makeSocket: (url) => { const f = new FakeSocket(url); sockets.push(f); return f as unknown as WebSocket; },
    });
    s.start();
    sockets[0].open();
    expect(onReady).not.toHaveBeenCalled();
    sockets[0].receive(snapshot());
    expect(onReady).toHaveBeenCalledTimes(1);
    sockets[0].drop(1001);
    await vi.runOnlyPendingTimersAsync();
    sockets[1].open();
    sockets[1].receive({ type: 'resume', from: 11, seq: 10, epoch: 'e1' });
    expect(onReady).toHaveBeenCalledTimes(2);
  });

  it('notes that voice is unavailable instead of showing an error', () => {
    const onVoiceUnavailable = vi.fn();
    const store = makeStore();
    const s = new LiveSocket({
      sessionId: 's1', dispatch: store.dispatch, getState: store.getState, onVoiceUnavailable,
      makeSocket: (url) => { const f = new FakeSocket(url); sockets.push(f); return f as unknown as WebSocket; },
    });
    s.start();
    sockets[0].open();
    sockets[0].receive(snapshot());
    sockets[0].receive({ type: 'error', code: 'unavailable', message: 'voice is not available on this server' });
    expect(onVoiceUnavailable).toHaveBeenCalled();
    expect(store.getState().live.lastError).toBeNull();
    expect(store.getState().live.mic.error).toBe('voice_unavailable');
  });
});
