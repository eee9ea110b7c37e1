// The VS Code extension's protocol test. It does not run VS Code (tests/clients/code-server
// does); it runs what the extension hands to VS Code's language client, against the real
// `margin serve` and the real model:
//   - the server command and settings come from the extension's own settings module
//     (editors/vscode/out/settings.js: serverCommand, serverSettings, configurationResult);
//   - the client capabilities are computed by vscode-languageclient itself (the version the
//     extension ships), loaded with a stub `vscode` module;
//   - messages go through vscode-jsonrpc + vscode-languageserver-protocol from the
//     extension's node_modules, and diagnostics are pulled, as VS Code does.
//
//   scripts/test-client-vscode   (compiles the extension first; MARGIN_BIN, MARGIN_TEST_MODEL)
//
// Traces: target/client-traces/vscode/ (protocol.log: client side with server stderr;
// server-trace.jsonl: MARGIN_TRACE_FILE).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import Module, { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const ext = path.join(root, 'editors/vscode');
const requireExt = createRequire(path.join(ext, 'package.json'));
const settings = requireExt('./out/settings.js');
const serverModule = requireExt('./out/server.js');
const { createMessageConnection, StreamMessageReader, StreamMessageWriter, Trace, MessageType } =
  requireExt('vscode-languageserver-protocol/node');

const bin = path.resolve(root, process.env.MARGIN_BIN || 'target/debug/margin');
const model = process.env.MARGIN_TEST_MODEL;
const traceDir = path.join(root, 'target/client-traces/vscode');
fs.mkdirSync(traceDir, { recursive: true });
const serverTrace = path.join(traceDir, 'server-trace.jsonl');
fs.rmSync(serverTrace, { force: true });
const trace = fs.createWriteStream(path.join(traceDir, 'protocol.log'));
const log = (line) => trace.write(`[${new Date().toISOString()}] ${line}\n`);

const TIMEOUT = 60_000; // a check with one thread takes a few seconds; a cold start more
const withTimeout = (promise, what, ms = TIMEOUT) => {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
};
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// --- VS Code's client capabilities, computed by vscode-languageclient ---------------------------

function vscodeCapabilities() {
  const stub = () =>
    new Proxy(function () {}, {
      get: (_, p) => (p === 'then' ? undefined : p === Symbol.toPrimitive ? () => '' : stub()),
      apply: () => stub(),
      construct: () => stub(),
    });
  const vscode = new Proxy({ version: '1.96.0' }, { get: (t, p) => (p in t ? t[p] : stub()) });
  const load = Module._load;
  Module._load = function (request, ...rest) {
    return request === 'vscode' ? vscode : load.call(this, request, ...rest);
  };
  try {
    const { LanguageClient } = requireExt('vscode-languageclient/node');
    const client = new LanguageClient('margin', 'margin', { command: 'margin' }, { documentSelector: [] });
    return client.computeClientCapabilities();
  } finally {
    Module._load = load;
  }
}

// --- the "user's" settings, read through the extension's settings module -----------------------

const userSettings = {
  serverPath: '', // empty: `margin` from PATH (the server binary's directory is put first)
  model,
  threads: 1,
  debounceMs: 50,
  readingLanguage: 'en',
  translateTargets: ['de', 'en'],
};
const lookup = (key) => userSettings[key];

const env = { ...process.env, PATH: `${path.dirname(bin)}${path.delimiter}${process.env.PATH}` };
const command = settings.serverCommand(userSettings.serverPath, env);
const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'margin-vscode-cache-'));

// --- server process and connection ---------------------------------------------------------------

let server;
let conn;
let exitSent = false;
const showMessages = [];
const configRequests = [];
let refreshes = 0;
let exited;

function startServer() {
  assert.ok(!('error' in command), `serverCommand: ${JSON.stringify(command)}`);
  log(`spawn ${command.command} ${command.args.join(' ')}`);
  server = spawn(command.command, command.args, {
    cwd: root,
    env: {
      ...env,
      MARGIN_LOG: process.env.MARGIN_LOG || 'info',
      MARGIN_TRACE_FILE: serverTrace,
      MARGIN_CACHE_DIR: cacheDir,
      MARGIN_CONFIG: path.join(cacheDir, 'no-config.toml'),
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  exited = new Promise((resolve) =>
    server.on('exit', (code, signal) => {
      log(`server exited: code ${code}, signal ${signal}`);
      if (!exitSent) conn.dispose();
      resolve({ code, signal });
    }),
  );
  server.stderr.setEncoding('utf8');
  server.stderr.on('data', (chunk) => log(`[server stderr] ${chunk.trimEnd()}`));
  conn = createMessageConnection(new StreamMessageReader(server.stdout), new StreamMessageWriter(server.stdin));
  conn.trace(Trace.Verbose, { log: (message, data) => log(data ? `${message}\n${data}` : message) });
  conn.onRequest('workspace/configuration', (params) => {
    configRequests.push(params);
    return settings.configurationResult(params.items, () => lookup);
  });
  conn.onRequest('workspace/diagnostic/refresh', () => {
    refreshes += 1;
    return null;
  });
  conn.onNotification('window/showMessage', (params) => showMessages.push(params));
  conn.onRequest(() => null); // window/workDoneProgress/create, client/registerCapability, ...
  conn.onNotification(() => {});
  conn.listen();
}

const request = (method, params, ms) =>
  withTimeout(params === undefined ? conn.sendRequest(method) : conn.sendRequest(method, params), method, ms);

after(async () => {
  if (server && server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
  conn?.dispose();
  fs.rmSync(cacheDir, { recursive: true, force: true });
  await new Promise((resolve) => trace.end(resolve));
});

// --- documents -----------------------------------------------------------------------------------

const NOTES = '# Notes\n\nI has a question about the homework.\n\nThe weather is nice today.\n';
// A sentence SmolLM2-135M translates (longer ones often come back untranslated).
const GERMAN = '# Reisebericht\n\nDer Hund ist sehr groß.\n';
const notesUri = pathToFileURL(path.join(traceDir, 'notes.md')).href;
const germanUri = pathToFileURL(path.join(traceDir, 'reisebericht.md')).href;
const docs = new Map();

const offsetAt = (text, { line, character }) => {
  let offset = 0;
  for (let i = 0; i < line; i++) offset = text.indexOf('\n', offset) + 1;
  return offset + character;
};
const textAt = (text, range) => text.slice(offsetAt(text, range.start), offsetAt(text, range.end));
function applyEdits(text, edits) {
  const sorted = [...edits].sort((a, b) => offsetAt(text, b.range.start) - offsetAt(text, a.range.start));
  for (const e of sorted) text = text.slice(0, offsetAt(text, e.range.start)) + e.newText + text.slice(offsetAt(text, e.range.end));
  return text;
}
/** The TextEdits of a WorkspaceEdit for `uri` (`changes` or `documentChanges`). */
function editsFor(edit, uri) {
  if (edit.changes?.[uri]) return edit.changes[uri];
  return (edit.documentChanges ?? []).filter((c) => c.textDocument?.uri === uri).flatMap((c) => c.edits);
}

async function open(uri, text) {
  docs.set(uri, { text, version: 1 });
  await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'markdown', version: 1, text } });
}
async function replace(uri, text) {
  const doc = docs.get(uri);
  doc.version += 1;
  doc.text = text;
  await conn.sendNotification('textDocument/didChange', {
    textDocument: { uri, version: doc.version },
    contentChanges: [{ text }],
  });
}
// A pull answers at once with what the server knows; when it knows more it sends
// workspace/diagnostic/refresh and the client pulls again (as vscode-languageclient does).
const pull = async (uri, done) => {
  const deadline = Date.now() + TIMEOUT;
  for (;;) {
    const seen = refreshes;
    const report = await request('textDocument/diagnostic', { textDocument: { uri }, identifier: 'margin' });
    assert.equal(report.kind, 'full', JSON.stringify(report));
    if (done(report.items)) return report.items;
    while (refreshes === seen) {
      assert.ok(Date.now() < deadline, `no refresh with the wanted diagnostics: ${JSON.stringify(report)}`);
      await sleep(50);
    }
  }
};
const hasEat = (items) => items.some((d) => d.data?.original === 'has');

// --- tests (in order) ----------------------------------------------------------------------------

test('the settings module resolves the server from PATH and sends only what the user set', () => {
  assert.equal(command.command, bin);
  assert.deepEqual(command.args, ['serve']);
  const init = settings.serverSettings(lookup);
  assert.deepEqual(Object.keys(init).sort(), ['debounceMs', 'model', 'readingLanguage', 'threads', 'translateTargets']);
  assert.ok(model, 'MARGIN_TEST_MODEL must name the test model (scripts/test sets it)');
});

test("initialize with VS Code's client capabilities", async () => {
  const capabilities = vscodeCapabilities();
  assert.deepEqual(capabilities.general.positionEncodings, ['utf-16']);
  assert.ok(capabilities.textDocument.diagnostic, 'vscode-languageclient offers pull diagnostics');
  fs.writeFileSync(path.join(traceDir, 'client-capabilities.json'), JSON.stringify(capabilities, null, 2));
  startServer();
  const result = await request('initialize', {
    processId: process.pid,
    clientInfo: { name: 'Visual Studio Code', version: '1.96.0' },
    locale: 'en',
    rootPath: traceDir,
    rootUri: pathToFileURL(traceDir).href,
    workspaceFolders: [{ uri: pathToFileURL(traceDir).href, name: 'vscode' }],
    capabilities,
    initializationOptions: settings.serverSettings(lookup),
    trace: 'off',
  });
  assert.equal(result.serverInfo?.name, 'margin');
  assert.equal(result.capabilities.positionEncoding, 'utf-16');
  assert.ok(result.capabilities.diagnosticProvider, 'diagnosticProvider');
  await conn.sendNotification('initialized', {});
});

let finding;
test('diagnostics: the pulled report has the grammar finding SmolLM2 makes', async () => {
  await open(notesUri, NOTES);
  const items = await pull(notesUri, hasEat);
  log(`diagnostics: ${JSON.stringify(items)}`);
  finding = items.find((d) => d.data?.original === 'has');
  assert.ok(finding, `a finding on 'has': ${JSON.stringify(items)}`);
  assert.equal(finding.source, 'margin');
  assert.equal(textAt(NOTES, finding.range), 'has');
  assert.match(finding.message, /'has' → 'have'/);
});

test('code action: the preferred quick fix corrects the sentence', async () => {
  assert.ok(finding, 'needs the diagnostic');
  const actions = await request('textDocument/codeAction', {
    textDocument: { uri: notesUri },
    range: finding.range,
    context: { diagnostics: [finding], triggerKind: 1 },
  });
  const titles = actions.map((a) => a.title);
  let fix = actions.find((a) => a.isPreferred);
  assert.ok(fix, `a preferred fix among ${JSON.stringify(titles)}`);
  if (!fix.edit && fix.data) fix = await request('codeAction/resolve', fix); // VS Code resolves lazily
  const fixed = applyEdits(NOTES, editsFor(fix.edit, notesUri));
  assert.ok(fixed.includes('I have a question about the homework.'), fixed);
  // The check of the fixed text ends with a refresh; then the pulled report has no 'has'.
  const seen = refreshes;
  await replace(notesUri, fixed);
  const after = await pull(notesUri, () => refreshes > seen);
  assert.ok(!after.some((d) => d.data?.original === 'has'), `fixed, yet: ${JSON.stringify(after)}`);
});

test('hover: a paragraph in another language shows its translation', async () => {
  await open(germanUri, GERMAN);
  const hover = await request('textDocument/hover', {
    textDocument: { uri: germanUri },
    position: { line: 2, character: 10 },
  });
  log(`hover: ${JSON.stringify(hover)}`);
  assert.ok(hover, 'a hover on the German paragraph');
  const contents = hover.contents;
  const value = typeof contents === 'string' ? contents : Array.isArray(contents) ? contents.map((c) => c.value ?? c).join('\n') : contents.value;
  assert.ok(value && value.trim().length > 0, 'non-empty hover');
  if (!Array.isArray(contents) && typeof contents !== 'string') assert.equal(contents.kind, 'markdown');
  assert.ok(!/could not translate/i.test(value), `no translation: ${value}`);
  const body = value.split('\n\n').slice(1).join('\n\n').trim(); // after the "German → English" line
  assert.ok(body.length > 0 && !body.includes('Der Hund ist sehr'), `hover body is not a translation: ${value}`);
});

test('margin/status reports the loaded model, the model of each task, the checks and the doctor report', async () => {
  const status = await request('margin/status', { doctor: true });
  assert.equal(status.model?.state, 'ready', JSON.stringify(status.model));
  assert.ok(status.checks.modelCalls > 0, JSON.stringify(status.checks));
  const text = settings.formatStatus(status);
  log(`status:\n${text}`);
  assert.match(text, /model: .*\(ready\)/);
  assert.match(text, /threads: 1\n/);
  assert.match(text, /proofread: .*\(setting `model`, ready\)/);
  assert.match(text, /Config files/);
  assert.equal(status.doctor?.models?.length, 3, JSON.stringify(status.doctor?.models));
});

test('every contributed default is a value the server accepts (no settings warning)', async () => {
  // Answer the next pull with every server setting at its package.json default.
  for (const spec of settings.SERVER_SETTINGS) {
    if (spec.default !== null && !(spec.key in userSettings)) userSettings[spec.key] = spec.default;
  }
  const before = configRequests.length;
  await conn.sendNotification('workspace/didChangeConfiguration', { settings: null });
  for (let i = 0; configRequests.length === before; i++) {
    assert.ok(i < 500, 'no workspace/configuration pull after didChangeConfiguration');
    await sleep(20);
  }
  await request('margin/status', {});
  await sleep(300);
  const warnings = showMessages.filter((m) => m.type <= MessageType.Warning);
  assert.deepEqual(warnings, []);
});

test('shutdown and exit', async () => {
  assert.equal(await request('shutdown'), null);
  exitSent = true;
  await conn.sendNotification('exit');
  const { code } = await withTimeout(exited, 'server exit', 10_000);
  assert.equal(code, 0);
});

// --- bad input: what the extension does when the server cannot start ---------------------------

test('missing server binary: one error naming margin.serverPath, nothing spawned', () => {
  const noPath = settings.serverCommand('', { PATH: fs.mkdtempSync(path.join(os.tmpdir(), 'empty-path-')) });
  assert.ok('error' in noPath && noPath.error.includes('`margin.serverPath`'), JSON.stringify(noPath));
  const badPath = settings.serverCommand('/nonexistent/margin', env);
  assert.ok('error' in badPath && badPath.error.includes('`margin.serverPath` (/nonexistent/margin)'), JSON.stringify(badPath));
});

test('the run check passes the real server binary and fails one that is not margin', async () => {
  const real = await serverModule.checkServer(command.command);
  assert.ok(real.ok && /^margin \S+/.test(real.version), JSON.stringify(real));
  const notMargin = await serverModule.checkServer('/bin/true');
  assert.ok(!notMargin.ok && /is not margin/.test(notMargin.reason), JSON.stringify(notMargin));
});

test('a server that crashes at start is spawned once and named in one error', async () => {
  // The extension's close handler runs RestartPolicy.onClose; emulate the client's loop:
  // spawn, initialize, and on close ask the policy whether to spawn again.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'margin-crash-'));
  const crasher = path.join(dir, 'margin');
  const spawns = path.join(dir, 'spawns');
  fs.writeFileSync(crasher, `#!/bin/sh\necho x >> '${spawns}'\necho 'margin: cannot start' >&2\nexit 3\n`, { mode: 0o755 });
  const crash = settings.serverCommand(crasher, env);
  assert.ok(!('error' in crash));
  const policy = new settings.RestartPolicy();
  const errors = [];
  for (let attempt = 0; attempt < 10; attempt++) {
    const child = spawn(crash.command, crash.args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const c = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    c.listen();
    const closed = new Promise((resolve) => child.on('exit', resolve));
    const initialized = await Promise.race([
      c.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {} }).then(() => true, () => false),
      closed.then(() => false),
    ]);
    await closed;
    c.dispose();
    const decision = policy.onClose(initialized, crash.command);
    if (!decision.restart) {
      errors.push(decision.message);
      break;
    }
  }
  const count = fs.readFileSync(spawns, 'utf8').trim().split('\n').length;
  fs.rmSync(dir, { recursive: true, force: true });
  assert.equal(count, 1, 'spawned exactly once');
  assert.equal(errors.length, 1);
  assert.match(errors[0], /margin\.serverPath/);
});
