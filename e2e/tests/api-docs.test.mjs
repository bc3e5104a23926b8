// The API documentation renders in a real browser from the binary alone:
// Swagger UI assets are embedded, nothing is fetched from the network, and
// its Content-Security-Policy blocks nothing the page needs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setUp, shotPath } from '../harness.mjs';

test('Swagger UI lists the REST API', async (t) => {
  const { server, browser } = await setUp(t);
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const external = [];
  page.on('request', (req) => {
    const url = new URL(req.url());
    if (url.hostname !== '127.0.0.1') external.push(req.url());
  });
  // The page runs under a Content-Security-Policy; anything it blocks is
  // reported on the console.
  const blocked = [];
  page.on('console', (msg) => {
    if (/Content Security Policy/i.test(msg.text())) blocked.push(msg.text());
  });
  const resp = await page.goto(server.url + '/api/docs/');
  assert.match(resp.headers()['content-security-policy'] ?? '', /default-src 'none'/, 'the docs page has a policy');
  await page.waitForSelector('.opblock', { timeout: 20000 });
  const summaries = await page.locator('.opblock-summary-path').allTextContents();
  assert.ok(summaries.some((p) => p.includes('/api/v1/sessions/{id}/wish')), 'wish route listed');
  assert.ok(summaries.length >= 25, `expected the whole API, saw ${summaries.length} operations`);
  assert.deepEqual(external, [], 'no request left the machine');
  assert.deepEqual(blocked, [], 'the policy blocks nothing Swagger UI needs');
  await page.screenshot({ path: shotPath('api-docs'), fullPage: false });
});
