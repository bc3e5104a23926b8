// Voice over the room's WebRTC audio server. Signalling travels on the live
// socket as `rtc` messages; the server offers, we answer. While we are on air
// we add our microphone track; everyone else only receives.
import type { RtcSignal } from './protocol';

export class Voice {
  private pc: RTCPeerConnection | null = null;
  private mic: MediaStream | null = null;
  private audio = new Map<string, HTMLAudioElement>();

  constructor(
    private sendSignal: (s: RtcSignal) => void,
    private onMicError: (message: string | null) => void,
  ) {}

  static supported(): boolean {
    return typeof window !== 'undefined' && 'RTCPeerConnection' in window;
  }

  private ensurePeer(): RTCPeerConnection {
    if (this.pc) return this.pc;
    const pc = new RTCPeerConnection();
    pc.onicecandidate = (e) => {
      if (e.candidate) this.sendSignal({ type: 'candidate', candidate: e.candidate.toJSON() });
    };
    pc.ontrack = (e) => {
      const id = e.track.id;
      const el = new Audio();
      el.autoplay = true;
      el.srcObject = e.streams[0] ?? new MediaStream([e.track]);
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

  async handle(signal: RtcSignal) {
    const pc = this.ensurePeer();
    if (signal.type === 'offer' && signal.sdp) {
      await pc.setRemoteDescription({ type: 'offer', sdp: signal.sdp });
      const answer = await pc.createAnswer();
      await pc.setLocalDescription(answer);
      this.sendSignal({ type: 'answer', sdp: answer.sdp });
    } else if (signal.type === 'answer' && signal.sdp) {
      await pc.setRemoteDescription({ type: 'answer', sdp: signal.sdp });
    } else if (signal.type === 'candidate' && signal.candidate) {
      await pc.addIceCandidate(signal.candidate).catch(() => undefined);
    }
  }

  /** Starts publishing the microphone (we were put on air). */
  async publish() {
    if (this.mic) return;
    try {
      this.mic = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true } });
    } catch {
      this.onMicError('mic_denied');
      return;
    }
    this.onMicError(null);
    const pc = this.ensurePeer();
    for (const t of this.mic.getAudioTracks()) pc.addTrack(t, this.mic);
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    this.sendSignal({ type: 'offer', sdp: offer.sdp });
  }

  setMuted(muted: boolean) {
    for (const t of this.mic?.getAudioTracks() ?? []) t.enabled = !muted;
  }

  /** Stops publishing (mic taken back or given back). */
  unpublish() {
    if (!this.mic) return;
    for (const t of this.mic.getTracks()) t.stop();
    if (this.pc) for (const s of this.pc.getSenders()) if (s.track?.kind === 'audio') this.pc.removeTrack(s);
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
