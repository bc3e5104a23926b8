// Voice over the room's WebRTC audio server (the SFU in sfu/). Signalling
// travels on the live socket as `rtc` messages and the server always offers:
// we ask for an offer with `join` (after every (re)connect: the server's side
// of the audio lives only as long as the socket that joined), and only
// answer. The first audio line is our microphone slot, the others carry
// whoever is on air. To speak we put the microphone track on the first
// line's sender (replaceTrack, no renegotiation); the server decides whether
// those packets are forwarded, so being "on air" is never our decision.
import type { RtcSignal } from './protocol';

/** What a voice connection is doing, for diagnostics (see debug.ts). */
export interface VoiceStats {
  connection: RTCPeerConnectionState | 'none';
  /** One entry per audio stream we receive (one per person who has been on air). */
  inbound: { mid: string | null; bytesReceived: number; packetsReceived: number; audioLevel: number }[];
  /** Our microphone slot. */
  outbound: { mid: string | null; bytesSent: number; packetsSent: number }[];
}

type MakePeer = (config?: RTCConfiguration) => RTCPeerConnection;
type GetMic = () => Promise<MediaStream>;

export interface VoiceOptions {
  /** Sends a signal to the server (an `rtc` message on the live socket). */
  send: (s: RtcSignal) => void;
  /** The microphone failed ('mic_denied') or works again (null). */
  onMicError: (message: string | null) => void;
  /**
   * The browser refused to play sound before the person interacted with the
   * page (autoplay policy); `resumePlayback` from a click fixes it.
   */
  onPlaybackBlocked?: (blocked: boolean) => void;
  /** For tests: how to make a peer connection and open the microphone. */
  makePeer?: MakePeer;
  getMic?: GetMic;
}

const REJOINS_PER_WINDOW = 3;
const REJOIN_WINDOW_MS = 10 * 60_000;

const defaultMic: GetMic = () =>
  navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true } });

export class Voice {
  private pc: RTCPeerConnection | null = null;
  private mic: MediaStream | null = null;
  private wantMic = false;
  private muted = false;
  private pendingCandidates: RTCIceCandidateInit[] = [];
  /** Signals are applied one at a time, in the order they arrived. */
  private queue: Promise<void> = Promise.resolve();
  /** One player per receiving line: a line's track is reused across offers. */
  private players = new Map<RTCRtpTransceiver, HTMLAudioElement>();
  private blocked = false;
  /** When the connection failed and we joined again (see rejoinAfterFailure). */
  private failures: number[] = [];
  private sendSignal: (s: RtcSignal) => void;
  private onMicError: (message: string | null) => void;
  private onPlaybackBlocked: (blocked: boolean) => void;
  private makePeer: MakePeer;
  private getMic: GetMic;

  constructor(o: VoiceOptions) {
    this.sendSignal = o.send;
    this.onMicError = o.onMicError;
    this.onPlaybackBlocked = o.onPlaybackBlocked ?? (() => undefined);
    this.makePeer = o.makePeer ?? ((config) => new RTCPeerConnection(config));
    this.getMic = o.getMic ?? defaultMic;
  }

  static supported(): boolean {
    return typeof window !== 'undefined' && 'RTCPeerConnection' in window;
  }

  /**
   * Asks the server for the room's audio. Called once the live socket has
   * its snapshot (or resume): a new socket is a new audio connection on the
   * server, so the old peer connection is dropped first.
   */
  join() {
    this.dropPeer();
    this.sendSignal({ type: 'join' });
  }

  /** Applies a signal from the server; resolves when it (and those before it) are done. */
  handle(signal: RtcSignal & { ice_servers?: RTCIceServer[] }): Promise<void> {
    this.queue = this.queue.then(() => this.apply(signal)).catch((err) => {
      console.warn('voice signalling', err);
    });
    return this.queue;
  }

  private async apply(signal: RtcSignal & { ice_servers?: RTCIceServer[] }) {
    if (signal.type === 'rejoin') {
      // The server node that hosted the audio went away: another takes over.
      this.join();
    } else if (signal.type === 'offer' && signal.sdp) {
      const pc = this.ensurePeer(signal.ice_servers);
      await pc.setRemoteDescription({ type: 'offer', sdp: signal.sdp });
      if (pc !== this.pc) return; // rejoined meanwhile
      // Our slot must be able to send, even while empty, so that going on
      // air later needs no renegotiation.
      const first = pc.getTransceivers()[0];
      if (first && first.direction !== 'sendrecv' && first.direction !== 'sendonly') first.direction = 'sendrecv';
      const answer = await pc.createAnswer();
      await pc.setLocalDescription(answer);
      if (pc !== this.pc) return;
      this.sendSignal({ type: 'answer', sdp: answer.sdp });
      for (const c of this.pendingCandidates.splice(0)) await pc.addIceCandidate(c).catch(() => undefined);
      await this.attach();
    } else if (signal.type === 'candidate' && signal.candidate) {
      if (!this.pc?.remoteDescription) this.pendingCandidates.push(signal.candidate);
      else await this.pc.addIceCandidate(signal.candidate).catch(() => undefined);
    }
  }

  private ensurePeer(iceServers?: RTCIceServer[]): RTCPeerConnection {
    if (this.pc) return this.pc;
    const pc = this.makePeer(iceServers?.length ? { iceServers } : undefined);
    pc.onicecandidate = (e) => {
      if (e.candidate && pc === this.pc) this.sendSignal({ type: 'candidate', candidate: e.candidate.toJSON() });
    };
    pc.onconnectionstatechange = () => {
      if (pc === this.pc && pc.connectionState === 'failed') this.rejoinAfterFailure();
    };
    pc.ontrack = (e) => {
      // A receiving line fires this again when a later offer gives it a
      // track anew: keep one player per line, pointed at its latest track.
      let el = this.players.get(e.transceiver);
      if (!el) {
        el = new Audio();
        el.autoplay = true;
        this.players.set(e.transceiver, el);
      }
      el.srcObject = new MediaStream([e.track]);
      void this.play(el);
    };
    this.pc = pc;
    return pc;
  }

  private async play(el: HTMLAudioElement): Promise<boolean> {
    try {
      await el.play();
      this.setBlocked(false);
      return true;
    } catch (err) {
      // NotAllowedError: autoplay policy. Anything else (say, the element was
      // emptied meanwhile) is not something a click would fix.
      if ((err as { name?: string })?.name === 'NotAllowedError') this.setBlocked(true);
      return false;
    }
  }

  private setBlocked(blocked: boolean) {
    if (this.blocked === blocked) return;
    this.blocked = blocked;
    this.onPlaybackBlocked(blocked);
  }

  /** Plays what the browser refused to play by itself; call it from a click. */
  async resumePlayback(): Promise<boolean> {
    const results = await Promise.all([...this.players.values()].map((el) => this.play(el)));
    const ok = results.every(Boolean);
    if (ok) this.setBlocked(false);
    return ok;
  }

  /**
   * ICE gave up (a network change, say) and the server drops its side too:
   * start over rather than stay silent. A few times only: the server keeps
   * one audio connection per person, so a second tab of the same person
   * takes it over, and the two must not keep taking it from each other.
   */
  private rejoinAfterFailure() {
    const now = Date.now();
    this.failures = this.failures.filter((t) => now - t < REJOIN_WINDOW_MS);
    if (this.failures.length >= REJOINS_PER_WINDOW) return;
    this.failures.push(now);
    this.join();
  }

  private dropPeer() {
    for (const el of this.players.values()) el.srcObject = null;
    this.players.clear();
    this.pendingCandidates = [];
    this.pc?.close();
    this.pc = null;
  }

  /** The sender of the first audio line: our microphone slot. */
  private micSender(): RTCRtpSender | null {
    return this.pc?.getTransceivers()[0]?.sender ?? null;
  }

  private async attach() {
    const sender = this.micSender();
    if (!sender) return;
    const track = this.wantMic ? this.mic?.getAudioTracks()[0] ?? null : null;
    if (sender.track !== track) await sender.replaceTrack(track).catch(() => undefined);
  }

  /** The server put us on air: open the microphone and feed our slot. */
  async publish(): Promise<boolean> {
    this.wantMic = true;
    if (!this.mic) {
      let stream: MediaStream;
      try {
        stream = await this.getMic();
      } catch {
        if (this.wantMic) this.onMicError('mic_denied');
        return false;
      }
      if (!this.wantMic || this.mic) {
        // Taken off air (or published twice) while the permission was pending.
        for (const t of stream.getTracks()) t.stop();
        return this.wantMic;
      }
      this.mic = stream;
      this.setMuted(this.muted);
    }
    this.onMicError(null);
    await this.attach();
    return true;
  }

  setMuted(muted: boolean) {
    this.muted = muted;
    for (const t of this.mic?.getAudioTracks() ?? []) t.enabled = !muted;
  }

  /** Off air: empty our slot and release the microphone. */
  unpublish() {
    this.wantMic = false;
    void this.attach();
    for (const t of this.mic?.getTracks() ?? []) t.stop();
    this.mic = null;
  }

  close() {
    this.unpublish();
    this.dropPeer();
  }

  /** Byte counters and levels of the audio connection (for diagnostics and browser tests). */
  async stats(): Promise<VoiceStats> {
    const pc = this.pc;
    const out: VoiceStats = { connection: pc?.connectionState ?? 'none', inbound: [], outbound: [] };
    if (!pc) return out;
    const report = await pc.getStats();
    report.forEach((s) => {
      if (s.kind !== 'audio') return;
      if (s.type === 'inbound-rtp') {
        out.inbound.push({ mid: s.mid ?? null, bytesReceived: s.bytesReceived ?? 0, packetsReceived: s.packetsReceived ?? 0, audioLevel: s.audioLevel ?? 0 });
      } else if (s.type === 'outbound-rtp') {
        out.outbound.push({ mid: s.mid ?? null, bytesSent: s.bytesSent ?? 0, packetsSent: s.packetsSent ?? 0 });
      }
    });
    return out;
  }
}
