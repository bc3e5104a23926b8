// Every screen of the web app, filled with the data a real community would
// have: sessions recruiting, live and ended, questions with votes and
// answers, a host with a profile who is also a site admin and a team of a
// moderator and a co-host on the recruiting session. Each screen must
// load without a page error and without scrolling sideways; each is saved
// as artifacts/screenshots/screen-<name>-<lang>-<width>.png for a person to
// look at. The tests in tests/screens-*.test.mjs run it for one language
// each, at phone (390 px) and desktop (1366 px) width, so each file stays
// well inside the per-file time limit on a busy machine.
import assert from 'node:assert/strict';
import { setUp, shotPath, person, openSession, apiOK } from './harness.mjs';

export async function checkScreens(t, variants) {
  const { server, browser } = await setUp(t);
  const base = server.url;
  const errors = [];

  // People and data, made once through the API.
  const host = await person(browser, base, { username: 'screenhost', displayName: '김호스트' });
  const guest = await person(browser, base, { username: 'screenguest', displayName: '손님 Lee', lang: 'ko', width: 390 });
  const other = await person(browser, base, { username: 'screenother', displayName: 'Ada' });
  await apiOK(host.page, 'PATCH', '/me', {
    company: 'Gopher Works', work_field: 'Backend', bio: '분산 시스템과 Go를 10년째 만들고 있습니다. Ask me about channels, queues and databases.',
  });
  const recruiting = await openSession(host.page, {
    title: 'Go 동시성, 무엇이든 물어보세요', description: '고루틴, 채널, 뮤텍스를 언제 쓰는지 실제 서비스 예로 이야기합니다.\nBring your hardest questions.', target: 3,
  });
  await openSession(host.page, { title: 'PostgreSQL 튜닝 AMA', description: 'Indexes, vacuum and the planner.', target: 5, startsIn: 48 });
  for (const who of [guest, other]) await apiOK(who.page, 'PUT', `/sessions/${recruiting.id}/wish`);
  const pre = await apiOK(guest.page, 'POST', `/sessions/${recruiting.id}/questions`, { text: '채널을 닫는 쪽은 보내는 쪽이어야 하나요?' });
  await apiOK(other.page, 'POST', `/sessions/${recruiting.id}/questions`, { text: 'When is a mutex simpler than a channel?' });
  await apiOK(other.page, 'PUT', `/questions/${pre.id}/vote`);
  // The host's team: everyone sees it on the session's page, the host with the controls.
  await apiOK(host.page, 'PUT', `/sessions/${recruiting.id}/team/screenother`, { role: 'moderator' });
  await apiOK(host.page, 'PUT', `/sessions/${recruiting.id}/team/screenguest`, { role: 'cohost' });

  const ended = await openSession(host.page, { title: '지난 세션: 웹소켓 확장하기', description: 'Fan-out to ten thousand sockets.', openNow: true });
  for (const [who, text] of [[guest, '브로드캐스트는 어떻게 하나요?'], [other, 'How do you handle slow clients?']]) {
    const q = await apiOK(who.page, 'POST', `/sessions/${ended.id}/questions`, { text });
    await apiOK(host.page, 'PATCH', `/questions/${q.id}`, { state: 'answering' });
    await apiOK(host.page, 'PATCH', `/questions/${q.id}`, { state: 'answered' });
  }
  await apiOK(host.page, 'POST', `/sessions/${ended.id}/end`);

  const live = await openSession(host.page, { title: '지금 라이브: 코드 리뷰 Q&A', description: 'Live now.', openNow: true });
  await apiOK(guest.page, 'POST', `/sessions/${live.id}/questions`, { text: '리뷰에서 가장 먼저 보는 것은 무엇인가요?' });
  await apiOK(other.page, 'POST', `/sessions/${live.id}/questions`, { text: 'How long should a review take?' });

  // The host is also a site admin, granted as an operator would; a fresh
  // log-in reads the role at once.
  const granted = await server.tool('admin', 'grant', 'screenhost');
  assert.equal(granted.code, 0, granted.stderr);
  await apiOK(host.page, 'POST', '/auth/login', { username: 'screenhost', password: 'password-screenhost' });

  const hostState = await host.ctx.storageState();
  const guestState = await guest.ctx.storageState();

  // name → who looks, the path, and what shows once the screen is ready.
  const screens = {
    main: { as: guestState, path: '/', ready: (p) => p.getByRole('link', { name: '지금 라이브: 코드 리뷰 Q&A' }).first() },
    login: { as: null, path: '/login', ready: (p) => p.locator('form.auth-card') },
    register: { as: null, path: '/register', ready: (p) => p.locator('form.auth-card') },
    'main-anonymous': { as: null, path: '/', ready: (p) => p.getByRole('link', { name: 'PostgreSQL 튜닝 AMA' }).first() },
    session: { as: guestState, path: `/sessions/${recruiting.id}`, ready: (p) => p.getByText('When is a mutex simpler than a channel?'), also: (p) => p.locator('.team-member').nth(1) },
    'session-host': { as: hostState, path: `/sessions/${recruiting.id}`, ready: (p) => p.getByText('When is a mutex simpler than a channel?'), also: (p) => p.locator('.team-member select').nth(1) },
    'session-new': { as: hostState, path: '/sessions/new', ready: (p) => p.locator('form') },
    'session-edit': { as: hostState, path: `/sessions/${recruiting.id}/edit`, ready: (p) => p.locator('form input[value="Go 동시성, 무엇이든 물어보세요"]') },
    'live-guest': { as: guestState, path: `/sessions/${live.id}/live`, ready: (p) => p.getByText('How long should a review take?').first(), also: (p) => p.locator('#live-ask') },
    'live-host': { as: hostState, path: `/sessions/${live.id}/live`, ready: (p) => p.getByText('How long should a review take?').first(), also: (p) => p.locator('#chat-input') },
    archive: { as: guestState, path: `/sessions/${ended.id}/archive`, ready: (p) => p.getByText('How do you handle slow clients?') },
    'my-page': { as: guestState, path: '/me', ready: (p) => p.getByText('지난 세션: 웹소켓 확장하기').first() },
    'my-page-host': { as: hostState, path: '/me', ready: (p) => p.getByText('PostgreSQL 튜닝 AMA').first() },
    'profile-edit': { as: hostState, path: '/me/edit', ready: (p) => p.locator('form') },
    profile: { as: guestState, path: '/u/screenhost', ready: (p) => p.getByText('Gopher Works').first() },
    admin: { as: hostState, path: '/admin', ready: (p) => p.locator('#audit .audit-row').first(), also: (p) => p.locator('#sessions .admin-row').first() },
    'admin-forbidden': { as: guestState, path: '/admin', ready: (p) => p.locator('main .btn-primary[href="/"]') },
    'not-found': { as: guestState, path: '/sessions/zzzzzzzz', ready: (p) => p.locator('main .btn-primary[href="/"]') },
  };

  const problems = [];
  for (const { lang, width } of variants) {
    const contexts = new Map();
    const contextFor = async (state) => {
      const key = state === hostState ? 'host' : state === guestState ? 'guest' : 'anonymous';
      if (!contexts.has(key)) {
        contexts.set(key, await browser.newContext({
          locale: lang === 'ko' ? 'ko-KR' : 'en-US',
          viewport: { width, height: width < 700 ? 844 : 900 },
          ...(state ? { storageState: state } : {}),
        }));
      }
      return contexts.get(key);
    };
    try {
      for (const [name, s] of Object.entries(screens)) {
        const began = Date.now();
        const page = await (await contextFor(s.as)).newPage();
        page.setDefaultTimeout(15000);
        page.on('pageerror', (e) => errors.push(`${name} ${lang} ${width}: ${e.message}`));
        await page.goto(base + s.path);
        await s.ready(page).waitFor();
        if (s.also) await s.also(page).waitFor();
        // Fonts and pictures in, so the picture is what a person sees.
        await page.evaluate(() => document.fonts.ready);
        const shown = await page.evaluate(() => ({
          lang: document.documentElement.lang,
          overflow: document.documentElement.scrollWidth - window.innerWidth,
        }));
        if (shown.lang !== lang) problems.push(`${name} ${lang} ${width}: page language is ${shown.lang}`);
        if (shown.overflow > 0) problems.push(`${name} ${lang} ${width}: scrolls sideways by ${shown.overflow} px`);
        await page.screenshot({ path: shotPath(`screen-${name}-${lang}-${width}`), fullPage: true });
        await page.close();
        if (process.env.ASK2LIVE_E2E_TIMES) console.log(`${name} ${lang} ${width}: ${Date.now() - began} ms`);
      }
    } finally {
      for (const ctx of contexts.values()) await ctx.close();
    }
  }
  assert.deepEqual(problems, []);
  assert.deepEqual(errors, []);
}
