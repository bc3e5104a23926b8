// A mic with a time limit: the host picks how long a guest may speak,
// gives the mic, and both see the same countdown; the host adds a minute
// and the countdown follows. (The server taking the mic back at zero is
// tested in live/mic_test.go, across two nodes.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setUp, twoPeople, openSession, shotPath, waitFor } from '../harness.mjs';

// secondsOf reads a countdown's "m:ss".
async function secondsOf(timer) {
  const m = /(\d+):(\d\d)/.exec(await timer.innerText());
  return m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
}

test('the host gives a guest the mic for two minutes, then adds one', async (t) => {
  const { server, browser } = await setUp(t);
  const errors = [];
  const { host, guest } = await twoPeople(browser, server.url, 'mic', { host: 'Mic Host', errors });
  const s = await openSession(host, { title: '발언 시간', openNow: true });
  await host.goto(`${server.url}/sessions/${s.id}/live`);
  await guest.goto(`${server.url}/sessions/${s.id}/live`);
  await guest.locator('#live-ask').waitFor();

  const panel = host.getByRole('region', { name: /Participants/ });
  await panel.getByLabel('Mic time').selectOption({ label: '2 min' });
  const row = panel.getByRole('listitem').filter({ hasText: '손님' });
  await row.getByRole('button', { name: 'Give mic' }).click();

  // Both see the countdown, near two minutes, on the server's clock.
  const guestTimer = guest.getByRole('status').getByRole('timer');
  await guestTimer.waitFor();
  const hostTimer = row.getByRole('timer');
  await hostTimer.waitFor();
  for (const timer of [guestTimer, hostTimer]) {
    const secs = await secondsOf(timer);
    assert.ok(secs > 100 && secs <= 120, `countdown shows ${secs} s, want about 120`);
  }
  assert.match(await guestTimer.getAttribute('aria-label'), /남음/);
  // The stage shows it too, under the guest's name (which the guest, who
  // has no participant list, learns from the stage itself).
  const stage = guest.getByRole('list', { name: '발언 중' });
  await stage.getByRole('timer').waitFor();
  await stage.getByText('손님').waitFor();

  await host.screenshot({ path: shotPath('mic-timer-host-en-1366'), fullPage: true });
  await guest.screenshot({ path: shotPath('mic-timer-guest-ko-390'), fullPage: true });

  // A minute more: both countdowns jump by sixty seconds.
  const before = await secondsOf(hostTimer);
  await row.getByRole('button', { name: '+1 min' }).click();
  await waitFor(async () => (await secondsOf(guestTimer)) > before + 40, { what: 'the guest countdown to gain a minute' });
  await waitFor(async () => (await secondsOf(hostTimer)) > before + 40, { what: 'the host countdown to gain a minute' });

  // The choice stays for the next grant, in this browser.
  await host.reload();
  await host.getByRole('region', { name: /Participants/ }).getByLabel('Mic time').waitFor();
  assert.equal(await host.getByLabel('Mic time').inputValue(), '120');

  // Taking the mic back ends the countdown.
  await host.getByRole('region', { name: /Participants/ }).getByRole('listitem').filter({ hasText: '손님' })
    .getByRole('button', { name: 'Take mic back' }).click();
  await guest.getByRole('button', { name: /손들기/ }).waitFor();
  assert.equal(await guest.getByRole('timer').count(), 0);
  assert.deepEqual(errors, []);
});
