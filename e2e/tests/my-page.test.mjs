// My page: ended sessions say when they ran; a guest's ended list holds the
// sessions they took part in; a new picture is uploaded with one choice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setUp, person, twoPeople, openSession, apiOK, waitFor } from '../harness.mjs';

test('ended session cards show when the session ran, not when it was planned', async (t) => {
  const { server, browser } = await setUp(t);
  const { page } = await person(browser, server.url, { username: 'ranhost', displayName: 'Ran Host' });
  // Planned for three days from now, run today.
  const s = await openSession(page, { title: 'Ran early', startsIn: 72 });
  await apiOK(page, 'POST', `/sessions/${s.id}/start`);
  const ended = await apiOK(page, 'POST', `/sessions/${s.id}/end`);
  await page.goto(server.url + '/me');
  const card = page.getByRole('region', { name: 'Ended sessions' }).getByRole('listitem').filter({ hasText: 'Ran early' });
  await card.waitFor();
  const times = await card.locator('time').evaluateAll((ts) => ts.map((t) => t.getAttribute('datetime')));
  assert.ok(times.length > 0, 'the card shows a time');
  assert.ok(!times.includes(s.starts_at), `the planned start ${s.starts_at} is not shown as when it ran: ${times}`);
  assert.ok(times.includes(ended.started_at), `the card shows when it started (${ended.started_at}): ${times}`);
});

test("a guest's ended list holds the sessions they wished or joined", async (t) => {
  const { server, browser } = await setUp(t);
  const { host, guest } = await twoPeople(browser, server.url, 'end', { host: 'End Host' });
  // One the guest wished and then attended, one the guest only joined.
  const wished = await openSession(host, { title: '찜하고 들은 세션' });
  await apiOK(guest, 'PUT', `/sessions/${wished.id}/wish`);
  await apiOK(host, 'POST', `/sessions/${wished.id}/start`);
  const joined = await openSession(host, { title: '그냥 들어간 세션', openNow: true });
  for (const s of [wished, joined]) {
    await guest.goto(`${server.url}/sessions/${s.id}/live`);
    await guest.locator('#live-ask').waitFor();
    await guest.goto(server.url + '/me');
    await apiOK(host, 'POST', `/sessions/${s.id}/end`);
  }
  await guest.goto(server.url + '/me');
  const ended = guest.getByRole('region', { name: '진행 완료 Q&A' });
  await ended.getByRole('link', { name: '찜하고 들은 세션' }).waitFor();
  await ended.getByRole('link', { name: '그냥 들어간 세션' }).waitFor();
  assert.match(await ended.getByRole('link', { name: '그냥 들어간 세션' }).getAttribute('href'), /\/archive$/);
});

test('a new picture is uploaded as soon as it is chosen', async (t) => {
  const { server, browser } = await setUp(t);
  const { page } = await person(browser, server.url, { username: 'pichost', displayName: 'Pic Host', lang: 'ko', width: 390 });
  const png = await page.screenshot({ clip: { x: 0, y: 0, width: 64, height: 64 } });
  await page.goto(server.url + '/me/edit');
  const section = page.getByRole('region', { name: '프로필 사진' });
  await section.waitFor();
  // The controls in the picture section do not touch each other.
  const boxes = await section.locator('button, label.btn').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().toJSON()));
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const [a, b] = [boxes[i], boxes[j]];
      const apart = a.right + 6 <= b.left || b.right + 6 <= a.left || a.bottom + 6 <= b.top || b.bottom + 6 <= a.top;
      assert.ok(apart, `controls ${i} and ${j} touch: ${JSON.stringify([a, b])}`);
    }
  }
  await section.locator('input[type=file]').setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: png });
  // No second click: the header's avatar becomes the uploaded picture.
  await waitFor(async () => /\/media\//.test((await page.locator('header img.avatar').getAttribute('src').catch(() => '')) ?? ''),
    { what: 'the uploaded avatar in the header' });
  const me = await apiOK(page, 'GET', '/me');
  assert.match(me.avatar_url, /\/media\//);
});
