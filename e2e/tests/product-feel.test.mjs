// How the app feels beyond its features: questions the app asks are its own
// dialogs (labelled, focus kept inside, Escape closes, focus returns), what
// it did is told in a notification, the language is chosen from a menu of
// the app's own, keyboard only, and a desktop main page uses its width.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setUp, person, openSession, focused, waitFor } from '../harness.mjs';

test('dialogs, notifications, the language menu and the desktop main page', async (t) => {
  const { server, browser } = await setUp(t);
  const errors = [];
  const { page } = await person(browser, server.url, { username: 'feelhost', displayName: 'Feel Host', errors });
  const native = [];
  page.on('dialog', (d) => { native.push(d.message()); void d.dismiss(); });
  const s = await openSession(page, { title: 'Keyboard only Q&A' });

  // Deleting asks first, in a dialog of the app's own.
  await page.goto(server.url + '/me');
  const card = page.getByRole('region', { name: /Sessions I host/ }).getByRole('listitem').filter({ hasText: 'Keyboard only Q&A' });
  const del = card.getByRole('button', { name: 'Delete' });
  await del.click();
  const dialog = page.getByRole('dialog', { name: 'Delete this session?' });
  await dialog.waitFor();
  assert.equal(await dialog.getAttribute('aria-modal'), 'true');
  assert.ok((await focused(page, '[role=dialog]')).inside, 'focus moves into the dialog');
  for (let i = 0; i < 4; i++) {
    await page.keyboard.press('Tab');
    assert.ok((await focused(page, '[role=dialog]')).inside, 'Tab keeps focus inside the dialog');
  }
  await page.keyboard.press('Shift+Tab');
  assert.ok((await focused(page, '[role=dialog]')).inside, 'Shift+Tab keeps focus inside the dialog');
  // Escape cancels and gives focus back to the button that opened it.
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  await waitFor(async () => (await focused(page)).text === 'Delete', { what: 'focus back on Delete' });
  await card.waitFor();

  // Confirmed, the session is cancelled and a notification says so.
  await del.click();
  await dialog.getByRole('button', { name: 'Delete' }).click();
  await card.waitFor({ state: 'detached' });
  const notes = page.getByRole('region', { name: 'Notifications' });
  await notes.getByText('Session deleted.').waitFor();
  const gone = await page.evaluate((id) => fetch(`/api/v1/sessions/${id}`).then((r) => r.json()), s.id);
  assert.equal(gone.state, 'cancelled');
  assert.deepEqual(native, [], 'no native dialog was used');

  // The language menu, keyboard only: no native select.
  assert.equal(await page.locator('header select').count(), 0, 'no <select> in the header');
  const lang = page.getByRole('button', { name: /Language/ });
  await lang.focus();
  await page.keyboard.press('Enter');
  const menu = page.getByRole('menu');
  await menu.waitFor();
  assert.equal(await menu.getByRole('menuitemradio', { name: 'English' }).getAttribute('aria-checked'), 'true');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await menu.waitFor({ state: 'detached' });
  await waitFor(() => page.evaluate(() => document.documentElement.lang === 'ko'), { what: 'the page in Korean' });
  assert.match((await focused(page)).text, /언어/, 'focus returns to the language button');
  await page.keyboard.press('Enter');
  await page.getByRole('menu').waitFor();
  await page.keyboard.press('Escape');
  await page.getByRole('menu').waitFor({ state: 'detached' });
  await page.getByRole('button', { name: /언어/ }).click();
  await page.getByRole('menuitemradio', { name: 'English' }).click();
  await waitFor(() => page.evaluate(() => document.documentElement.lang === 'en'), { what: 'the page in English' });

  // The desktop main page uses its width: the sessions and a side column
  // stand side by side, and an empty section offers something to do.
  await openSession(page, { title: 'Something upcoming' });
  await page.goto(server.url + '/');
  const feed = page.getByRole('region', { name: 'Upcoming' });
  await feed.getByText('Something upcoming').waitFor();
  const side = page.getByRole('complementary', { name: 'About ask2live' });
  await side.waitFor();
  const [f, a] = [await feed.boundingBox(), await side.boundingBox()];
  assert.ok(a.x >= f.x + f.width, `side column right of the sessions (${JSON.stringify({ f, a })})`);
  assert.ok(a.y < 400, 'the side column starts at the top');
  const live = page.getByRole('region', { name: 'Live now' });
  await live.getByRole('link', { name: 'Open a session' }).waitFor();
  assert.deepEqual(errors, []);
});
