import { useCallback, useEffect, useRef } from 'react';
import { useStore } from 'react-redux';
import type { AppStore } from '../store';
import { useAppDispatch, useAppSelector } from '../hooks';
import { live, selectMuted, selectPublishing } from './liveSlice';
import type { Command } from './protocol';
import { LiveSocket } from './socket';
import { exposeVoiceStats } from './debug';
import { Voice } from './voice';

/** Connects to a live room for as long as the component is mounted. */
export function useLiveRoom(sessionId: string | null) {
  const store = useStore() as AppStore;
  const dispatch = useAppDispatch();
  const sock = useRef<LiveSocket | null>(null);
  const voice = useRef<Voice | null>(null);

  useEffect(() => {
    if (!sessionId) return;
    const s = new LiveSocket({
      sessionId,
      dispatch: store.dispatch,
      getState: store.getState,
      onRtc: (sig) => void voice.current?.handle(sig),
      onReady: () => voice.current?.join(),
      onVoiceUnavailable: () => {
        voice.current?.close();
        voice.current = null;
      },
    });
    if (Voice.supported()) {
      voice.current = new Voice({
        send: (sig) => s.sendRtc(sig),
        onMicError: (err) => dispatch(live.micChanged({ error: err })),
        onPlaybackBlocked: (blocked) => dispatch(live.soundBlockedChanged(blocked)),
      });
    }
    sock.current = s;
    s.start();
    const unexpose = exposeVoiceStats(async () => (voice.current ? voice.current.stats() : null));
    return () => {
      unexpose();
      s.stop();
      voice.current?.close();
      voice.current = null;
      sock.current = null;
      dispatch(live.left());
    };
  }, [sessionId, store, dispatch]);

  // Publish the microphone exactly while the server has us on air; once the
  // room has closed (ended, or we were removed) let go of the audio at once.
  const publishing = useAppSelector((st) => selectPublishing(st.live));
  const closed = useAppSelector((st) => st.live.status === 'closed');
  const muted = useAppSelector((st) => selectMuted(st.live));
  useEffect(() => {
    const v = voice.current;
    if (!v) return;
    if (publishing) {
      void v.publish().then((ok) => dispatch(live.micChanged({ publishing: ok })));
    } else {
      v.unpublish();
      dispatch(live.micChanged({ publishing: false }));
    }
  }, [publishing, dispatch]);
  useEffect(() => {
    if (closed) voice.current?.close();
  }, [closed]);
  useEffect(() => {
    voice.current?.setMuted(muted);
  }, [muted]);

  const send = useCallback((cmd: Command) => {
    if (!sock.current) return Promise.reject(new Error('not connected'));
    return sock.current.send(cmd);
  }, []);
  /** Plays the room's sound after the browser blocked it; call from a click. */
  const resumeSound = useCallback(() => {
    void voice.current?.resumePlayback();
  }, []);
  return { send, resumeSound };
}
