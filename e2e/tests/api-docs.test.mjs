// The API documentation renders in a real browser from the binary alone:
// Swagger UI assets are embedded, nothing is fetched from the network.
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
  await page.goto(server.url + '/api/docs/');
  await page.waitForSelector('.opblock', { timeout: 20000 });
  const summaries = await page.locator('.opblock-summary-path').allTextContents();
  assert.ok(summaries.some((p) => p.includes('/api/v1/sessions/{id}/wish')), 'wish route listed');
  assert.ok(summaries.length >= 25, `expected the whole API, saw ${summaries.length} operations`);
  assert.deepEqual(external, [], 'no request left the machine');
  await page.screenshot({ path: shotPath('api-docs'), fullPage: false });
});
