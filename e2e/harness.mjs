// Test harness: starts the real ask2live binary on a free port with a fresh
// data directory, and launches Debian's Chromium through playwright-core.
//
// A test calls setUp(t): it checks for Chromium before anything starts (a
// machine without it fails in a second with the command that installs it),
// and every process or folder it makes is removed after the test however it
// ends — a failed assertion, a timeout, a server that would not start. If
// the test process itself exits or is interrupted, the servers still running
// are killed with their process groups and their folders removed.
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';

const root = resolve(import.meta.dirname, '..');
export const screenshotDir = resolve(process.env.ASK2LIVE_SCREENSHOTS || join(root, 'artifacts', 'screenshots'));

/** The browser the tests drive: Debian's Chromium, or CHROMIUM. */
export const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';

/**
 * setUp gives a test a browser and a fresh server, started in that order,
 * each stopped after the test. serverArgs are extra flags for the binary.
 */
export async function setUp(t, { serverArgs = [] } = {}) {
  const browser = await launchBrowser();
  t.after(() => browser.close());
  const server = await startServer(serverArgs, t);
  return { browser, server };
}

// Servers not yet stopped, killed if this process ends first.
const running = new Set();

function killRunning() {
  for (const s of running) s.kill();
}
process.on('exit', killRunning);
for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) {
  process.on(sig, () => process.exit(code)); // 'exit' cleans up
}

// startServer runs bin/ask2live and resolves once it logs its listening
// address. With a test context t, the server is stopped after the test;
// without one the caller must call stop().
export async function startServer(extraArgs = [], t = null) {
  const bin = process.env.ASK2LIVE_BIN || join(root, 'bin', 'ask2live');
  if (!existsSync(bin)) throw new Error(`${bin} does not exist: build it with \`make build\``);
  const dataDir = mkdtempSync(join(tmpdir(), 'ask2live-e2e-'));
  // Its own process group, so stopping it stops anything it started.
  // Debug logs (every request), kept in artifacts/e2e-logs for when a test
  // fails.
  const proc = spawn(bin, [
    '-addr', '127.0.0.1:0', '-data-dir', dataDir, '-log-format', 'json', '-log-level', 'debug',
    '-rtc-udp-port', '0', '-rtc-tcp-port', '0', '-rtc-listen-ip', '127.0.0.1',
    ...extraArgs,
  ], { stdio: ['ignore', 'inherit', 'pipe'], detached: true });
  const exited = new Promise((ok) => proc.on('close', ok));
  const entry = {
    // Synchronous, for the 'exit' handler.
    kill() {
      if (proc.exitCode === null && proc.signalCode === null && proc.pid) {
        try { process.kill(-proc.pid, 'SIGKILL'); } catch { /* already gone */ }
      }
      rmSync(dataDir, { recursive: true, force: true });
      running.delete(entry);
    },
  };
  running.add(entry);
  const logs = [];
  // stop shuts the server down as SIGTERM does. It fails unless the server
  // exits 0 and logged no error in its whole run.
  async function stop() {
    if (!running.has(entry)) return;
    const wasRunning = proc.exitCode === null && proc.signalCode === null && proc.pid;
    if (wasRunning) {
      try { process.kill(-proc.pid, 'SIGTERM'); } catch { /* already gone */ }
      const timer = setTimeout(() => entry.kill(), 20000);
      await exited;
      clearTimeout(timer);
    }
    entry.kill();
    saveLog(t?.name ?? 'server', logs);
    // Errors, and anything that is not a JSON record (a panic, a library
    // writing to stderr by itself).
    const errors = logs.filter((line) => {
      try { return JSON.parse(line).level === 'ERROR'; } catch { return true; }
    });
    if (wasRunning && (proc.exitCode !== 0 || errors.length > 0)) {
      throw new Error(`the server did not stop cleanly (exit ${proc.exitCode ?? proc.signalCode}):\n${errors.join('\n')}`);
    }
  }
  t?.after(stop);
  try {
    const url = await new Promise((ok, fail) => {
      const timer = setTimeout(() => fail(new Error('server did not start in 30 s:\n' + logs.join('\n'))), 30000);
      proc.on('error', (err) => { clearTimeout(timer); fail(err); });
      proc.on('exit', (code, signal) => { clearTimeout(timer); fail(new Error(`server exited with ${code ?? signal}:\n${logs.join('\n')}`)); });
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
    return { url, logs, stop, tool: (...args) => runTool(bin, args, dataDir) };
  } catch (err) {
    await stop().catch(() => {}); // the first failure is the one to report
    throw err;
  }
}

/**
 * runTool runs one of the binary's tools (`ask2live admin grant kim`)
 * against a server's data directory and resolves {code, stdout, stderr}.
 */
function runTool(bin, args, dataDir) {
  return new Promise((ok, fail) => {
    const proc = spawn(bin, [...args, '-data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (b) => { stdout += b; });
    proc.stderr.on('data', (b) => { stderr += b; });
    proc.on('error', fail);
    proc.on('close', (code) => ok({ code, stdout, stderr }));
  });
}

/** The directory of the servers' logs, one file per test (the last run's). */
export const logDir = join(root, 'artifacts', 'e2e-logs');

// saveLog writes a server's log, less Pion's debug chatter.
function saveLog(name, lines) {
  mkdirSync(logDir, { recursive: true });
  const kept = lines.filter((line) => !(line.includes('"pion":') && line.includes('"level":"DEBUG"')));
  writeFileSync(join(logDir, name.replace(/[^\p{L}\p{N}]+/gu, '-') + '.log'), kept.join('\n') + '\n');
}

// launchBrowser starts headless Chromium with a fake microphone, so voice
// can be tested without a sound card or a permission prompt. Without
// Chromium it fails at once, saying how to install it.
export async function launchBrowser() {
  try {
    accessSync(chromiumPath, constants.X_OK);
  } catch {
    throw new Error(`Chromium is not installed at ${chromiumPath}. The browser tests need it: ` +
      'apt-get install -y chromium fonts-noto-cjk fonts-noto-color-emoji ' +
      '(or set CHROMIUM to the path of a Chromium binary)');
  }
  return chromium.launch({
    executablePath: chromiumPath,
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

// ---- Helpers for the web app's tests: people, REST calls, waiting for text ----

/**
 * A person in a browser context of their own, signed up through the form:
 * lang 'ko' or 'en', width in CSS pixels (390 is a phone). Page errors go
 * into errors when given.
 */
export async function person(browser, base, { username, displayName, lang = 'en', width = 1366, errors = null }) {
  const ctx = await browser.newContext({
    locale: lang === 'ko' ? 'ko-KR' : 'en-US',
    viewport: { width, height: width < 700 ? 844 : 900 },
  });
  const page = await ctx.newPage();
  page.setDefaultTimeout(15000);
  if (errors) page.on('pageerror', (e) => errors.push(`${username}: ${e.message}`));
  await signUp(page, base, { username, password: 'password-' + username, displayName, ko: lang === 'ko' });
  return { ctx, page };
}

/**
 * Calls the REST API from inside the page, as its signed-in user (its
 * cookies, and the CSRF header the web app sends). Returns {status, body}.
 */
export async function api(page, method, path, body) {
  return page.evaluate(async ({ method, path, body }) => {
    const headers = {};
    const csrf = document.cookie.split('; ').find((c) => c.startsWith('ask2live_csrf='));
    if (csrf) headers['X-CSRF-Token'] = decodeURIComponent(csrf.slice('ask2live_csrf='.length));
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const r = await fetch('/api/v1' + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : null };
  }, { method, path, body });
}

/** Like api, but fails unless the answer is a 2xx; returns the body. */
export async function apiOK(page, method, path, body) {
  const r = await api(page, method, path, body);
  if (r.status < 200 || r.status > 299) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** An RFC 3339 time hours from now. */
export function hoursFromNow(hours) {
  return new Date(Date.now() + hours * 3600 * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Opens a session through the API: {title, target_guests, open_now, starts_at}. */
export function openSession(page, { title, description = '', target = 0, openNow = false, startsIn = 24 }) {
  return apiOK(page, 'POST', '/sessions', {
    title, description, target_guests: target, open_now: openNow, starts_at: openNow ? null : hoursFromNow(startsIn),
  });
}

/** Waits until the locator's text matches pattern (a RegExp or a string it contains). */
export async function waitForText(locator, pattern, timeout = 10000) {
  const matches = (s) => (typeof pattern === 'string' ? s.includes(pattern) : pattern.test(s));
  let last = '';
  return waitFor(async () => {
    last = await locator.innerText().catch(() => '');
    return matches(last);
  }, { timeout, what: `text ${pattern}`, seen: () => `(last seen: ${JSON.stringify(last.slice(0, 300))})` });
}

/** The element that has keyboard focus: its role, accessible text and whether it sits inside sel. */
export function focused(page, sel = null) {
  return page.evaluate((sel) => {
    const el = document.activeElement;
    return {
      tag: el?.tagName.toLowerCase() ?? '',
      text: (el?.getAttribute('aria-label') || el?.textContent || '').trim(),
      inside: sel ? !!el?.closest(sel) : false,
    };
  }, sel);
}

/**
 * The usual pair: a host in English on a desktop and a guest in Korean on a
 * phone, signed up as <prefix>host and <prefix>guest with the given display names.
 */
export async function twoPeople(browser, base, prefix, { host = 'Host', guest = '손님', errors = null } = {}) {
  const h = await person(browser, base, { username: prefix + 'host', displayName: host, errors });
  const g = await person(browser, base, { username: prefix + 'guest', displayName: guest, lang: 'ko', width: 390, errors });
  return { host: h.page, guest: g.page };
}
