// What the app has cached follows the live room: a host who looked at the
// session page before going live, answered the pre-questions in the room
// and ended it lands on an archive that says ended, with both answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setUp, twoPeople, openSession, apiOK, waitForText } from '../harness.mjs';

test("the host's archive right after ending shows what happened in the room", async (t) => {
  const { server, browser } = await setUp(t);
  const errors = [];
  const { host, guest } = await twoPeople(browser, server.url, 'arch', { host: 'Arch Host', guest: '손님', errors });
  const s = await openSession(host, { title: '끝나고 보는 기록' });
  for (const text of ['사전 질문 하나', '사전 질문 둘']) await apiOK(guest, 'POST', `/sessions/${s.id}/questions`, { text });

  // The host looks at the session page (the app caches it) and goes live.
  await host.goto(`${server.url}/sessions/${s.id}`);
  await host.getByText('사전 질문 둘').waitFor();
  await host.getByRole('button', { name: 'Go live' }).click();
  await host.waitForURL(`**/sessions/${s.id}/live`);

  // Both pre-questions answered in the room.
  const current = host.getByRole('region', { name: 'Current question' });
  for (const text of ['사전 질문 하나', '사전 질문 둘']) {
    await host.getByRole('tabpanel').getByRole('listitem').filter({ hasText: text }).getByRole('button', { name: 'Answer this' }).click();
    await current.getByText(text).waitFor();
    await current.getByRole('button', { name: 'Mark answered' }).click();
    await current.getByText(text).waitFor({ state: 'detached' });
  }

  await host.getByRole('button', { name: 'End session' }).click();
  await host.getByRole('dialog').getByRole('button', { name: 'End session' }).click();
  await host.waitForURL(`**/sessions/${s.id}/archive`);
  const archive = host.getByRole('region', { name: /Answered questions/ });
  await waitForText(archive.getByRole('heading'), '(2)');
  await archive.getByText('사전 질문 하나').waitFor();
  await archive.getByText('사전 질문 둘').waitFor();
  await waitForText(host.locator('main .badge').first(), /Ended/i);
  assert.equal(await host.locator('main .badge-live').count(), 0, 'no LIVE badge on an ended session');
  assert.deepEqual(errors, []);
});
