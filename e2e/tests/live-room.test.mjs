// Two people in two browsers against the real binary: sign up, the host
// opens a live session, the guest finds it on the main page, asks a text
// question that the host sees live, and they chat both ways. Screenshots of
// the main page, the session page and the live room, in Korean and English,
// phone and desktop, go to artifacts/screenshots.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setUp, shotPath, signUp, hostAndGuest, phone, desktop } from '../harness.mjs';


test('host and guest meet in a live room', async (t) => {
  const { server, browser } = await setUp(t);
  const errors = [];
  const { hostCtx, guestCtx, host, guest } = await hostAndGuest(browser, errors);

  await signUp(host, server.url, { username: 'host1', password: 'password-host', displayName: 'Kim Host' });
  await signUp(guest, server.url, { username: 'guest1', password: 'password-guest', displayName: '손님', ko: true });

  // The host opens a session right now and lands in its live room.
  await host.goto(server.url + '/sessions/new');
  await host.getByLabel('Title').fill('Go로 만드는 라이브 Q&A');
  await host.getByLabel('Open a live session right now').check();
  await host.getByRole('button', { name: 'Create' }).click();
  await host.waitForURL(/\/sessions\/[0-9a-z]+\/live$/, { timeout: 15000 });
  const id = new URL(host.url()).pathname.split('/')[2];
  await host.locator('#chat-input').waitFor({ timeout: 15000 });

  // The guest's main page lists it as live.
  await guest.goto(server.url + '/');
  await guest.getByText('Go로 만드는 라이브 Q&A').first().waitFor({ timeout: 15000 });
  await guest.screenshot({ path: shotPath('main-ko-phone') });

  // The guest joins and asks; the host sees the question without reloading.
  await guest.goto(`${server.url}/sessions/${id}/live`);
  await guest.locator('#live-ask').waitFor({ timeout: 15000 });
  const question = '고루틴은 몇 개까지 괜찮나요?';
  await guest.locator('#live-ask').fill(question);
  const asked = Date.now();
  await guest.locator('#live-ask').press('Enter');
  await host.getByText(question).first().waitFor({ timeout: 5000 });
  console.log(`question visible to the host after ${Date.now() - asked} ms`);

  // Chat both ways.
  await host.locator('#chat-input').fill('반갑습니다, 여러분');
  await host.locator('#chat-input').press('Enter');
  await guest.getByText('반갑습니다, 여러분').first().waitFor({ timeout: 5000 });
  await guest.locator('#chat-input').fill('thanks from the guest');
  await guest.locator('#chat-input').press('Enter');
  await host.getByText('thanks from the guest').first().waitFor({ timeout: 5000 });

  await host.screenshot({ path: shotPath('live-host-en-desktop'), fullPage: true });
  await guest.screenshot({ path: shotPath('live-guest-ko-phone'), fullPage: true });

  // The same room for the guest on a desktop in English, and the host on a
  // phone in Korean.
  const guestEn = await (await browser.newContext({ locale: 'en-US', viewport: desktop, storageState: await guestCtx.storageState() })).newPage();
  await guestEn.goto(`${server.url}/sessions/${id}/live`);
  await guestEn.getByText(question).first().waitFor({ timeout: 15000 });
  await guestEn.screenshot({ path: shotPath('live-guest-en-desktop'), fullPage: true });
  const hostKo = await (await browser.newContext({ locale: 'ko-KR', viewport: phone, storageState: await hostCtx.storageState() })).newPage();
  await hostKo.goto(`${server.url}/sessions/${id}/live`);
  await hostKo.getByText(question).first().waitFor({ timeout: 15000 });
  await hostKo.screenshot({ path: shotPath('live-host-ko-phone'), fullPage: true });

  // Session page and main page, both languages.
  await host.goto(`${server.url}/sessions/${id}`);
  await host.getByText('Go로 만드는 라이브 Q&A').first().waitFor();
  await host.screenshot({ path: shotPath('session-en-desktop'), fullPage: true });
  await guest.goto(`${server.url}/sessions/${id}`);
  await guest.getByText('Go로 만드는 라이브 Q&A').first().waitFor();
  await guest.screenshot({ path: shotPath('session-ko-phone'), fullPage: true });
  await host.goto(server.url + '/');
  await host.getByText('Go로 만드는 라이브 Q&A').first().waitFor();
  await host.screenshot({ path: shotPath('main-en-desktop'), fullPage: true });

  assert.deepEqual(errors, [], 'no errors in the pages');
});
