import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RtcSignal } from './protocol';
import { Voice } from './voice';

// A stand-in for the browser's peer connection: just enough state to check
// what Voice does with the server's offers and our microphone slot.
class FakeSender {
  track: MediaStreamTrack | null = null;
  replaceTrack = vi.fn(async (t: MediaStreamTrack | null) => { this.track = t; });
}
class FakeTransceiver {
  direction: RTCRtpTransceiverDirection = 'recvonly';
  sender = new FakeSender();
}
class FakePeer {
  transceivers: FakeTransceiver[] = [];
  remoteDescription: RTCSessionDescriptionInit | null = null;
  candidates: RTCIceCandidateInit[] = [];
  closed = false;
  connectionState: RTCPeerConnectionState = 'new';
  onicecandidate: ((e: { candidate: { toJSON(): RTCIceCandidateInit } | null }) => void) | null = null;
  onconnectionstatechange: (() => void) | null = null;
  ontrack: ((e: { track: MediaStreamTrack; transceiver: FakeTransceiver }) => void) | null = null;
  /** Holds setRemoteDescription while set, so tests can check ordering. */
  static hold: Promise<void> | null = null;
  stats = new Map<string, Record<string, unknown>>();
  constructor(public config?: RTCConfiguration) {}
  async setRemoteDescription(d: RTCSessionDescriptionInit) {
    await FakePeer.hold;
    this.remoteDescription = d;
    // One line per m= section the offer has.
    const lines = (d.sdp ?? '').split('m=audio').length - 1;
    while (this.transceivers.length < lines) this.transceivers.push(new FakeTransceiver());
  }
  getTransceivers() { return this.transceivers; }
  async createAnswer() { return { type: 'answer' as const, sdp: `answer(${this.transceivers[0]?.direction})` }; }
  async setLocalDescription() {}
  async addIceCandidate(c: RTCIceCandidateInit) {
    if (!this.remoteDescription) throw new Error('no remote description');
    this.candidates.push(c);
  }
  async getStats() { return this.stats; }
  close() { this.closed = true; }
}

class FakeTrack {
  enabled = true;
  stopped = false;
  stop() { this.stopped = true; }
}
class FakeStream {
  tracks = [new FakeTrack()];
  getAudioTracks() { return this.tracks as unknown as MediaStreamTrack[]; }
  getTracks() { return this.tracks as unknown as MediaStreamTrack[]; }
}

const offer = (lines = 1): RtcSignal => ({ type: 'offer', sdp: 'v=0' + '\nm=audio'.repeat(lines) });

let peers: FakePeer[];
let sent: RtcSignal[];
let micErrors: (string | null)[];
let blocked: boolean[];
let play: ReturnType<typeof vi.fn>;
let getMic: ReturnType<typeof vi.fn>;

function voice() {
  return new Voice({
    send: (s) => sent.push(s),
    onMicError: (e) => micErrors.push(e),
    onPlaybackBlocked: (b) => blocked.push(b),
    makePeer: (config) => { const p = new FakePeer(config); peers.push(p); return p as unknown as RTCPeerConnection; },
    getMic: getMic as unknown as () => Promise<MediaStream>,
  });
}

beforeEach(() => {
  peers = [];
  sent = [];
  micErrors = [];
  blocked = [];
  play = vi.fn(async () => undefined);
  getMic = vi.fn(async () => new FakeStream() as unknown as MediaStream);
  vi.stubGlobal('MediaStream', class { constructor(public tracks: unknown[]) {} });
  vi.stubGlobal('Audio', class { autoplay = false; srcObject: unknown = null; play = play; });
});
afterEach(() => {
  FakePeer.hold = null;
  vi.unstubAllGlobals();
});

describe('Voice', () => {
  it('joins, answers the offer with a sendable first line, and sends its candidates', async () => {
    const v = voice();
    v.join();
    expect(sent).toEqual([{ type: 'join' }]);
    await v.handle({ ...offer(2), ice_servers: [{ urls: 'stun:example.org' }] });
    expect(peers).toHaveLength(1);
    expect(peers[0].config).toEqual({ iceServers: [{ urls: 'stun:example.org' }] });
    expect(peers[0].transceivers[0].direction).toBe('sendrecv');
    expect(peers[0].transceivers[1].direction).toBe('recvonly');
    expect(sent[1]).toEqual({ type: 'answer', sdp: 'answer(sendrecv)' });
    peers[0].onicecandidate?.({ candidate: { toJSON: () => ({ candidate: 'c1' }) } });
    expect(sent[2]).toEqual({ type: 'candidate', candidate: { candidate: 'c1' } });
  });

  it('applies signals in order: a candidate right behind the offer waits for it', async () => {
    const v = voice();
    v.join();
    let open!: () => void;
    FakePeer.hold = new Promise((ok) => { open = ok; });
    const offered = v.handle(offer());
    const cand = v.handle({ type: 'candidate', candidate: { candidate: 'early' } });
    await Promise.resolve();
    open();
    await Promise.all([offered, cand]);
    expect(peers[0].candidates).toEqual([{ candidate: 'early' }]);
    expect(sent.map((s) => s.type)).toEqual(['join', 'answer']);
  });

  it('keeps candidates that come before any offer until there is one', async () => {
    const v = voice();
    v.join();
    await v.handle({ type: 'candidate', candidate: { candidate: 'first' } });
    await v.handle(offer());
    expect(peers[0].candidates).toEqual([{ candidate: 'first' }]);
  });

  it('puts the microphone on the first line while on air, before or after the offer', async () => {
    const v = voice();
    v.join();
    expect(await v.publish()).toBe(true);
    await v.handle(offer());
    const sender = peers[0].transceivers[0].sender;
    expect(sender.track).not.toBeNull();
    const track = sender.track as unknown as FakeTrack;
    v.setMuted(true);
    expect(track.enabled).toBe(false);
    v.unpublish();
    await Promise.resolve();
    expect(sender.track).toBeNull();
    expect(track.stopped).toBe(true);
  });

  it('stays muted across a new microphone', async () => {
    const v = voice();
    v.setMuted(true);
    await v.publish();
    await v.handle(offer());
    expect((peers[0].transceivers[0].sender.track as unknown as FakeTrack).enabled).toBe(false);
  });

  it('releases a microphone that arrives after being taken off air', async () => {
    let give!: (s: MediaStream) => void;
    getMic.mockImplementationOnce(() => new Promise((ok) => { give = ok; }));
    const v = voice();
    v.join();
    await v.handle(offer());
    const publishing = v.publish();
    v.unpublish();
    const stream = new FakeStream();
    give(stream as unknown as MediaStream);
    expect(await publishing).toBe(false);
    expect(stream.tracks[0].stopped).toBe(true);
    expect(peers[0].transceivers[0].sender.track).toBeNull();
  });

  it('reports a refused microphone', async () => {
    getMic.mockRejectedValueOnce(new Error('NotAllowedError'));
    const v = voice();
    expect(await v.publish()).toBe(false);
    expect(micErrors).toEqual(['mic_denied']);
  });

  it('starts a new connection when it joins again, and ignores the old one', async () => {
    const v = voice();
    v.join();
    await v.handle(offer());
    const old = peers[0];
    v.join();
    expect(old.closed).toBe(true);
    expect(sent.filter((s) => s.type === 'join')).toHaveLength(2);
    old.onicecandidate?.({ candidate: { toJSON: () => ({ candidate: 'stale' }) } });
    expect(sent.some((s) => s.candidate?.candidate === 'stale')).toBe(false);
    await v.handle(offer());
    expect(peers).toHaveLength(2);
    expect(peers[1].remoteDescription).not.toBeNull();
  });

  it('joins again when the server says the node hosting the audio is gone', async () => {
    const v = voice();
    v.join();
    await v.handle(offer());
    const first = peers[0];
    await v.handle({ type: 'rejoin' });
    expect(first.closed).toBe(true);
    expect(sent.filter((s) => s.type === 'join')).toHaveLength(2);
    await v.handle(offer());
    expect(peers).toHaveLength(2);
  });

  it('joins again when the connection fails, but not for an old connection', async () => {
    const v = voice();
    v.join();
    await v.handle(offer());
    const first = peers[0];
    first.connectionState = 'disconnected';
    first.onconnectionstatechange?.();
    expect(sent.filter((s) => s.type === 'join')).toHaveLength(1);
    first.connectionState = 'failed';
    first.onconnectionstatechange?.();
    expect(sent.filter((s) => s.type === 'join')).toHaveLength(2);
    expect(first.closed).toBe(true);
    first.onconnectionstatechange?.();
    expect(sent.filter((s) => s.type === 'join')).toHaveLength(2);
  });

  it('gives up joining again after three failures in ten minutes', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const v = voice();
      v.join();
      const fail = async () => {
        await v.handle(offer());
        const pc = peers[peers.length - 1];
        pc.connectionState = 'failed';
        pc.onconnectionstatechange?.();
      };
      const joins = () => sent.filter((s) => s.type === 'join').length;
      for (let i = 0; i < 3; i++) await fail();
      expect(joins()).toBe(4);
      await fail();
      expect(joins()).toBe(4);
      vi.setSystemTime(Date.now() + 10 * 60_000);
      const last = peers[peers.length - 1];
      last.onconnectionstatechange?.();
      expect(joins()).toBe(5);
    } finally {
      vi.useRealTimers();
    }
  });

  it('plays each receiving line, following its newest track', async () => {
    const v = voice();
    v.join();
    await v.handle(offer(2));
    const line = peers[0].transceivers[1];
    const t1 = {} as MediaStreamTrack;
    const t2 = {} as MediaStreamTrack;
    peers[0].ontrack?.({ track: t1, transceiver: line });
    peers[0].ontrack?.({ track: t2, transceiver: line });
    const players = (v as unknown as { players: Map<unknown, { srcObject: { tracks: unknown[] } }> }).players;
    expect(players.size).toBe(1);
    expect(players.get(line)?.srcObject.tracks).toEqual([t2]);
  });

  it('says when the browser will not play sound until a click, and plays it on resume', async () => {
    play.mockRejectedValueOnce(Object.assign(new Error('play() failed'), { name: 'NotAllowedError' }));
    const v = voice();
    v.join();
    await v.handle(offer(2));
    peers[0].ontrack?.({ track: {} as MediaStreamTrack, transceiver: peers[0].transceivers[1] });
    await vi.waitFor(() => expect(blocked).toEqual([true]));
    expect(await v.resumePlayback()).toBe(true);
    expect(blocked).toEqual([true, false]);
    expect(play).toHaveBeenCalledTimes(2);
  });

  it('does not ask for a click when playing fails for another reason', async () => {
    play.mockRejectedValueOnce(Object.assign(new Error('aborted'), { name: 'AbortError' }));
    const v = voice();
    v.join();
    await v.handle(offer(2));
    peers[0].ontrack?.({ track: {} as MediaStreamTrack, transceiver: peers[0].transceivers[1] });
    await vi.waitFor(() => expect(play).toHaveBeenCalled());
    await Promise.resolve();
    expect(blocked).toEqual([]);
  });

  it('reports no connection in its stats before joining', async () => {
    expect(await voice().stats()).toEqual({ connection: 'none', inbound: [], outbound: [] });
  });

  it('sums up the audio streams in its stats', async () => {
    const v = voice();
    v.join();
    await v.handle(offer(2));
    peers[0].connectionState = 'connected';
    peers[0].stats.set('a', { type: 'inbound-rtp', kind: 'audio', mid: '1', bytesReceived: 900, packetsReceived: 9, audioLevel: 0.5 });
    peers[0].stats.set('b', { type: 'outbound-rtp', kind: 'audio', mid: '0', bytesSent: 300, packetsSent: 3 });
    peers[0].stats.set('c', { type: 'inbound-rtp', kind: 'video', mid: '2', bytesReceived: 1 });
    peers[0].stats.set('d', { type: 'transport', bytesReceived: 5000 });
    expect(await v.stats()).toEqual({
      connection: 'connected',
      inbound: [{ mid: '1', bytesReceived: 900, packetsReceived: 9, audioLevel: 0.5 }],
      outbound: [{ mid: '0', bytesSent: 300, packetsSent: 3 }],
    });
  });
});
