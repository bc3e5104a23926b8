// A session's page follows what happens to it without a reload: the host
// watching it sees a guest's wish and pre-questions arrive (and so that
// Confirm is now possible), and the question count agrees with the list.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setUp, twoPeople, openSession, waitForText } from '../harness.mjs';

test('the session page updates live and counts its questions', async (t) => {
  const { server, browser } = await setUp(t);
  const errors = [];
  const { host, guest } = await twoPeople(browser, server.url, 'detail', { host: 'Detail Host', guest: '손님', errors });
  const s = await openSession(host, { title: '실시간으로 바뀌는 세션', target: 1 });

  await host.goto(`${server.url}/sessions/${s.id}`);
  await host.getByText('0/1 wishes').waitFor();
  await host.evaluate(() => { window.__samePage = true; });
  assert.equal(await host.getByRole('button', { name: 'Confirm' }).count(), 0);

  // The guest wishes and asks two pre-questions on the same page.
  await guest.goto(`${server.url}/sessions/${s.id}`);
  await guest.getByRole('button', { name: /찜하기/ }).click();
  await guest.getByText('찜 1/1').waitFor();
  for (const text of ['첫 번째 사전 질문', '두 번째 사전 질문']) {
    await guest.getByLabel('질문하기').fill(text);
    await guest.getByRole('button', { name: '등록', exact: true }).click();
    await guest.getByRole('listitem').filter({ hasText: text }).waitFor();
  }
  // The count above the list agrees with the list.
  await waitForText(guest.locator('.facts'), '질문 2개');
  await waitForText(guest.getByRole('heading', { name: /사전 질문/ }), '(2)');

  // The host's page shows all of it without a reload.
  await host.getByText('1/1 wishes').waitFor();
  await host.getByRole('button', { name: 'Confirm' }).waitFor();
  await host.getByText('두 번째 사전 질문').waitFor();
  await waitForText(host.locator('.facts'), '2 questions');
  assert.equal(await host.evaluate(() => window.__samePage), true, 'no reload');

  // A question deleted by its author leaves the host's page too.
  const item = guest.getByRole('listitem').filter({ hasText: '첫 번째 사전 질문' });
  await item.getByRole('button', { name: '삭제' }).click();
  await guest.getByRole('dialog').getByRole('button', { name: '삭제' }).click();
  await host.getByText('첫 번째 사전 질문').waitFor({ state: 'detached' });
  await waitForText(host.locator('.facts'), '1 question');
  assert.deepEqual(errors, []);
});
