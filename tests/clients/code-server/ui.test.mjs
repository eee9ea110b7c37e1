// The VS Code extension in a real VS Code: code-server (VS Code in a browser) with the
// platform .vsix installed (its bundled server, the real model), driven through Debian's
// Chromium by playwright-core, the way a user drives it: keys and the mouse.
//
//   scripts/test-client-code-server   (installs the tools, packages the .vsix, runs this)
//
// Env: CODE_SERVER_TOOLS (scripts/install-code-server's directory), CHROMIUM (the browser),
// MARGIN_VSIX (the package to install), MARGIN_TEST_MODEL. Screenshots and logs:
// target/client-traces/code-server/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const env = (name) => {
  const v = process.env[name];
  assert.ok(v, `${name} is not set (run scripts/test-client-code-server)`);
  return v;
};
const tools = env('CODE_SERVER_TOOLS');
const vsix = env('MARGIN_VSIX');
const model = env('MARGIN_TEST_MODEL');
const { chromium } = createRequire(path.join(tools, 'package.json'))('playwright-core');
const codeServer = path.join(tools, 'node_modules/.bin/code-server');

const traces = path.join(root, 'target/client-traces/code-server');
fs.rmSync(traces, { recursive: true, force: true });
fs.mkdirSync(traces, { recursive: true });
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'margin-code-server-'));
const userData = path.join(work, 'data');
const extensions = path.join(work, 'extensions');
const workspace = path.join(work, 'workspace');
const settingsFile = path.join(userData, 'User/settings.json');

const NOTES = '# Notes\n\nI has a question about the homework.\n\nThe weather is nice today.\n';
const GERMAN = '# Reisebericht\n\nDer Hund ist sehr groß.\n';
const SETTINGS = {
  'margin.model': model,
  'margin.threads': 1,
  'margin.debounceMs': 50,
  'margin.readingLanguage': 'en',
  'margin.translateTargets': ['de', 'en'],
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'update.mode': 'none',
  'chat.disableAIFeatures': true,
  'editor.hover.delay': 200,
  'editor.minimap.enabled': false,
  'window.commandCenter': false,
};

let server; // the code-server process
let browser;
let page;
const serverLog = fs.createWriteStream(path.join(traces, 'code-server.log'));
let shot = 0;
const screenshot = (name) => page.screenshot({ path: path.join(traces, `${String(++shot).padStart(2, '0')}-${name}.png`) });

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** The environment code-server (and so the extension host and margin) runs in: no margin on PATH. */
function cleanEnv() {
  const PATH = (process.env.PATH ?? '')
    .split(path.delimiter)
    .filter((dir) => dir && !fs.existsSync(path.join(dir, 'margin')))
    .join(path.delimiter);
  return {
    ...process.env,
    PATH,
    MARGIN_CACHE_DIR: path.join(work, 'margin-cache'),
    MARGIN_CONFIG: path.join(work, 'no-config.toml'),
    MARGIN_LOG: process.env.MARGIN_LOG || 'info',
  };
}

before(async () => {
  fs.mkdirSync(path.dirname(settingsFile), { recursive: true });
  fs.mkdirSync(workspace);
  fs.writeFileSync(settingsFile, JSON.stringify(SETTINGS, null, 2));
  fs.writeFileSync(path.join(workspace, 'notes.md'), NOTES);
  fs.writeFileSync(path.join(workspace, 'reisebericht.md'), GERMAN);
  const dirs = ['--user-data-dir', userData, '--extensions-dir', extensions];
  const install = spawnSync(codeServer, [...dirs, '--install-extension', vsix], { encoding: 'utf8', env: cleanEnv(), timeout: 120_000 });
  serverLog.write(`install: ${install.stdout}\n${install.stderr}\n`);
  assert.equal(install.status, 0, `code-server --install-extension: ${install.stdout}${install.stderr}`);

  const port = await freePort();
  server = spawn(
    codeServer,
    [
      ...dirs,
      '--auth', 'none',
      '--bind-addr', `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--ignore-last-opened',
      workspace,
    ],
    { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('code-server did not start within 60 s')), 60_000);
    const onData = (d) => {
      serverLog.write(d);
      if (/HTTP server listening/.test(d.toString())) {
        clearTimeout(timer);
        resolve();
      }
    };
    server.stdout.on('data', onData);
    server.stderr.on('data', onData);
    server.on('exit', (code) => reject(new Error(`code-server exited (${code}); see ${traces}/code-server.log`)));
  });

  browser = await chromium.launch({
    executablePath: env('CHROMIUM'),
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  // Records every state the margin status bar item shows (its codicon and text), in order.
  await context.addInitScript(() => {
    window.__marginStates = [];
    const record = () => {
      const item = [...document.querySelectorAll('.statusbar-item')].find((e) => /\bmargin\b/.test(e.textContent ?? ''));
      if (!item) return;
      const icon = [...(item.querySelector('.codicon')?.classList ?? [])].find((c) => c.startsWith('codicon-') && !c.includes('modifier'));
      const state = `${icon ?? 'none'} ${item.textContent.trim()}`;
      if (window.__marginStates.at(-1) !== state) window.__marginStates.push(state);
    };
    new MutationObserver(record).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
  });
  page = await context.newPage();
  page.on('console', (m) => serverLog.write(`[browser ${m.type()}] ${m.text()}\n`));
  await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`);
  await page.waitForSelector('.monaco-workbench .part.editor', { timeout: 60_000 });
  await page.waitForSelector('.statusbar', { timeout: 60_000 });
});

after(async () => {
  if (page) await screenshot('last').catch(() => {});
  await browser?.close().catch(() => {});
  server?.kill('SIGTERM');
  serverLog.end();
  fs.rmSync(work, { recursive: true, force: true });
});

// --- helpers -------------------------------------------------------------------------------------

const states = () => page.evaluate(() => window.__marginStates);

async function waitForState(icon, since = 0, timeout = 120_000) {
  await page.waitForFunction(
    ([icon, since]) => window.__marginStates.slice(since).some((s) => s.startsWith(icon)),
    [icon, since],
    { timeout, polling: 100 },
  );
}

/** Opens a workspace file through Quick Open (Ctrl+P), as a user does; waits for `shows`. */
async function openFile(name, shows) {
  await page.keyboard.press('Control+P');
  await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
  await page.keyboard.type(name);
  await page.waitForSelector(`.quick-input-list .monaco-list-row[aria-label*="${name}"]`, { timeout: 15_000 });
  await page.keyboard.press('Enter');
  await page.waitForSelector(`.tab.active[aria-label*="${name}"]`, { timeout: 15_000 });
  await waitForText(shows);
}

/** Runs a command through the Command Palette (F1). */
async function runCommand(title) {
  await page.keyboard.press('F1');
  await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
  await page.keyboard.type(title);
  await page.waitForSelector(`.quick-input-list .monaco-list-row[aria-label*="${title}"]`, { timeout: 15_000 });
  await page.keyboard.press('Enter');
}

/** The active editor's rendered text (Monaco renders spaces as U+00A0). */
const editorText = () => page.evaluate(() => document.querySelector('.editor-instance .view-lines')?.innerText.replace(/\u00a0/g, ' ') ?? '');

async function waitForText(re, timeout = 15_000) {
  await page.waitForFunction(
    (source) => new RegExp(source).test(document.querySelector('.editor-instance .view-lines')?.innerText.replace(/\u00a0/g, ' ') ?? ''),
    re.source,
    { timeout, polling: 100 },
  );
}

/** The centre of the first rendered occurrence of `word` in the active editor. */
async function wordCentre(word) {
  return page.evaluate((word) => {
    for (const span of document.querySelectorAll('.editor-instance .view-line span span')) {
      const text = span.textContent ?? '';
      const i = text.indexOf(word);
      if (i < 0) continue;
      const range = document.createRange();
      range.setStart(span.firstChild, i);
      range.setEnd(span.firstChild, i + word.length);
      const r = range.getBoundingClientRect();
      return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
    }
    return null;
  }, word);
}

// --- tests (in order) ----------------------------------------------------------------------------

test('the status bar item goes from loading to ready with the bundled server', async () => {
  await openFile('notes.md', /I has a question/);
  await waitForState('codicon-check');
  const seen = await states();
  const loading = seen.findIndex((s) => s.startsWith('codicon-loading'));
  const ready = seen.findIndex((s) => s.startsWith('codicon-check'));
  assert.ok(loading >= 0 && loading < ready, `loading before ready: ${JSON.stringify(seen)}`);
  await screenshot('ready');
});

test('the grammar finding shows as a squiggle and in the Problems panel', async () => {
  const squiggle = page.locator('.editor-instance .view-overlays [class*="squiggly-"]').first();
  await squiggle.waitFor({ state: 'attached', timeout: 120_000 });
  await page.keyboard.press('Control+Shift+M');
  const row = page.locator('.markers-panel .monaco-list-row', { hasText: "'has' → 'have'" }).first();
  await row.waitFor({ timeout: 60_000 });
  const text = await row.innerText();
  assert.match(text, /margin/, `Problems row names margin: ${text}`);
  await screenshot('diagnostic');
});

test('the quick fix (Ctrl+.) changes the file', async () => {
  const at = await wordCentre('has');
  assert.ok(at, `'has' rendered: ${await editorText()}`);
  await page.mouse.click(at.x, at.y);
  await page.keyboard.press('Control+.');
  // The light bulb menu opens with the preferred fix focused; Enter applies it.
  const fix = page.locator('.action-widget .monaco-list-row.focused', { hasText: "'has' → 'have'" });
  await fix.waitFor({ timeout: 30_000 });
  await screenshot('quick-fix');
  await page.keyboard.press('Enter');
  await waitForText(/I have a question/);
  await page.keyboard.press('Control+S');
  const file = path.join(workspace, 'notes.md');
  for (let i = 0; i < 50 && !fs.readFileSync(file, 'utf8').includes('I have'); i++) await new Promise((r) => setTimeout(r, 200));
  assert.equal(fs.readFileSync(file, 'utf8'), NOTES.replace('I has', 'I have'));
});

test('a hover over a German sentence shows its translation', async () => {
  await openFile('reisebericht.md', /Der Hund ist sehr/);
  const at = await wordCentre('Hund');
  assert.ok(at, `'Hund' rendered: ${await editorText()}`);
  await page.mouse.move(at.x, at.y);
  const hover = page.locator('.monaco-hover:not(.hidden) .hover-contents', { hasText: '→' }).first();
  await hover.waitFor({ timeout: 120_000 });
  const text = await hover.innerText();
  assert.ok(!/could not translate/i.test(text), `no translation: ${text}`);
  const body = text.split('\n').slice(1).join('\n').trim();
  assert.ok(body.length > 0 && !body.includes('Der Hund ist sehr'), `hover is not a translation: ${text}`);
  await screenshot('translation');
  await page.mouse.move(5, 5);
});

test('"margin: Restart Server" restarts the server: loading, then ready again', async () => {
  const since = (await states()).length;
  await runCommand('margin: Restart Server');
  await waitForState('codicon-loading', since, 30_000);
  await waitForState('codicon-check', since);
  await screenshot('restarted');
});

test('a margin.serverPath that cannot run: one error naming the setting, no restart loop', async () => {
  // A binary that fails like one with a missing library; it counts how often it is started.
  const spawns = path.join(work, 'spawns');
  const broken = path.join(work, 'broken-margin');
  fs.writeFileSync(
    broken,
    `#!/bin/sh\necho "$@" >> '${spawns}'\necho "margin: error while loading shared libraries: libllama.so: cannot open shared object file" >&2\nexit 127\n`,
    { mode: 0o755 },
  );
  const since = (await states()).length;
  // Set it the way a user does: the Settings editor (Ctrl+,), searched, typed into.
  await page.keyboard.press('Control+,');
  await page.waitForSelector('.settings-editor', { timeout: 30_000 });
  await page.keyboard.type('margin.serverPath');
  // A machine-overridable setting: in code-server it is the server machine's (Remote) setting.
  await page.locator('.settings-editor .settings-tabs-widget .action-label', { hasText: 'Remote' }).first().click();
  const input = page.locator('.settings-editor .setting-item-contents', { hasText: 'Server Path' }).locator('input').first();
  await input.waitFor({ timeout: 30_000 });
  await input.fill(broken);
  await input.press('Enter');
  await screenshot('settings-editor');
  await waitForState('codicon-error', since, 30_000);
  await new Promise((r) => setTimeout(r, 8000)); // a restart loop would start it again meanwhile
  const toasts = page.locator('.notification-toast', { hasText: 'margin.serverPath' });
  assert.equal(await toasts.count(), 1, 'exactly one error notification');
  const message = await toasts.first().innerText();
  assert.match(message, /libllama\.so/, message);
  assert.ok(message.includes(broken), message);
  assert.deepEqual(fs.readFileSync(spawns, 'utf8').trim().split('\n'), ['--version'], 'started once, for the run check only');
  assert.ok((await states()).at(-1).startsWith('codicon-error'), JSON.stringify(await states()));
  await screenshot('bad-server-path');
  // The rest of VS Code is unaffected: the editor still opens files and takes input.
  await page.locator('.tab', { hasText: 'notes.md' }).first().click();
  await waitForText(/I have a question/);
  await page.keyboard.press('Control+End');
  await page.keyboard.type('Still editable.');
  await waitForText(/Still editable\./);
});
