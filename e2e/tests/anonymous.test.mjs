// Anonymous questions: the host opens a session that allows them; a guest
// asks one on the session's page before it goes live and one in the live
// room. Another guest sees "Anonymous" and nothing of who asked — not the
// name, not the username, anywhere in the page — on the session page, in
// the live room and in the archive; the host sees who asked, tagged as
// anonymous to the audience; the author sees each as their own, asked
// anonymously.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setUp, person, apiOK, shotPath, waitForText } from '../harness.mjs';

const NAME = '김비밀';
const USERNAME = 'secretkim';
const PRE = '로드맵은 누가 정하나요?';
const LIVE = '연봉 협상은 어떻게 하셨나요?';

// shots saves a full-page picture at the page's own width and at the other
// one (390 px phone, 1366 px desktop), then gives the page its width back.
async function shots(page, name, lang) {
  const own = page.viewportSize();
  // From the top, or the sticky header is drawn where the page was scrolled to.
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

/** Fails if anything in the page — text, labels, links — names the author. */
async function namesNoOne(page, where) {
  const html = await page.content();
  assert.ok(!html.includes(NAME), `${where} shows the author's name`);
  assert.ok(!html.toLowerCase().includes(USERNAME), `${where} shows the author's username`);
}

/** A datetime-local value for a day from now, in the page's time zone. */
function tomorrowInput(page) {
  return page.evaluate(() => {
    const d = new Date(Date.now() + 24 * 3600 * 1000);
    const p = (n) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
  });
}

test('an anonymous question names its author only to the author, the host and the team', async (t) => {
  const { server, browser } = await setUp(t);
  const base = server.url;
  const errors = [];
  const host = (await person(browser, base, { username: 'anonhost', displayName: 'Anon Host', errors })).page;
  const asker = (await person(browser, base, { username: USERNAME, displayName: NAME, lang: 'ko', width: 390, errors })).page;
  const watcher = (await person(browser, base, { username: 'watcher', displayName: 'Watcher Lee', errors })).page;

  // The host allows anonymous questions when opening the session.
  await host.goto(base + '/sessions/new');
  await host.getByLabel('Title').fill('익명 질문 받습니다');
  await host.getByLabel('Start time').fill(await tomorrowInput(host));
  const allow = host.getByRole('checkbox', { name: 'Allow anonymous questions' });
  await allow.check();
  await host.getByText("The audience won't see who asked; you and your team will.").waitFor();
  await shots(host, 'anonymous-form-host', 'en');
  await host.getByRole('button', { name: 'Create' }).click();
  await host.waitForURL((u) => /^\/sessions\/[0-9a-z]+$/.test(u.pathname) && u.pathname !== '/sessions/new');
  const id = new URL(host.url()).pathname.split('/')[2];
  assert.equal((await apiOK(host, 'GET', `/sessions/${id}`)).allow_anonymous, true);
  const hostList = host.getByRole('list', { name: 'Questions' });
  await host.getByRole('heading', { name: /Pre-questions/ }).waitFor();

  // Before it goes live, the guest asks anonymously on the session's page.
  await watcher.goto(`${base}/sessions/${id}`);
  await watcher.getByRole('heading', { name: /Pre-questions/ }).waitFor();
  await asker.goto(`${base}/sessions/${id}`);
  const choice = asker.getByRole('checkbox', { name: '익명으로 질문하기' });
  await asker.getByText('다른 참여자에게는 이름이 보이지 않아요. 호스트와 팀에게는 보여요.').waitFor();
  await choice.check();
  await asker.getByLabel('질문하기', { exact: true }).fill(PRE);
  await asker.getByRole('button', { name: '등록', exact: true }).click();
  const askerPre = asker.getByRole('list', { name: '등록된 질문' }).getByRole('listitem').filter({ hasText: PRE });
  await waitForText(askerPre, '익명으로 질문함');
  await waitForText(askerPre, '내 질문');
  await asker.getByRole('button', { name: '알림 닫기' }).first().click();
  await shots(asker, 'anonymous-detail-author', 'ko');

  // The other guest's page shows it by itself, naming no one; the host's
  // shows who asked.
  const watcherPre = watcher.getByRole('list', { name: 'Questions' }).getByRole('listitem').filter({ hasText: PRE });
  await waitForText(watcherPre, 'Anonymous');
  assert.doesNotMatch(await watcherPre.innerText(), /Yours|Anonymous to the audience/);
  await namesNoOne(watcher, "the other guest's session page");
  const hostPre = hostList.getByRole('listitem').filter({ hasText: PRE });
  await waitForText(hostPre, NAME);
  await waitForText(hostPre, 'Anonymous to the audience');
  // A vote changes the question for everyone; the host still knows who asked.
  await watcherPre.getByRole('button', { name: /Upvote/ }).click();
  await waitForText(hostPre.getByRole('button', { name: /Upvote/ }), '1');
  await waitForText(hostPre, NAME);
  await namesNoOne(watcher, "the other guest's session page after voting");

  // The live room: the guest asks anonymously again (the choice is remembered).
  await host.getByRole('button', { name: 'Go live' }).click();
  await host.waitForURL(`**/sessions/${id}/live`);
  await asker.goto(`${base}/sessions/${id}/live`);
  await watcher.goto(`${base}/sessions/${id}/live`);
  await asker.locator('#live-ask').fill(LIVE);
  const liveChoice = asker.getByRole('checkbox', { name: '익명으로 질문하기' });
  await liveChoice.waitFor();
  assert.equal(await liveChoice.isChecked(), true);
  await asker.getByRole('button', { name: '등록', exact: true }).click();
  await asker.getByText('질문 등록 성공!').first().waitFor();
  // The notice would cover the queue in the pictures.
  await asker.getByRole('button', { name: '알림 닫기' }).first().click();

  const askerQueue = asker.getByRole('region', { name: '등록된 질문' });
  const watcherQueue = watcher.getByRole('region', { name: 'Queue' });
  const hostQueue = host.getByRole('region', { name: 'Queue' });
  for (const text of [PRE, LIVE]) {
    const mine = askerQueue.getByRole('listitem').filter({ hasText: text });
    await waitForText(mine, '익명으로 질문함');
    await waitForText(mine, '내 질문');
    await waitForText(watcherQueue.getByRole('listitem').filter({ hasText: text }), 'Anonymous');
    const theirs = hostQueue.getByRole('listitem').filter({ hasText: text });
    await waitForText(theirs, NAME);
    await waitForText(theirs, 'Anonymous to the audience');
  }
  await namesNoOne(watcher, "the other guest's live room");

  // The host takes the live one: the current question names no one to the audience.
  await hostQueue.getByRole('listitem').filter({ hasText: LIVE }).getByRole('button', { name: 'Answer this' }).click();
  const hostCurrent = host.getByRole('region', { name: 'Current question' });
  const watcherCurrent = watcher.getByRole('region', { name: 'Current question' });
  const askerCurrent = asker.getByRole('region', { name: '지금 답변 중인 질문' });
  await waitForText(hostCurrent, `${NAME}'s question`);
  await waitForText(hostCurrent, 'Anonymous to the audience');
  await waitForText(watcherCurrent, LIVE);
  await waitForText(watcherCurrent, 'Anonymous question');
  await waitForText(askerCurrent, '내 익명 질문');
  await namesNoOne(watcher, "the other guest's live room with the question taken");

  await shots(watcher, 'anonymous-live-guest', 'en');
  await shots(host, 'anonymous-live-host', 'en');
  await shots(asker, 'anonymous-live-author', 'ko');
  await switchTo(watcher, '한국어');
  await waitForText(watcher.getByRole('region', { name: '지금 답변 중인 질문' }), '익명 질문');
  await shots(watcher, 'anonymous-live-guest', 'ko');
  await switchTo(host, '한국어');
  const hostCurrentKo = host.getByRole('region', { name: '지금 답변 중인 질문' });
  await waitForText(hostCurrentKo, '청중에게는 익명');
  await shots(host, 'anonymous-live-host', 'ko');

  // Answered and over: the archive names no one to the audience either.
  await hostCurrentKo.getByRole('button', { name: '답변완료' }).click();
  await host.getByRole('tab', { name: '답변된 질문 (1)' }).waitFor();
  await apiOK(host, 'POST', `/sessions/${id}/end`);
  await watcher.goto(`${base}/sessions/${id}/archive`);
  const archived = watcher.getByRole('listitem').filter({ hasText: LIVE });
  await waitForText(archived, '익명 질문');
  await namesNoOne(watcher, "the other guest's archive");
  await shots(watcher, 'anonymous-archive-guest', 'ko');
  await host.goto(`${base}/sessions/${id}/archive`);
  const hostArchived = host.getByRole('listitem').filter({ hasText: LIVE });
  await waitForText(hostArchived, `${NAME}님의 질문`);
  await waitForText(hostArchived, '청중에게는 익명');
  await shots(host, 'anonymous-archive-host', 'ko');
  assert.deepEqual(errors, []);
});
