// Test harness: starts the real ask2live binary on a free port with a fresh
// data directory, and launches Debian's Chromium through playwright-core.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';

const root = resolve(import.meta.dirname, '..');
export const screenshotDir = resolve(process.env.ASK2LIVE_SCREENSHOTS || join(root, 'artifacts', 'screenshots'));

// startServer runs bin/ask2live and resolves once it logs its listening
// address. The caller must call stop().
export async function startServer(extraArgs = []) {
  const dataDir = mkdtempSync(join(tmpdir(), 'ask2live-e2e-'));
  const bin = process.env.ASK2LIVE_BIN || join(root, 'bin', 'ask2live');
  const proc = spawn(bin, [
    '-addr', '127.0.0.1:0', '-data-dir', dataDir, '-log-format', 'json',
    '-rtc-udp-port', '0', '-rtc-tcp-port', '0', '-rtc-listen-ip', '127.0.0.1',
    ...extraArgs,
  ], { stdio: ['ignore', 'inherit', 'pipe'] });
  const logs = [];
  const url = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error('server did not start in 30 s:\n' + logs.join('\n'))), 30000);
    proc.on('exit', (code) => fail(new Error(`server exited with ${code}:\n${logs.join('\n')}`)));
    createInterface({ input: proc.stderr }).on('line', (line) => {
      logs.push(line);
      if (process.env.ASK2LIVE_E2E_LOGS) console.error(line);
      try {
        const rec = JSON.parse(line);
        if (rec.msg === 'listening' && rec.addr) {
          clearTimeout(timer);
          ok(`http://${rec.addr}`);
        }
      } catch { /* not JSON */ }
    });
  });
  return {
    url,
    logs,
    async stop() {
      if (proc.exitCode === null) {
        const exited = new Promise((ok) => proc.on('exit', ok));
        proc.kill('SIGTERM');
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

// launchBrowser starts headless Chromium with a fake microphone, so voice
// can be tested without a sound card or a permission prompt.
export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
}

export function shotPath(name) {
  mkdirSync(screenshotDir, { recursive: true });
  return join(screenshotDir, name + '.png');
}

// signUp registers through the sign-up form and waits until the app moves on.
// query is appended to the first URL (say "?debug=voice").
export async function signUp(page, base, { username, password, displayName, ko }, query = '') {
  await page.goto(base + '/register' + query);
  await page.getByLabel(ko ? '아이디' : 'Username').first().fill(username);
  await page.getByLabel(ko ? '패스워드' : 'Password').first().fill(password);
  await page.getByLabel(ko ? '닉네임' : 'Display name').first().fill(displayName);
  await page.getByRole('button', { name: ko ? '가입하기' : 'Create account' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/register'), { timeout: 15000 });
}

// waitFor calls check until it returns something truthy and returns that;
// after timeout ms it fails, saying what it waited for and what `seen`
// reports. Between tries it waits `every` ms (a polling interval, like
// Playwright's own).
export async function waitFor(check, { timeout = 10000, every = 50, what = 'condition', seen = () => '' } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const got = await check();
    if (got) return got;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what} ${seen()}`.trim());
    await new Promise((ok) => setTimeout(ok, every));
  }
}

export const phone = { width: 390, height: 844 };
export const desktop = { width: 1280, height: 860 };

/**
 * Two people in separate browser contexts: the host in English on a desktop,
 * the guest in Korean on a phone. Page errors of both go into errors.
 */
export async function hostAndGuest(browser, errors) {
  const hostCtx = await browser.newContext({ locale: 'en-US', viewport: desktop });
  const guestCtx = await browser.newContext({ locale: 'ko-KR', viewport: phone });
  const host = await hostCtx.newPage();
  const guest = await guestCtx.newPage();
  for (const p of [host, guest]) p.on('pageerror', (e) => errors.push(e.message));
  return { hostCtx, guestCtx, host, guest };
}
