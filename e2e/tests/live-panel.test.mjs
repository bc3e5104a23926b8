// The live room tells the truth about itself: the current question box
// does not say there are no questions while two wait, the host's panel
// lists everyone it counts, and the main page's live card counts people
// as they come in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setUp, twoPeople, openSession, apiOK, waitForText } from '../harness.mjs';

test('the current question box speaks of the waiting queue', async (t) => {
  const { server, browser } = await setUp(t);
  const errors = [];
  const { host, guest } = await twoPeople(browser, server.url, 'cur', { host: 'Cur Host', errors });
  const s = await openSession(host, { title: '질문 고르기', openNow: true });
  await host.goto(`${server.url}/sessions/${s.id}/live`);
  await guest.goto(`${server.url}/sessions/${s.id}/live`);
  const hostCurrent = host.getByRole('region', { name: 'Current question' });
  await waitForText(hostCurrent, 'No questions yet');
  for (const text of ['첫 질문', '둘째 질문']) await apiOK(guest, 'POST', `/sessions/${s.id}/questions`, { text });
  await host.getByRole('tab', { name: /Queue \(2\)/ }).waitFor();
  await waitForText(hostCurrent, 'Pick a question from the queue');
  assert.doesNotMatch(await hostCurrent.innerText(), /No questions yet/);
  // The host can take the top one from here.
  await hostCurrent.getByRole('button', { name: 'Answer the next question' }).click();
  await hostCurrent.getByText('첫 질문').waitFor();
  await apiOK(host, 'PATCH', `/questions/${(await apiOK(host, 'GET', `/sessions/${s.id}/questions`)).items.find((q) => q.text === '첫 질문').id}`, { state: 'open' });
  const guestCurrent = guest.getByRole('region', { name: '지금 답변 중인 질문' });
  await waitForText(guestCurrent, '곧 다음 질문을 고릅니다');
  assert.doesNotMatch(await guestCurrent.innerText(), /질문이 없습니다/);
  assert.deepEqual(errors, []);
});

test("the host's panel lists everyone it counts, and the main page counts the host", async (t) => {
  const { server, browser } = await setUp(t);
  const errors = [];
  const { host, guest } = await twoPeople(browser, server.url, 'ppl', { host: 'People Host', errors });
  await guest.goto(server.url + '/');
  await guest.getByRole('heading', { level: 1 }).waitFor();
  const s = await openSession(host, { title: '몇 명이 있나요', openNow: true });
  // The guest's main page shows it live, nobody in yet.
  const card = guest.getByRole('region', { name: 'LIVE 중인 Q&A' }).getByRole('listitem').filter({ hasText: '몇 명이 있나요' });
  await waitForText(card, '0명 참여 중');
  // The host comes in: the card counts the host without a reload.
  await host.goto(`${server.url}/sessions/${s.id}/live`);
  await host.locator('#chat-input').waitFor();
  await waitForText(card, '1명 참여 중');

  await guest.goto(`${server.url}/sessions/${s.id}/live`);
  await guest.locator('#live-ask').waitFor();
  const panel = host.getByRole('region', { name: /Participants/ });
  await waitForText(panel.getByRole('heading'), 'Participants (2)');
  const people = panel.getByRole('list').getByRole('listitem');
  await people.filter({ hasText: '손님' }).waitFor();
  await people.filter({ hasText: 'People Host' }).waitFor();
  assert.equal(await people.count(), 2, 'the list holds as many as the count');
  // The host's own row has no buttons to grant, remove or mute the host.
  assert.equal(await people.filter({ hasText: 'People Host' }).getByRole('button').count(), 0);
  assert.deepEqual(errors, []);
});
