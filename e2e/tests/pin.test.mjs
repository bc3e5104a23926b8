// The host pins a question to the top of the queue: every guest sees it
// first, marked pinned, at once; unpinning puts it back in its place.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setUp, twoPeople, openSession, apiOK, shotPath, waitForText } from '../harness.mjs';

test('a pinned question leads the queue for everyone', async (t) => {
  const { server, browser } = await setUp(t);
  const errors = [];
  const { host, guest } = await twoPeople(browser, server.url, 'pin', { host: 'Pin Host', errors });
  const s = await openSession(host, { title: '고정 질문', openNow: true });
  await apiOK(guest, 'POST', `/sessions/${s.id}/questions`, { text: '먼저 올린 질문' });
  await apiOK(guest, 'POST', `/sessions/${s.id}/questions`, { text: '나중에 올린 질문' });
  await host.goto(`${server.url}/sessions/${s.id}/live`);
  await guest.goto(`${server.url}/sessions/${s.id}/live`);

  const guestQueue = guest.getByRole('region', { name: '등록된 질문' }).getByRole('listitem');
  await waitForText(guestQueue.first(), '먼저 올린 질문');
  const hostItem = host.getByRole('region', { name: 'Queue' }).getByRole('listitem').filter({ hasText: '나중에 올린 질문' });
  await hostItem.getByRole('button', { name: /Pin/ }).click();

  await waitForText(guestQueue.first(), '나중에 올린 질문');
  await waitForText(guestQueue.first(), '고정됨');
  const hostFirst = host.getByRole('region', { name: 'Queue' }).getByRole('listitem').first();
  await waitForText(hostFirst, 'Pinned');
  await guest.screenshot({ path: shotPath('pin-guest-ko-390'), fullPage: true });
  await host.screenshot({ path: shotPath('pin-host-en-1366'), fullPage: true });

  await hostFirst.getByRole('button', { name: 'Unpin' }).click();
  await waitForText(guestQueue.first(), '먼저 올린 질문');
  assert.doesNotMatch(await guestQueue.first().innerText(), /고정됨/);
  assert.deepEqual(errors, []);
});
