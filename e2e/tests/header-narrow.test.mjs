// The header fits a phone: at 360 and 390 px, signed out and signed in, in
// Korean and English, nothing is cut off and the page never scrolls sideways.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setUp, signUp } from '../harness.mjs';

const words = {
  en: { login: 'Log in', register: 'Sign up', logout: 'Log out' },
  ko: { login: '로그인', register: '회원가입', logout: '로그아웃' },
};

/** Fails if the page scrolls sideways or a named control sticks out of the viewport. */
async function fits(page, names, where) {
  const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
  assert.ok(scroll <= width, `${where}: the page is ${scroll} px wide in a ${width} px viewport`);
  for (const name of names) {
    const el = page.locator('header').getByRole('link', { name, exact: true }).or(page.locator('header').getByRole('button', { name, exact: true }));
    await el.waitFor();
    const box = await el.boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= width, `${where}: "${name}" is cut off (${JSON.stringify(box)})`);
  }
}

test('the header fits a phone in both languages', async (t) => {
  const { server, browser } = await setUp(t);
  for (const lang of ['en', 'ko']) {
    for (const width of [360, 390]) {
      const ctx = await browser.newContext({ locale: lang === 'ko' ? 'ko-KR' : 'en-US', viewport: { width, height: 780 } });
      const page = await ctx.newPage();
      page.setDefaultTimeout(15000);
      await page.goto(server.url + '/');
      await page.getByRole('heading', { level: 1 }).waitFor();
      await fits(page, [words[lang].login, words[lang].register], `${lang} ${width} px signed out`);
      await signUp(page, server.url, { username: `narrow${lang}${width}`, password: 'password-narrow', displayName: 'A rather long display name', ko: lang === 'ko' });
      await page.goto(server.url + '/');
      await page.getByRole('heading', { level: 1 }).waitFor();
      await fits(page, [words[lang].logout], `${lang} ${width} px signed in`);
      await ctx.close();
    }
  }
});
