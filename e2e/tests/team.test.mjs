// The host's team runs the room with the host: a moderator appointed on the
// session's page before it goes live runs the queue for everyone; a guest
// the host makes co-host from the participant list at once gets the mic
// controls and hands the mic to someone; a plain guest sees none of it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setUp, person, openSession, apiOK, shotPath, waitForText } from '../harness.mjs';

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

test('a moderator and a co-host help the host run the room', async (t) => {
  const { server, browser } = await setUp(t);
  const base = server.url;
  const errors = [];
  const host = (await person(browser, base, { username: 'teamhost', displayName: 'Team Host', errors })).page;
  const mod = (await person(browser, base, { username: 'teammod', displayName: '모더 김', lang: 'ko', width: 390, errors })).page;
  const co = (await person(browser, base, { username: 'teamco', displayName: 'Co Lee', width: 390, errors })).page;
  const guest = (await person(browser, base, { username: 'teamguest', displayName: '손님 박', lang: 'ko', errors })).page;
  const s = await openSession(host, { title: '팀과 함께하는 Q&A', description: 'Questions first, then the mic.' });

  // Before going live, the host appoints the moderator on the session's page.
  await host.goto(`${base}/sessions/${s.id}`);
  const team = host.getByRole('region', { name: 'Team' });
  await team.getByText('No one is on the team yet.').waitFor();
  await team.getByLabel('Username').fill('teammod');
  await team.getByRole('button', { name: 'Add' }).click();
  await host.getByText('모더 김 is now a moderator.').waitFor();
  assert.equal(await team.getByRole('combobox', { name: "모더 김's role" }).inputValue(), 'moderator');
  // An unknown username is refused in words, not the server's.
  await team.getByLabel('Username').fill('nobody-here');
  await team.getByRole('button', { name: 'Add' }).click();
  await waitForText(team.getByRole('alert'), 'No one has that username.');
  await team.getByLabel('Username').fill('');
  await shots(host, 'team-detail-host', 'en');

  // Everyone sees the team on the page; only the host can change it.
  await mod.goto(`${base}/sessions/${s.id}`);
  const modTeam = mod.getByRole('region', { name: '팀' });
  await waitForText(modTeam.getByRole('listitem'), '모더레이터');
  assert.equal(await modTeam.getByRole('button').count(), 0);
  assert.equal(await modTeam.getByRole('combobox').count(), 0);
  await shots(mod, 'team-detail-moderator', 'ko');

  await host.goto(`${base}/sessions/${s.id}`);
  await host.getByRole('button', { name: 'Go live' }).click();
  await host.waitForURL(`**/sessions/${s.id}/live`);
  await host.locator('#chat-input').waitFor();
  for (const p of [mod, co, guest]) await p.goto(`${base}/sessions/${s.id}/live`);
  for (const p of [mod, co, guest]) await p.locator('#live-ask').waitFor();
  await apiOK(guest, 'POST', `/sessions/${s.id}/questions`, { text: '팀이 질문을 골라 주나요?' });

  // The moderator runs the queue and sees who is here, but not the stage.
  const modPanel = mod.getByRole('region', { name: /참여자/ });
  await waitForText(modPanel.getByRole('heading'), '참여자 (4)');
  await waitForText(modPanel.getByRole('listitem').filter({ hasText: 'Team Host' }), '호스트');
  await waitForText(modPanel.getByRole('listitem').filter({ hasText: '모더 김' }), '모더레이터');
  await modPanel.getByRole('listitem').filter({ hasText: '손님 박' }).waitFor();
  assert.equal(await modPanel.getByRole('button').count(), 0, 'a moderator has no mic, removal or end buttons');
  const item = mod.getByRole('region', { name: '등록된 질문' }).getByRole('listitem').filter({ hasText: '팀이 질문을 골라 주나요?' });
  await item.getByRole('button', { name: '이 질문 답변하기' }).click();
  const modCurrent = mod.getByRole('region', { name: '지금 답변 중인 질문' });
  await modCurrent.getByText('팀이 질문을 골라 주나요?').waitFor();
  await shots(mod, 'team-live-moderator', 'ko');
  await modCurrent.getByRole('button', { name: '답변완료' }).click();
  // Everyone sees it answered.
  await host.getByRole('tab', { name: 'Answered (1)' }).waitFor();
  await guest.getByRole('tab', { name: '답변된 질문 (1)' }).waitFor();
  await co.getByRole('tab', { name: 'Answered (1)' }).waitFor();

  // The host makes a guest co-host from the participant list.
  const hostPanel = host.getByRole('region', { name: /Participants/ });
  const coRow = hostPanel.getByRole('listitem').filter({ hasText: 'Co Lee' });
  await coRow.getByRole('button', { name: 'Team role for Co Lee' }).click();
  const dialog = host.getByRole('dialog', { name: "Co Lee's team role" });
  await dialog.getByRole('radio', { name: /^Co-host/ }).check();
  await shots(host, 'team-role-dialog', 'en');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await dialog.waitFor({ state: 'detached' });
  await host.getByText('Co Lee is now a co-host.').waitFor();
  await waitForText(coRow, 'Co-host');
  await waitForText(hostPanel.getByRole('listitem').filter({ hasText: '모더 김' }), 'Moderator');

  // The co-host is told, and gets the stage's controls at once.
  await co.getByText('You are now a co-host').waitFor();
  const coPanel = co.getByRole('region', { name: /Participants/ });
  await coPanel.getByRole('button', { name: 'End session' }).waitFor();
  await coPanel.getByLabel('Mic time').waitFor();
  // Only the host removes a member of the team, and no one the host.
  await coPanel.getByRole('listitem').filter({ hasText: '모더 김' }).getByRole('button', { name: 'Give mic' }).waitFor();
  assert.equal(await coPanel.getByRole('listitem').filter({ hasText: '모더 김' }).getByRole('button', { name: 'Remove' }).count(), 0);
  assert.equal(await coPanel.getByRole('listitem').filter({ hasText: 'Team Host' }).getByRole('button').count(), 0);
  assert.equal(await coPanel.getByRole('button', { name: /Team role/ }).count(), 0, 'only the host appoints');
  const guestRow = coPanel.getByRole('listitem').filter({ hasText: '손님 박' });
  await guestRow.getByRole('button', { name: 'Remove' }).waitFor();
  await guestRow.getByRole('button', { name: 'Give mic' }).click();
  await guest.getByText('지금 방송 중입니다').waitFor();
  await guest.getByRole('list', { name: '발언 중' }).getByText('손님 박').waitFor();
  await guestRow.getByRole('button', { name: 'Take mic back' }).waitFor();
  await shots(co, 'team-live-cohost', 'en');
  await shots(host, 'team-live-host', 'en');

  // A plain guest sees who is on the team on stage, but none of its controls.
  await waitForText(guest.getByRole('list', { name: '발언 중' }), '호스트');
  assert.equal(await guest.getByRole('region', { name: /참여자/ }).count(), 0);
  assert.equal(await guest.getByRole('button', { name: '라이브 종료' }).count(), 0);
  assert.equal(await guest.getByRole('button', { name: '이 질문 답변하기' }).count(), 0);
  assert.equal(await guest.getByRole('button', { name: '마이크 주기' }).count(), 0);
  assert.deepEqual(errors, []);
});
