// The live-room connection: one WebSocket, the hello/resume handshake,
// command acks by client id, and reconnects that resume by sequence number.
// It only talks to the store through the actions it dispatches.
import type { AppDispatch, RootState } from '../store';
import { live } from './liveSlice';
import { CLOSE, PROTOCOL_VERSION, shouldReconnect, type Command, type RtcSignal, type ServerMessage } from './protocol';

export class CommandFailed extends Error {
  /** With rate_limited: how long (ms) until the command may be sent again. */
  constructor(public code: string, message: string, public retryAfterMs?: number) {
    super(message);
  }
}

type Pending = { resolve: (r: unknown) => void; reject: (e: Error) => void; frame: string };

export interface LiveSocketOptions {
  sessionId: string;
  dispatch: AppDispatch;
  getState: () => RootState;
  onRtc?: (signal: RtcSignal) => void;
  /** The room is in sync (after each snapshot or resume): time to (re)join the audio. */
  onReady?: () => void;
  /** The server has no media server: stop trying to signal. */
  onVoiceUnavailable?: () => void;
  /** For tests: how to make a socket. */
  makeSocket?: (url: string) => WebSocket;
}

export function liveUrl(sessionId: string): string {
  const proto = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${proto}//${window.location.host}/api/v1/sessions/${encodeURIComponent(sessionId)}/live`;
}

let cidCounter = 0;
const cidPrefix = Math.random().toString(36).slice(2, 8);

export class LiveSocket {
  private ws: WebSocket | null = null;
  private pending = new Map<string, Pending>();
  private attempts = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;

  constructor(private opts: LiveSocketOptions) {}

  start() {
    this.opts.dispatch(live.joined(this.opts.sessionId));
    this.open(false);
  }

  stop() {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.ws?.close(1000);
    this.ws = null;
    for (const p of this.pending.values()) p.reject(new CommandFailed('unavailable', 'left the room'));
    this.pending.clear();
  }

  /** Sends a command; resolves with the ack's result or rejects with the typed error. */
  send(cmd: Command): Promise<unknown> {
    const cid = `${cidPrefix}-${++cidCounter}`;
    const frame = JSON.stringify({ ...cmd, cid });
    return new Promise((resolve, reject) => {
      this.pending.set(cid, { resolve, reject, frame });
      if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(frame);
      // Otherwise it goes out after the next hello; the same cid makes the retry safe.
    });
  }

  sendRtc(signal: RtcSignal) {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ type: 'rtc', signal }));
  }

  private open(resume: boolean) {
    const make = this.opts.makeSocket ?? ((u: string) => new WebSocket(u));
    const ws = make(liveUrl(this.opts.sessionId));
    this.ws = ws;
    ws.onopen = () => {
      const st = this.opts.getState().live;
      const hello: Record<string, unknown> = { type: 'hello', v: PROTOCOL_VERSION };
      if (resume && st.epoch && st.seq > 0 && !st.gap) {
        hello.last_seq = st.seq;
        hello.epoch = st.epoch;
      }
      ws.send(JSON.stringify(hello));
    };
    // A frame holds one message; a socket that fell behind gets several
    // frames in one write, which the browser still delivers one by one.
    // Splitting on newlines (which JSON text never holds unescaped) also
    // reads a frame that joins several messages.
    ws.onmessage = (ev) => {
      for (const line of (ev.data as string).split('\n')) this.onMessage(line);
    };
    ws.onclose = (ev) => this.onClose(ws, ev.code);
  }

  private onMessage(data: string) {
    let msg: ServerMessage;
    try {
      msg = JSON.parse(data);
    } catch {
      return;
    }
    const d = this.opts.dispatch;
    switch (msg.type) {
      case 'snapshot':
        d(live.snapshotReceived(msg));
        this.afterHandshake();
        break;
      case 'resume':
        d(live.resumeReceived(msg));
        this.afterHandshake();
        break;
      case 'speaking':
        d(live.speakingChanged({ username: msg.username, speaking: msg.speaking }));
        break;
      case 'ack': {
        const p = this.pending.get(msg.cid);
        this.pending.delete(msg.cid);
        p?.resolve(msg.result);
        break;
      }
      case 'error': {
        const p = msg.cid ? this.pending.get(msg.cid) : undefined;
        if (p && msg.cid) {
          this.pending.delete(msg.cid);
          p.reject(new CommandFailed(msg.code, msg.message, msg.retry_after_ms));
        } else if (msg.code === 'unavailable') {
          // Only rtc messages go without a cid: voice is not configured.
          d(live.micChanged({ error: 'voice_unavailable', publishing: false }));
          this.opts.onVoiceUnavailable?.();
        } else {
          d(live.errorShown({ code: msg.code }));
        }
        break;
      }
      case 'rtc':
        this.opts.onRtc?.(msg.signal);
        break;
      default:
        d(live.eventReceived(msg));
        if (this.opts.getState().live.gap) this.resync();
    }
  }

  private afterHandshake() {
    this.attempts = 0;
    if (this.opts.getState().live.gap) {
      this.resync();
      return;
    }
    for (const p of this.pending.values()) this.ws?.send(p.frame);
    this.opts.onReady?.();
  }

  /** A hole in the sequence: drop this socket and come back for a fresh snapshot. */
  private resync() {
    const ws = this.ws;
    this.ws = null;
    ws?.close(1000);
    this.opts.dispatch(live.statusChanged({ status: 'reconnecting' }));
    this.open(false);
  }

  private onClose(ws: WebSocket, code: number) {
    if (ws !== this.ws || this.stopped) return;
    this.ws = null;
    const d = this.opts.dispatch;
    if (!shouldReconnect(code)) {
      const reason =
        code === CLOSE.removed ? 'removed'
          : code === CLOSE.unauthorized ? 'signed_out'
          : code === CLOSE.not_found ? 'not_found'
            : code === CLOSE.not_live ? (this.opts.getState().live.closeReason === 'ended' ? 'ended' : 'not_live')
              : code === CLOSE.too_many_sockets ? 'too_many_tabs'
                : 'protocol';
      d(live.statusChanged({ status: 'closed', reason }));
      for (const p of this.pending.values()) p.reject(new CommandFailed('unavailable', 'the room closed'));
      this.pending.clear();
      return;
    }
    d(live.statusChanged({ status: 'reconnecting' }));
    const delay = Math.min(10_000, 500 * 2 ** this.attempts) * (0.5 + Math.random() / 2);
    this.attempts++;
    this.timer = setTimeout(() => this.open(true), delay);
  }
}
