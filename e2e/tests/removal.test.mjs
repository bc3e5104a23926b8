// A guest the host removed stays out for the rest of the session — a new
// page load does not let them back in — until the host lets them back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setUp, twoPeople, openSession } from '../harness.mjs';

test('a removed guest stays out until the host lets them back in', async (t) => {
  const { server, browser } = await setUp(t);
  const errors = [];
  const { host, guest } = await twoPeople(browser, server.url, 'rm', { host: 'Remove Host', guest: '내보낼 손님', errors });
  const s = await openSession(host, { title: '내보내기 시험', openNow: true });
  await host.goto(`${server.url}/sessions/${s.id}/live`);
  await guest.goto(`${server.url}/sessions/${s.id}/live`);
  await guest.locator('#live-ask').waitFor();

  const panel = host.getByRole('region', { name: /Participants/ });
  const row = panel.getByRole('listitem').filter({ hasText: '내보낼 손님' });
  await row.getByRole('button', { name: 'Remove' }).click();
  await host.getByRole('dialog', { name: 'Remove 내보낼 손님 from the room?' }).getByRole('button', { name: 'Remove' }).click();
  const removed = '이 세션의 방에서 내보내졌습니다.';
  await guest.getByText(removed).waitFor();

  // Opening the room again does not let the guest back in.
  await guest.reload();
  await guest.getByText(removed).waitFor();
  await guest.goto(`${server.url}/sessions/${s.id}/live`);
  await guest.getByText(removed).waitFor();
  assert.equal(await guest.locator('#live-ask').count(), 0);

  // The host sees who is out and lets the guest back in.
  const out = host.getByRole('region', { name: /Removed/ });
  await out.getByRole('listitem').filter({ hasText: '내보낼 손님' }).getByRole('button', { name: 'Let back in' }).click();
  await out.getByText('내보낼 손님').waitFor({ state: 'detached' });
  await guest.goto(`${server.url}/sessions/${s.id}/live`);
  await guest.locator('#live-ask').waitFor();
  await row.waitFor();
  assert.deepEqual(errors, []);
});
