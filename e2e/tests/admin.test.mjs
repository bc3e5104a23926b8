// Site administration through the real binary: an admin granted on the
// command line suspends a guest who is logged in elsewhere; the guest's
// live room closes and sends them to log in, their next action on another
// page shows they are logged out, their log-in is refused as
// suspended, in their language, and the audit log shows who did it. The
// Admin page is photographed in both languages at phone and desktop width.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setUp, shotPath, person, openSession, api, waitForText } from '../harness.mjs';

test('an admin from the command line suspends a guest, who is logged out at once', async (t) => {
  const { server, browser } = await setUp(t);
  const base = server.url;
  const errors = [];
  const boss = await person(browser, base, { username: 'boss', displayName: 'Site Boss', errors });
  const guest = await person(browser, base, { username: 'gst', displayName: '정지될 손님', lang: 'ko', width: 390, errors });
  const s = await openSession(boss.page, { title: '관리 시험 세션', target: 3 });
  const liveS = await openSession(boss.page, { title: '라이브 관리 시험', openNow: true });

  // Not an admin yet: no way in.
  await boss.page.goto(base + '/admin');
  await boss.page.getByRole('heading', { name: 'Page not found.' }).waitFor();
  assert.equal(await boss.page.getByRole('link', { name: 'Admin', exact: true }).count(), 0);

  const unknown = await server.tool('admin', 'grant', 'nobody');
  assert.equal(unknown.code, 1, unknown.stderr);
  assert.match(unknown.stderr, /no user "nobody"/);
  const granted = await server.tool('admin', 'grant', 'boss');
  assert.equal(granted.code, 0, granted.stderr);
  assert.match(granted.stdout, /boss is a site admin/);

  // A fresh log-in reads the role from the database at once.
  await boss.page.getByRole('button', { name: 'Log out' }).click();
  await boss.page.goto(base + '/login');
  await boss.page.getByLabel('Username').fill('boss');
  await boss.page.getByLabel('Password').fill('password-boss');
  await boss.page.getByRole('main').getByRole('button', { name: 'Log in' }).click();
  await boss.page.getByRole('link', { name: 'Admin', exact: true }).click();
  await boss.page.getByRole('heading', { name: 'Site administration', level: 1 }).waitFor();

  // The guest is on the session's page, signed in.
  await guest.page.goto(`${base}/sessions/${s.id}`);
  await guest.page.getByRole('button', { name: '찜하기' }).waitFor();
  // …and in a live room on another page.
  const room = await guest.ctx.newPage();
  room.on('pageerror', (e) => errors.push(`gst room: ${e.message}`));
  await room.goto(`${base}/sessions/${liveS.id}/live`);
  await room.locator('#live-ask').waitFor();

  // Find the guest and suspend them, through the app's own dialog.
  const accounts = boss.page.getByRole('region', { name: 'Accounts' });
  await accounts.getByRole('searchbox', { name: 'Username or display name' }).fill('gst');
  await accounts.getByRole('button', { name: 'Search' }).click();
  const actions = accounts.getByRole('group', { name: 'Actions on @gst' });
  await actions.getByRole('button', { name: 'Suspend' }).click();
  const dialog = boss.page.getByRole('dialog', { name: 'Suspend 정지될 손님?' });
  await dialog.getByRole('button', { name: 'Suspend' }).click();
  await boss.page.getByText('@gst is suspended.').waitFor();
  await actions.getByRole('button', { name: 'Unsuspend' }).waitFor();
  await accounts.getByText(/^Suspended · /).waitFor();

  // The audit log says who did what, newest first.
  const audit = boss.page.getByRole('region', { name: 'Audit log' });
  const newest = audit.getByRole('listitem').first();
  await waitForText(newest, 'Suspended · @gst');
  await waitForText(newest, '@boss');
  await waitForText(audit.getByRole('listitem').nth(1), /Made admin · @boss[\s\S]*command line/);

  // The live room closed at once and sent the guest to log in.
  await room.waitForURL((u) => u.pathname === '/login', { timeout: 15000 });
  await room.close();

  // The guest's next action finds them logged out.
  await guest.page.getByRole('button', { name: '찜하기' }).click();
  await guest.page.getByRole('banner').getByRole('link', { name: '로그인' }).waitFor();
  assert.equal((await api(guest.page, 'GET', '/me')).status, 401);

  // Logging in again is refused, in Korean, and only with the right password.
  await guest.page.goto(base + '/login');
  await guest.page.getByLabel('아이디').fill('gst');
  await guest.page.getByLabel('패스워드').fill('wrong-password');
  await guest.page.getByRole('main').getByRole('button', { name: '로그인' }).click();
  await guest.page.getByText('아이디 또는 패스워드가 맞지 않습니다.').waitFor();
  await guest.page.getByLabel('패스워드').fill('password-gst');
  await guest.page.getByRole('main').getByRole('button', { name: '로그인' }).click();
  await guest.page.getByText('이용이 정지된 계정입니다. 운영자에게 문의해 주세요.').waitFor();
  assert.match(guest.page.url(), /\/login$/);

  // The Admin page in both languages, at phone and desktop width.
  const state = await boss.ctx.storageState();
  const problems = [];
  for (const lang of ['ko', 'en']) {
    for (const width of [390, 1366]) {
      const ctx = await browser.newContext({ locale: lang === 'ko' ? 'ko-KR' : 'en-US', viewport: { width, height: width < 700 ? 844 : 900 }, storageState: state });
      const page = await ctx.newPage();
      page.on('pageerror', (e) => errors.push(`admin ${lang} ${width}: ${e.message}`));
      await page.goto(base + '/admin');
      await page.getByRole('heading', { name: lang === 'ko' ? '사이트 관리' : 'Site administration', level: 1 }).waitFor();
      await page.getByText('@gst').first().waitFor();
      await page.getByText('관리 시험 세션').first().waitFor();
      await page.getByText(lang === 'ko' ? '계정 정지' : 'Suspended · @gst').first().waitFor();
      await page.evaluate(() => document.fonts.ready);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      if (overflow > 0) problems.push(`${lang} ${width}: scrolls sideways by ${overflow} px`);
      await page.screenshot({ path: shotPath(`admin-${lang}-${width}`), fullPage: true });
      await ctx.close();
    }
  }
  assert.deepEqual(problems, []);
  assert.deepEqual(errors, []);
});
