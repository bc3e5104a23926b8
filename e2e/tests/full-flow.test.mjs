// The whole product in two browsers against the real binary: a host opens a
// session that needs one wish, a guest wishes it and sends a pre-question,
// the host confirms and goes live, the guest's main page shows it live by
// itself, the guest joins, asks in text (answered live) and by voice; the
// host gives the guest the mic and hears the guest's voice through the audio
// server (WebRTC stats in the host's page), takes the mic back, they chat,
// the host ends the session and the guest lands on the archive. Muting the
// guest from the host's side checks the audio server itself: the guest's
// browser keeps sending, and the host must hear nothing.
//
// Voice is checked with the page's own diagnostics (`?debug=voice`, see
// web/src/live/debug.ts): Chromium's fake microphone beeps, so the host's
// inbound audio has rising byte counters and a non-zero level.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setUp, shotPath, signUp, waitFor, hostAndGuest } from '../harness.mjs';

const title = '라이브로 듣는 Go 동시성';

/** Inbound audio totals and the loudest level, from the page's voice diagnostics. */
function inboundAudio(page) {
  return page.evaluate(async () => {
    const st = await window.ask2live?.voiceStats();
    const inbound = st?.inbound ?? [];
    return {
      streams: inbound.length,
      bytes: inbound.reduce((n, s) => n + s.bytesReceived, 0),
      packets: inbound.reduce((n, s) => n + s.packetsReceived, 0),
      level: Math.max(0, ...inbound.map((s) => s.audioLevel)),
    };
  });
}

/**
 * Waits until the page receives audio now: at least half a second of
 * packets (25 at 20 ms each) arrive after the first look, and some sample
 * has a level well above silence (the fake microphone beeps twice a second,
 * so not every sample does; its beeps measure 0.25 to 1, digital silence 0
 * to 0.00003). A stream replaced by a new one may lower the totals: the
 * count starts again from the lowest seen.
 */
async function waitForAudio(page, timeout = 20000) {
  let loudest = 0;
  let base = Infinity;
  let last;
  return waitFor(async () => {
    last = await inboundAudio(page);
    base = Math.min(base, last.packets);
    loudest = Math.max(loudest, last.level);
    return last.packets >= base + 25 && loudest > 0.01 ? { ...last, loudest } : false;
  }, { timeout, what: 'audio', seen: () => `(first packets: ${base}, last: ${JSON.stringify(last)}, loudest ${loudest})` });
}

/** Waits until the page's inbound audio byte count stays the same for quietMs. */
async function waitForSilence(page, quietMs = 1500, timeout = 15000) {
  let bytes = -1;
  let since = 0;
  return waitFor(async () => {
    const now = await inboundAudio(page);
    if (now.bytes !== bytes) {
      bytes = now.bytes;
      since = Date.now();
      return false;
    }
    return Date.now() - since >= quietMs ? now : false;
  }, { timeout, every: 100, what: `the audio to stop for ${quietMs} ms`, seen: () => `(bytes still rising: ${bytes})` });
}

/** Packets the page has sent from its microphone slot. */
async function sentPackets(page) {
  const st = await page.evaluate(() => window.ask2live?.voiceStats());
  return (st?.outbound ?? []).reduce((n, s) => n + s.packetsSent, 0);
}

/** A datetime-local value for a day from now, in the page's time zone. */
function tomorrowInput(page) {
  return page.evaluate(() => {
    const d = new Date(Date.now() + 24 * 3600 * 1000);
    const p = (n) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
  });
}

test('a session from its first wish to its archive, with the guest on air', async (t) => {
  const { server, browser } = await setUp(t);
  const errors = [];
  const { host, guest } = await hostAndGuest(browser, errors);

  await signUp(host, server.url, { username: 'host2', password: 'password-host', displayName: 'Lee Host' }, '?debug=voice');
  await signUp(guest, server.url, { username: 'guest2', password: 'password-guest', displayName: '손님둘', ko: true }, '?debug=voice');

  // The host opens a session that goes ahead once one guest wishes it.
  await host.goto(server.url + '/sessions/new');
  await host.getByLabel('Title').fill(title);
  await host.getByLabel('Start time').fill(await tomorrowInput(host));
  await host.getByLabel('Target guests').fill('1');
  await host.getByRole('button', { name: 'Create' }).click();
  await host.waitForURL((u) => /^\/sessions\/[0-9a-z]+$/.test(u.pathname) && u.pathname !== '/sessions/new', { timeout: 15000 });
  const id = new URL(host.url()).pathname.split('/')[2];
  await host.getByText('0/1 wishes').waitFor();

  // The guest finds it among the sessions recruiting guests, wishes it and
  // sends a pre-question.
  await guest.goto(server.url + '/');
  await guest.getByRole('article').getByRole('link', { name: title }).click();
  await guest.waitForURL(`**/sessions/${id}`);
  await guest.getByRole('button', { name: '찜하기' }).click();
  await guest.getByText('찜 1/1').waitFor();
  const preQuestion = '고루틴 누수는 어떻게 찾나요?';
  await guest.getByLabel('질문하기').fill(preQuestion);
  await guest.getByRole('button', { name: '등록', exact: true }).click();
  // In the list (the box may still hold the text for a moment).
  await guest.getByRole('list', { name: '등록된 질문' }).getByText(preQuestion).waitFor();

  // The guest goes back to the main page and stays there: everything from
  // now on must reach it without a reload.
  await guest.goto(server.url + '/');
  await guest.getByRole('article').getByRole('link', { name: title }).waitFor();
  await guest.evaluate(() => { window.__e2eSamePage = true; });

  // The host sees the wish and the pre-question, confirms, and goes live.
  await host.reload();
  await host.getByRole('list', { name: 'Questions' }).getByText(preQuestion).waitFor();
  await host.getByRole('button', { name: 'Confirm' }).click();
  // Confirming moves it to the guest's "upcoming" section: the main page's
  // event stream is connected.
  await guest.getByRole('region', { name: '예정된 Q&A' }).getByRole('link', { name: title }).waitFor({ timeout: 10000 });
  await host.getByRole('button', { name: 'Go live' }).click();
  await host.waitForURL(`**/sessions/${id}/live`, { timeout: 15000 });
  await host.locator('#chat-input').waitFor({ timeout: 15000 });

  // The guest's main page pins it on top as a wished session gone live.
  const wishedLive = guest.getByRole('region', { name: '찜했던 Live Q&A가 시작했어요!' });
  await wishedLive.getByRole('link', { name: title }).waitFor({ timeout: 10000 });
  assert.equal(await guest.evaluate(() => window.__e2eSamePage), true, 'the main page updated without a reload');
  await guest.screenshot({ path: shotPath('main-wished-live-ko-phone'), fullPage: true });

  // The guest joins from there and asks in text; the host sees it within a second.
  await wishedLive.getByRole('link', { name: title }).click();
  await guest.waitForURL(`**/sessions/${id}/live`);
  await guest.locator('#live-ask').waitFor({ timeout: 15000 });
  // The host is on air from the start: the guest, only listening (no
  // microphone on its slot), hears the host.
  await waitForAudio(guest);
  assert.equal(await sentPackets(guest), 0, 'a listener sends nothing');

  const question = '채널과 뮤텍스 중 무엇을 먼저 쓰나요?';
  await guest.locator('#live-ask').fill(question);
  const asked = Date.now();
  await guest.locator('#live-ask').press('Enter');
  await host.getByText(question).first().waitFor({ timeout: 1000 });
  console.log(`text question visible to the host after ${Date.now() - asked} ms`);

  // The host answers it; the guest sees it among the answered questions.
  const hostQueue = host.getByRole('tabpanel');
  await hostQueue.getByRole('listitem').filter({ hasText: question }).getByRole('button', { name: 'Answer this' }).click();
  const current = host.getByRole('region', { name: 'Current question' });
  await current.getByText(question).waitFor();
  await current.getByRole('button', { name: 'Mark answered' }).click();
  await guest.getByRole('tab', { name: /답변된 질문 \(1\)/ }).click();
  await guest.getByRole('tabpanel').getByRole('listitem').filter({ hasText: question }).getByText('답변 완료').waitFor({ timeout: 5000 });
  await guest.getByRole('tab', { name: /등록된 질문/ }).click();

  // Before anyone is granted the mic, the host hears nobody.
  assert.equal((await inboundAudio(host)).streams, 0, 'no guest audio before the mic is granted');

  // The guest raises a hand; the host takes the voice question and grants the mic.
  await guest.getByRole('button', { name: '음성으로 질문하기 (손들기)' }).click();
  await guest.getByText('손을 들었어요').waitFor();
  await hostQueue.getByRole('listitem').filter({ hasText: '(voice question)' }).getByRole('button', { name: 'Answer this' }).click();
  await current.getByRole('button', { name: 'Give mic' }).click();
  await guest.getByText('지금 방송 중입니다').waitFor({ timeout: 5000 });

  // The host's browser receives the guest's voice.
  const heard = await waitForAudio(host);
  console.log(`host hears the guest: ${heard.bytes} bytes, loudest level ${heard.loudest.toFixed(3)}`);
  // The audio server hears the beeps too and tells the room who is speaking.
  await host.locator('.stage .speaker.speaking', { hasText: '손님둘' }).waitFor({ timeout: 10000 });
  await host.screenshot({ path: shotPath('live-on-air-host-en-desktop'), fullPage: true });
  await guest.screenshot({ path: shotPath('live-on-air-guest-ko-phone'), fullPage: true });

  // The guest reloads the page while on air: back on air, and heard again
  // over a new audio connection.
  await guest.reload();
  await guest.getByText('지금 방송 중입니다').waitFor({ timeout: 10000 });
  await waitForAudio(host);

  // The host mutes the guest. The guest's browser keeps sending (a muted
  // track sends silence), so the host hearing nothing shows the audio
  // server closed its gate. Unmuted, the guest is heard again.
  const guestRow = host.locator('.person', { hasText: '손님둘' });
  await guestRow.getByRole('button', { name: 'Mute', exact: true }).click();
  await guest.getByRole('button', { name: /음소거 해제/ }).waitFor({ timeout: 5000 });
  const sentBefore = await sentPackets(guest);
  await waitForSilence(host);
  const sentAfter = await sentPackets(guest);
  assert.ok(sentAfter >= sentBefore + 25, `the muted guest kept sending (${sentBefore} → ${sentAfter} packets)`);
  await guestRow.getByRole('button', { name: 'Unmute', exact: true }).click();
  await waitForAudio(host);

  // The host takes the mic back: the guest is off air, and the guest's
  // audio no longer reaches the host.
  await current.getByRole('button', { name: 'Take mic back' }).click();
  await guest.getByText('지금 방송 중입니다').waitFor({ state: 'detached', timeout: 5000 });
  await host.locator('.stage .speaker', { hasText: '손님둘' }).waitFor({ state: 'detached', timeout: 5000 });
  const silent = await waitForSilence(host);
  assert.ok(silent.streams > 0, `the stream is still there, only quiet: ${JSON.stringify(silent)}`);
  await current.getByRole('button', { name: 'Mark answered' }).click();

  // Chat both ways.
  await host.locator('#chat-input').fill('좋은 질문 고마워요');
  await host.locator('#chat-input').press('Enter');
  await guest.getByText('좋은 질문 고마워요').first().waitFor({ timeout: 5000 });
  await guest.locator('#chat-input').fill('thanks, that helped');
  await guest.locator('#chat-input').press('Enter');
  await host.getByText('thanks, that helped').first().waitFor({ timeout: 5000 });

  // The host ends the session; the guest is told and reaches the archive.
  await host.getByRole('button', { name: 'End session' }).click();
  await host.getByRole('dialog').getByRole('button', { name: 'End session' }).click();
  await host.waitForURL(`**/sessions/${id}/archive`, { timeout: 10000 });
  await guest.getByText('이미 라이브가 종료된 방입니다.').waitFor({ timeout: 5000 });
  await waitFor(async () => (await guest.evaluate(() => window.ask2live?.voiceStats()))?.connection === 'none',
    { timeout: 5000, what: "the guest's audio connection to close" });
  await guest.getByRole('link', { name: '답변 기록 보기' }).click();
  await guest.waitForURL(`**/sessions/${id}/archive`);
  const archive = guest.getByRole('region', { name: /답변 기록/ });
  await archive.getByText(question).waitFor();
  await archive.getByText('(음성 질문입니다)').waitFor();
  assert.equal(await archive.getByText(preQuestion).count(), 0, 'the unanswered pre-question is not in the archive');
  await guest.screenshot({ path: shotPath('archive-ko-phone'), fullPage: true });

  assert.deepEqual(errors, [], 'no errors in the pages');
});
