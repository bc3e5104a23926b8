// Voice diagnostics on demand. Opening any page with `?debug=voice` turns
// them on for that browser tab (kept in sessionStorage); the live room then
// puts `window.ask2live.voiceStats()` on the page, which reports the audio
// connection's byte counters and levels. Browser tests use it to check that
// a guest's voice really reaches the host; people use it to see why they
// cannot hear anyone. Without the flag nothing is exposed.
import type { VoiceStats } from './voice';

const KEY = 'ask2live.debug';

export interface DebugHooks {
  voiceStats: () => Promise<VoiceStats | null>;
}

declare global {
  interface Window {
    ask2live?: DebugHooks;
  }
}

/** Whether voice diagnostics are on in this tab. */
export function voiceDebugEnabled(loc: Pick<Location, 'search'> = window.location, store: Storage = window.sessionStorage): boolean {
  const flags = new URLSearchParams(loc.search).getAll('debug').flatMap((v) => v.split(','));
  if (flags.includes('voice')) store.setItem(KEY, 'voice');
  else if (flags.includes('off')) store.removeItem(KEY);
  return store.getItem(KEY) === 'voice';
}

/** Puts the hooks on window while the flag is on; returns how to take them off. */
export function exposeVoiceStats(stats: () => Promise<VoiceStats | null>): () => void {
  if (!voiceDebugEnabled()) return () => undefined;
  const hooks: DebugHooks = { voiceStats: stats };
  window.ask2live = hooks;
  return () => {
    if (window.ask2live === hooks) delete window.ask2live;
  };
}
