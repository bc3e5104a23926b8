// Calendars: the session page's "Add to calendar" downloads an .ics file
// that a real iCalendar parser (ical.js, the one Thunderbird uses) reads
// back; My page makes a private feed address that a calendar app — here a
// plain fetch without cookies — reads the wished sessions from, and turning
// the feed off makes the address a 404. Screenshots of both, in Korean and
// English, on a phone and a desktop, go to artifacts/screenshots.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import ICAL from 'ical.js';
import { setUp, person, openSession, apiOK, shotPath } from '../harness.mjs';

const TITLE = 'Go 동시성, 무엇이든; 물어보세요';
const DESCRIPTION = '고루틴과 채널을 언제 쓰는지 실제 서비스 예로 이야기합니다.\nBring your hardest questions, please.';

/** Checks the lines of an iCalendar text and parses it with ical.js. */
function parseICS(text) {
  assert.ok(text.endsWith('\r\n'), 'the file ends with CRLF');
  for (const [i, line] of text.slice(0, -2).split('\r\n').entries()) {
    assert.ok(!/[\r\n]/.test(line), `line ${i + 1} has a bare CR or LF`);
    assert.ok(Buffer.byteLength(line) <= 75, `line ${i + 1} is ${Buffer.byteLength(line)} octets: ${line}`);
    assert.ok(!line.includes('\uFFFD'), `line ${i + 1} was folded inside a character`);
  }
  const cal = new ICAL.Component(ICAL.parse(text));
  assert.equal(cal.name, 'vcalendar');
  assert.equal(cal.getFirstPropertyValue('version'), '2.0');
  assert.ok(cal.getFirstPropertyValue('prodid'));
  return cal;
}

/** The events of a calendar, by UID. */
function eventsOf(cal) {
  return new Map(cal.getAllSubcomponents('vevent').map((c) => {
    const ev = new ICAL.Event(c);
    return [ev.uid, { summary: ev.summary, description: ev.description, start: ev.startDate.toJSDate().toISOString(),
      status: c.getFirstPropertyValue('status'), url: c.getFirstPropertyValue('url'), sequence: ev.sequence }];
  }));
}

test('Add to calendar downloads the session as a valid .ics file', async (t) => {
  const { server, browser } = await setUp(t);
  const errors = [];
  const host = await person(browser, server.url, { username: 'calhost', displayName: '김호스트', errors });
  const guest = await person(browser, server.url, { username: 'calguest', displayName: '손님', lang: 'ko', width: 390, errors });
  const s = await openSession(host.page, { title: TITLE, description: DESCRIPTION, startsIn: 30 });

  await guest.page.goto(`${server.url}/sessions/${s.id}`);
  const link = guest.page.getByRole('link', { name: '캘린더에 추가' });
  const [download] = await Promise.all([guest.page.waitForEvent('download'), link.click()]);
  assert.equal(download.suggestedFilename(), `${TITLE}.ics`);
  const text = await readFile(await download.path(), 'utf8');
  const events = eventsOf(parseICS(text));
  assert.equal(events.size, 1);
  const ev = events.get(`${s.id}@ask2live`);
  assert.ok(ev, `the event's UID names the session: ${[...events.keys()]}`);
  assert.equal(ev.summary, TITLE);
  assert.equal(ev.start, new Date(s.starts_at).toISOString());
  assert.equal(ev.status, 'CONFIRMED');
  assert.equal(ev.url, `${server.url}/sessions/${s.id}`);
  assert.ok(ev.description.startsWith(DESCRIPTION), ev.description);
  assert.ok(ev.description.includes('김호스트 (@calhost)'), ev.description);

  // Nothing to add once the session is live.
  await apiOK(host.page, 'POST', `/sessions/${s.id}/start`);
  await guest.page.getByRole('link', { name: '라이브 입장하기' }).waitFor();
  assert.equal(await link.count(), 0);
  assert.deepEqual(errors, []);
});

test('a calendar feed made on My page lists the wished sessions, and is gone once turned off', async (t) => {
  const { server, browser } = await setUp(t);
  const errors = [];
  const host = await person(browser, server.url, { username: 'feedhost', displayName: 'Feed Host', errors });
  const guest = await person(browser, server.url, { username: 'feedguest', displayName: '구독자', lang: 'ko', width: 390, errors });
  const wished = await openSession(host.page, { title: TITLE, description: DESCRIPTION, startsIn: 40 });
  const other = await openSession(host.page, { title: '찜하지 않은 세션', startsIn: 41 });
  await apiOK(guest.page, 'PUT', `/sessions/${wished.id}/wish`);
  await guest.ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });

  await guest.page.goto(`${server.url}/me`);
  const section = guest.page.getByRole('region', { name: '📅 캘린더 구독' });
  await section.getByRole('button', { name: '구독 주소 만들기' }).click();
  const input = section.getByLabel('내 구독 주소');
  await input.waitFor();
  const feedURL = await input.inputValue();
  assert.match(feedURL, new RegExp(`^${server.url}/api/v1/calendar/[0-9a-z]{52}\\.ics$`));
  assert.equal(await section.getByRole('link', { name: '캘린더 앱에서 열기' }).getAttribute('href'),
    feedURL.replace(/^http:/, 'webcal:'));
  await section.getByRole('button', { name: '복사' }).click();
  await guest.page.getByText('구독 주소를 복사했어요', { exact: false }).waitFor();
  assert.equal(await guest.page.evaluate(() => navigator.clipboard.readText()), feedURL);

  // A calendar app fetches it with no cookies: exactly the wished session.
  const r = await fetch(feedURL);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'text/calendar; charset=utf-8');
  const events = eventsOf(parseICS(await r.text()));
  assert.deepEqual([...events.keys()], [`${wished.id}@ask2live`]);
  assert.equal(events.get(`${wished.id}@ask2live`).summary, TITLE);
  assert.ok(!events.has(`${other.id}@ask2live`));

  // The host moves the time: the feed follows, SEQUENCE up.
  const moved = new Date(Date.parse(wished.starts_at) + 3 * 3600 * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  await apiOK(host.page, 'PATCH', `/sessions/${wished.id}`, { starts_at: moved });
  const after = eventsOf(parseICS(await (await fetch(feedURL)).text())).get(`${wished.id}@ask2live`);
  assert.equal(after.start, new Date(moved).toISOString());
  assert.equal(after.sequence, 1);

  // Turned off (after the app's own confirmation): the address is a 404.
  await section.getByRole('button', { name: '구독 끄기' }).click();
  await guest.page.getByRole('dialog', { name: '캘린더 구독을 끌까요?' }).getByRole('button', { name: '구독 끄기' }).click();
  await section.getByRole('button', { name: '구독 주소 만들기' }).waitFor();
  const gone = await fetch(feedURL);
  assert.equal(gone.status, 404);
  assert.equal(gone.headers.get('content-type'), 'application/problem+json');
  assert.equal((await gone.json()).code, 'not_found');
  assert.deepEqual(errors, []);
});

test('calendar screens in both languages at phone and desktop width', async (t) => {
  const { server, browser } = await setUp(t);
  const errors = [];
  const host = await person(browser, server.url, { username: 'shothost', displayName: '김호스트', errors });
  const guest = await person(browser, server.url, { username: 'shotguest', displayName: '손님 Lee', errors });
  const s = await openSession(host.page, { title: TITLE, description: DESCRIPTION, startsIn: 50 });
  await apiOK(guest.page, 'PUT', `/sessions/${s.id}/wish`);
  const state = await guest.ctx.storageState();
  const problems = [];
  for (const { lang, width } of [{ lang: 'ko', width: 390 }, { lang: 'en', width: 390 }, { lang: 'ko', width: 1366 }, { lang: 'en', width: 1366 }]) {
    const ctx = await browser.newContext({
      locale: lang === 'ko' ? 'ko-KR' : 'en-US', viewport: { width, height: width < 700 ? 844 : 900 }, storageState: state,
    });
    try {
      const page = await ctx.newPage();
      page.setDefaultTimeout(15000);
      page.on('pageerror', (e) => errors.push(`${lang} ${width}: ${e.message}`));
      const name = (what) => `calendar-${what}-${lang}-${width}`;
      // A notification in the way is dismissed, as a person would.
      const dismissToasts = async () => {
        const close = page.getByRole('button', { name: lang === 'ko' ? '알림 닫기' : 'Dismiss' });
        while (await close.count() > 0) await close.first().click();
      };
      const sideways = async (what) => {
        const over = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        if (over > 0) problems.push(`${what} ${lang} ${width}: scrolls sideways by ${over} px`);
      };

      await page.goto(`${server.url}/sessions/${s.id}`);
      await page.getByRole('link', { name: lang === 'ko' ? '캘린더에 추가' : 'Add to calendar' }).waitFor();
      await page.evaluate(() => document.fonts.ready);
      await sideways('detail');
      await page.screenshot({ path: shotPath(name('add')) });

      // The feed: off, just made (with its address), and on after a reload.
      await apiOK(page, 'DELETE', '/me/calendar-feed');
      await page.goto(`${server.url}/me`);
      const section = page.getByRole('region', { name: lang === 'ko' ? '📅 캘린더 구독' : '📅 Calendar feed' });
      const create = section.getByRole('button', { name: lang === 'ko' ? '구독 주소 만들기' : 'Create feed address' });
      await create.waitFor();
      await page.evaluate(() => document.fonts.ready);
      await section.screenshot({ path: shotPath(name('feed-off')) });
      await create.click();
      await section.getByLabel(lang === 'ko' ? '내 구독 주소' : 'Your feed address').waitFor();
      await sideways('feed');
      await dismissToasts();
      await section.screenshot({ path: shotPath(name('feed-new')) });
      await page.reload();
      await section.getByText(lang === 'ko' ? '켜짐' : 'On', { exact: true }).waitFor();
      await section.screenshot({ path: shotPath(name('feed-on')) });
      await page.screenshot({ path: shotPath(name('my-page')), fullPage: true });
    } finally {
      await ctx.close();
    }
  }
  assert.deepEqual(problems, []);
  assert.deepEqual(errors, []);
});
