// Slow mode for the chat: the host turns it on from the chat panel; a guest
// is told, sends one message and then sees the send button count down,
// unable to send a second; the host still sends freely; turned off, the
// guest sends the waiting message at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setUp, twoPeople, openSession, shotPath, waitFor, waitForText } from '../harness.mjs';

// shots saves a full-page picture at 390 and 1366 px, then gives the page its width back.
async function shots(page, name, lang) {
  const own = page.viewportSize();
  await page.evaluate(() => window.scrollTo(0, 0));
  for (const width of [390, 1366]) {
    await page.setViewportSize({ width, height: width < 700 ? 844 : 900 });
    await page.evaluate(() => document.fonts.ready);
    await page.screenshot({ path: shotPath(`${name}-${lang}-${width}`), fullPage: true });
  }
  await page.setViewportSize(own);
}

async function switchTo(page, name) {
  await page.locator('header').getByRole('button', { name: /Language|언어/ }).click();
  await page.getByRole('menuitemradio', { name }).click();
}

/** Sends a chat line from the page's composer. */
async function say(page, text) {
  await page.locator('#chat-input').fill(text);
  await page.locator('#chat-input').press('Enter');
}

test('slow mode holds guests, not the host, and lifts at once', async (t) => {
  const { server, browser } = await setUp(t);
  const errors = [];
  const { host, guest } = await twoPeople(browser, server.url, 'slow', { host: 'Slow Host', guest: '느린 손님', errors });
  const s = await openSession(host, { title: '슬로우 모드 채팅', openNow: true });
  await host.goto(`${server.url}/sessions/${s.id}/live`);
  await guest.goto(`${server.url}/sessions/${s.id}/live`);
  // The chat panel, in either language (each switches once below).
  const hostChat = host.getByRole('region', { name: /^(Chat|채팅)$/ });
  const guestChat = guest.getByRole('region', { name: /^(Chat|채팅)$/ });
  await guest.locator('#chat-input').waitFor();
  // Guests have no control for it.
  assert.equal(await guestChat.getByRole('combobox').count(), 0);

  await hostChat.getByLabel('Slow mode').selectOption({ label: '1 min' });
  await waitForText(hostChat.getByRole('status'), 'Slow mode: guests send one message every 1 min; the host and the team are not held back.');
  await waitForText(guestChat.getByRole('status'), '슬로우 모드: 1분마다 메시지를 하나씩 보낼 수 있어요.');

  // One message goes; then the button counts down and a second one waits in the box.
  await say(guest, '첫 메시지');
  await guestChat.getByRole('listitem').filter({ hasText: '첫 메시지' }).waitFor();
  const wait = guestChat.getByRole('button', { name: /뒤에 보낼 수 있어요/ });
  await waitForText(wait, /⏱ 0:[3-5]\d|⏱ 1:00/);
  assert.equal(await wait.isDisabled(), true);
  await say(guest, '두 번째 메시지');
  assert.equal(await wait.isDisabled(), true);

  // The host is not held back: two lines in a row, and no countdown.
  await say(host, 'Host line one');
  await hostChat.getByRole('listitem').filter({ hasText: 'Host line one' }).waitFor();
  await say(host, 'Host line two');
  await guestChat.getByRole('listitem').filter({ hasText: 'Host line two' }).waitFor();
  assert.equal(await hostChat.getByRole('button', { name: 'Send' }).count(), 1);
  assert.equal(await hostChat.getByRole('button', { name: /You can send in/ }).count(), 0);
  // The guest's second message was never sent: it is still in the box.
  assert.equal(await guestChat.getByRole('listitem').filter({ hasText: '두 번째 메시지' }).count(), 0);
  assert.equal(await guest.locator('#chat-input').inputValue(), '두 번째 메시지');
  assert.match(await wait.innerText(), /⏱ (0:[0-5]\d|1:00)/);

  await shots(guest, 'slow-mode-guest', 'ko');
  await shots(host, 'slow-mode-host', 'en');
  await switchTo(guest, 'English');
  await waitForText(guestChat.getByRole('status'), 'Slow mode: one message every 1 min');
  await guest.getByRole('button', { name: /You can send in/ }).waitFor();
  await switchTo(host, '한국어');
  await waitForText(hostChat.getByRole('status'), '호스트와 팀은 제한이 없어요.');
  await shots(guest, 'slow-mode-guest', 'en');
  await shots(host, 'slow-mode-host', 'ko');
  await switchTo(host, 'English');
  await hostChat.getByLabel('Slow mode').waitFor();

  // Turned off, the waiting message goes at once.
  assert.equal(await guest.getByRole('button', { name: /You can send in/ }).isDisabled(), true, 'still counting down before it is turned off');
  await hostChat.getByLabel('Slow mode').selectOption({ label: 'Off' });
  const send = guestChat.getByRole('button', { name: 'Send' });
  await send.waitFor();
  await waitFor(async () => (await guestChat.getByRole('status').innerText()) === '', { what: 'the notice to go' });
  await send.click();
  await hostChat.getByRole('listitem').filter({ hasText: '두 번째 메시지' }).waitFor();
  assert.equal(await guest.locator('#chat-input').inputValue(), '');
  assert.equal(await hostChat.getByLabel('Slow mode').inputValue(), '0');
  assert.deepEqual(errors, []);
});
