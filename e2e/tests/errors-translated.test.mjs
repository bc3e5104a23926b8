// What the server refuses reaches people in their language: a taken
// username, a wrong password, a session or person that does not exist —
// never the server's English detail, and a missing page offers a way back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setUp, person } from '../harness.mjs';

// An id of the right shape that names nothing.
const missing = '06h116jyy0qry9ja60bp8arhhw';

const serverWords = /is taken|wrong username|not found|no such|invalid input|must be/i;

test('server errors are translated, and missing pages lead back', async (t) => {
  const { server, browser } = await setUp(t);
  const errors = [];
  await person(browser, server.url, { username: 'taken1', displayName: '먼저 온 사람', lang: 'ko', width: 390, errors });

  const ctx = await browser.newContext({ locale: 'ko-KR', viewport: { width: 390, height: 844 } });
  const page = await ctx.newPage();
  page.setDefaultTimeout(15000);
  page.on('pageerror', (e) => errors.push(e.message));

  // A taken username, next to the field, in Korean.
  await page.goto(server.url + '/register');
  await page.getByLabel('아이디').fill('taken1');
  await page.getByLabel('닉네임').fill('나중에 온 사람');
  await page.getByLabel('패스워드').fill('password-later');
  await page.getByRole('button', { name: '가입하기' }).click();
  await page.getByText('이미 사용 중인 아이디입니다.').waitFor();
  assert.doesNotMatch(await page.locator('main').innerText(), serverWords);

  // A wrong password.
  await page.goto(server.url + '/login');
  await page.getByLabel('아이디').fill('taken1');
  await page.getByLabel('패스워드').fill('not-the-password');
  await page.getByRole('button', { name: '로그인', exact: true }).click();
  await page.getByRole('alert').filter({ hasText: '아이디 또는 패스워드가 맞지 않습니다.' }).waitFor();
  assert.doesNotMatch(await page.locator('main').innerText(), serverWords);
  await page.getByLabel('패스워드').fill('password-taken1');
  await page.getByRole('button', { name: '로그인', exact: true }).click();
  await page.waitForURL(server.url + '/');

  // Pages of things that do not exist say so and lead back.
  for (const [path, text] of [
    [`/sessions/${missing}`, '세션을 찾을 수 없습니다.'],
    [`/sessions/${missing}/archive`, '세션을 찾을 수 없습니다.'],
    [`/sessions/${missing}/edit`, '세션을 찾을 수 없습니다.'],
    ['/u/nobody-here', '사용자를 찾을 수 없습니다.'],
    ['/no/such/page', '페이지를 찾을 수 없습니다.'],
  ]) {
    await page.goto(server.url + path);
    await page.getByRole('heading', { name: text }).waitFor();
    assert.doesNotMatch(await page.locator('main').innerText(), serverWords, path);
    await page.getByRole('link', { name: '메인으로 가기' }).click();
    await page.waitForURL(server.url + '/');
  }

  // The same in English.
  const en = await (await browser.newContext({ locale: 'en-US', viewport: { width: 1366, height: 900 } })).newPage();
  en.setDefaultTimeout(15000);
  await en.goto(`${server.url}/sessions/${missing}`);
  await en.getByRole('heading', { name: 'Session not found.' }).waitFor();
  await en.getByRole('link', { name: 'Go to the main page' }).waitFor();
  assert.deepEqual(errors, []);
});
