// Voice over the room's WebRTC audio server (the SFU in sfu/). Signalling
// travels on the live socket as `rtc` messages and the server always offers:
// its first audio line is our microphone slot, the others carry whoever is on
// air. We only answer. To speak we put the microphone track on the first
// line's sender (replaceTrack, no renegotiation); the server decides whether
// those packets are forwarded, so being "on air" is never our decision.
import type { RtcSignal } from './protocol';

export class Voice {
  private pc: RTCPeerConnection | null = null;
  private mic: MediaStream | null = null;
  private wantMic = false;
  private pendingCandidates: RTCIceCandidateInit[] = [];
  private audio = new Map<string, HTMLAudioElement>();

  constructor(
    private sendSignal: (s: RtcSignal) => void,
    private onMicError: (message: string | null) => void,
  ) {}

  static supported(): boolean {
    return typeof window !== 'undefined' && 'RTCPeerConnection' in window;
  }

  private ensurePeer(iceServers?: RTCIceServer[]): RTCPeerConnection {
    if (this.pc) return this.pc;
    const pc = new RTCPeerConnection(iceServers?.length ? { iceServers } : undefined);
    pc.onicecandidate = (e) => {
      if (e.candidate) this.sendSignal({ type: 'candidate', candidate: e.candidate.toJSON() });
    };
    pc.ontrack = (e) => {
      const id = e.track.id;
      if (this.audio.has(id)) return;
      const el = new Audio();
      el.autoplay = true;
      el.srcObject = new MediaStream([e.track]);
      void el.play().catch(() => undefined);
      this.audio.set(id, el);
      e.track.onended = () => {
        el.srcObject = null;
        this.audio.delete(id);
      };
    };
    this.pc = pc;
    return pc;
  }

  /** The sender of the first audio line: our microphone slot. */
  private micSender(): RTCRtpSender | null {
    return this.pc?.getTransceivers()[0]?.sender ?? null;
  }

  async handle(signal: RtcSignal & { ice_servers?: RTCIceServer[] }) {
    if (signal.type === 'offer' && signal.sdp) {
      const pc = this.ensurePeer(signal.ice_servers);
      await pc.setRemoteDescription({ type: 'offer', sdp: signal.sdp });
      // Our slot must be able to send, even while empty, so that going on
      // air later needs no renegotiation.
      const first = pc.getTransceivers()[0];
      if (first && first.direction !== 'sendrecv' && first.direction !== 'sendonly') first.direction = 'sendrecv';
      const answer = await pc.createAnswer();
      await pc.setLocalDescription(answer);
      this.sendSignal({ type: 'answer', sdp: answer.sdp });
      for (const c of this.pendingCandidates.splice(0)) await pc.addIceCandidate(c).catch(() => undefined);
      await this.attach();
    } else if (signal.type === 'candidate' && signal.candidate) {
      if (!this.pc?.remoteDescription) this.pendingCandidates.push(signal.candidate);
      else await this.pc.addIceCandidate(signal.candidate).catch(() => undefined);
    }
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
      try {
        this.mic = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true } });
      } catch {
        this.onMicError('mic_denied');
        return false;
      }
    }
    this.onMicError(null);
    await this.attach();
    return true;
  }

  setMuted(muted: boolean) {
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
    for (const el of this.audio.values()) el.srcObject = null;
    this.audio.clear();
    this.pc?.close();
    this.pc = null;
  }
}
