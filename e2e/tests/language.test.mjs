// Messages the app has shown follow a language switch: a "question posted"
// notice in the live room and a "saved" notice on the profile page read in
// the new language at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setUp, twoPeople, openSession } from '../harness.mjs';

async function switchTo(page, name) {
  await page.locator('header').getByRole('button', { name: /Language|언어/ }).click();
  await page.getByRole('menuitemradio', { name }).click();
}

test('shown messages switch language with the page', async (t) => {
  const { server, browser } = await setUp(t);
  const errors = [];
  const { host, guest } = await twoPeople(browser, server.url, 'lang', { host: 'Lang Host', guest: '손님', errors });
  const s = await openSession(host, { title: '언어 바꾸기', openNow: true });
  await guest.goto(`${server.url}/sessions/${s.id}/live`);
  await guest.locator('#live-ask').fill('언어를 바꾸면 어떻게 되나요?');
  await guest.locator('#live-ask').press('Enter');
  await guest.getByText('질문 등록 성공!').first().waitFor({ state: 'attached' });
  await switchTo(guest, 'English');
  await guest.getByText('Question posted!').first().waitFor({ state: 'attached' });
  assert.equal(await guest.getByText('질문 등록 성공!').count(), 0, 'no Korean notice left');

  await guest.goto(server.url + '/me/edit');
  await guest.getByLabel('Company').fill('ask2live');
  await guest.getByRole('button', { name: 'Save', exact: true }).click();
  await guest.getByText('Saved.').first().waitFor({ state: 'attached' });
  await switchTo(guest, '한국어');
  await guest.getByText('저장했습니다.').first().waitFor({ state: 'attached' });
  assert.equal(await guest.getByText('Saved.').count(), 0, 'no English notice left');
  assert.deepEqual(errors, []);
});
