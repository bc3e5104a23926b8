import { afterEach, describe, expect, it } from 'vitest';
import { exposeVoiceStats, voiceDebugEnabled } from './debug';

afterEach(() => {
  sessionStorage.clear();
  delete window.ask2live;
});

describe('voice diagnostics', () => {
  it('are off unless the tab was opened with ?debug=voice, which it remembers', () => {
    expect(voiceDebugEnabled({ search: '' })).toBe(false);
    expect(voiceDebugEnabled({ search: '?debug=voice' })).toBe(true);
    expect(voiceDebugEnabled({ search: '' })).toBe(true);
    expect(voiceDebugEnabled({ search: '?debug=off' })).toBe(false);
  });

  it('put voiceStats on window only while on', async () => {
    const stats = async () => null;
    exposeVoiceStats(stats)();
    expect(window.ask2live).toBeUndefined();
    voiceDebugEnabled({ search: '?debug=voice' });
    const remove = exposeVoiceStats(stats);
    expect(window.ask2live?.voiceStats).toBe(stats);
    remove();
    expect(window.ask2live).toBeUndefined();
  });
});
