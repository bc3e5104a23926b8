// Slow mode for the live room's chat: the host and the team choose how
// often a guest may send a message; everyone is told it is on; a guest who
// just sent one sees the send button count down to the next.
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { useAppDispatch, useAppSelector } from '../hooks';
import { live, selectChatReadyAt, selectChatSlowSeconds } from '../live/liveSlice';
import type { Command } from '../live/protocol';
import { CommandFailed } from '../live/socket';
import { useNotify } from './Toasts';

type Send = (c: Command) => Promise<unknown>;

/** The choices the host and the team have (seconds; 0 = off). */
export const SLOW_MODES = [0, 10, 30, 60, 300];

/** A slow-mode interval in words: "30 s", "1 min", or "Off". */
export function slowLabel(t: TFunction, seconds: number): string {
  if (!seconds) return t('slow.off');
  return seconds % 60 === 0 ? t('slow.minutes', { count: seconds / 60 }) : t('slow.seconds', { count: seconds });
}

/** Whether the server refused a command as too soon. */
export function isRateLimited(err: unknown): err is CommandFailed {
  return err instanceof CommandFailed && err.code === 'rate_limited';
}

/** A wait in seconds as m:ss, the way the room's countdowns show time. */
export function clock(secs: number): string {
  return `${Math.floor(secs / 60)}:${String(secs % 60).padStart(2, '0')}`;
}

/** The whole seconds left until `at` (ms, our clock), ticking down; 0 once it has passed or without one. */
export function useSecondsUntil(at: number | null): number {
  const [, tick] = useState(0);
  useEffect(() => {
    if (at === null || at <= Date.now()) return undefined;
    const timer = window.setInterval(() => {
      tick((n) => n + 1);
      if (at <= Date.now()) window.clearInterval(timer);
    }, 250);
    return () => window.clearInterval(timer);
  }, [at]);
  return at === null ? 0 : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

/**
 * How long slow mode still holds our next chat message (seconds, 0 when it
 * may go now), and whether slow mode applies to us at all (not to the team).
 */
export function useChatWait(): { seconds: number; applies: boolean } {
  const at = useAppSelector((s) => selectChatReadyAt(s.live));
  const seconds = useSecondsUntil(at);
  return { seconds, applies: at !== null };
}

/**
 * Sends a chat message and remembers what slow mode needs: when the server
 * took it (the ack's time), or, when it was too soon, how long it said to wait.
 */
export function useSendChat(send: Send) {
  const dispatch = useAppDispatch();
  return useCallback(async (text: string) => {
    try {
      const result = await send({ type: 'chat', text });
      dispatch(live.chatSent(Date.now()));
      return result;
    } catch (err) {
      if (isRateLimited(err) && err.retryAfterMs) dispatch(live.chatRefused({ at: Date.now(), retryAfterMs: err.retryAfterMs }));
      throw err;
    }
  }, [send, dispatch]);
}

/** The chat's send button: while slow mode holds a guest back, disabled and counting down. */
export function ChatSendButton({ wait, disabled }: { wait: number; disabled: boolean }) {
  const { t } = useTranslation();
  if (wait > 0) {
    const time = clock(wait);
    return (
      <button className="btn btn-primary btn-sm btn-wait" type="submit" disabled aria-label={t('slow.sendIn', { time })}>
        <span aria-hidden="true">⏱ {time}</span>
      </button>
    );
  }
  return <button className="btn btn-primary btn-sm" type="submit" disabled={disabled}>{t('live.send')}</button>;
}

/** Tells everyone in the chat that slow mode is on; the team hears that it does not hold them. */
export function SlowModeNotice({ team }: { team: boolean }) {
  const { t } = useTranslation();
  const slow = useAppSelector((s) => selectChatSlowSeconds(s.live));
  // The live region is always there, so that turning slow mode on is read out.
  return (
    <div className="slow-status" role="status">
      {slow > 0 && (
        <p className="slow-notice"><span aria-hidden="true">🐢</span> {t(team ? 'slow.noticeTeam' : 'slow.notice', { time: slowLabel(t, slow) })}</p>
      )}
    </div>
  );
}

/** For the host and the team: how often a guest may chat. A refusal is told in a notification. */
export function SlowModeControl({ send }: { send: Send }) {
  const { t } = useTranslation();
  const notify = useNotify();
  const current = useAppSelector((s) => selectChatSlowSeconds(s.live));
  // The choice shows at once; it stands until the room says what slow mode
  // is now (the session event), or the server refuses it.
  const [pending, setPending] = useState<{ from: number; to: number } | null>(null);
  useEffect(() => setPending(null), [current]);
  const shown = pending && pending.from === current ? pending.to : current;
  // A value set some other way (the REST API) is shown as it is.
  const choices = SLOW_MODES.includes(current) ? SLOW_MODES : [...SLOW_MODES, current].sort((a, b) => a - b);
  return (
    <div className="row slow-control">
      <label htmlFor="slow-mode">{t('slow.label')}</label>
      <select id="slow-mode" value={shown} aria-describedby="slow-mode-help" onChange={(e) => {
        const seconds = Number(e.target.value);
        setPending({ from: current, to: seconds });
        send({ type: 'set_slow_mode', seconds }).catch((err) => {
          setPending(null);
          notify.error(err, 'live');
        });
      }}>
        {choices.map((n) => <option key={n} value={n}>{slowLabel(t, n)}</option>)}
      </select>
      <span id="slow-mode-help" className="sr-only">{t('slow.help')}</span>
    </div>
  );
}
