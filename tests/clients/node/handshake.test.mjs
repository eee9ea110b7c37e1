// JSON-RPC client test for `margin serve`, speaking like VS Code does (UTF-16 positions).
//
//   cd tests/clients/node && npm ci && MARGIN_BIN=... node --test handshake.test.mjs
//
// MARGIN_BIN defaults to target/debug/margin relative to the repo root.
// Traces: target/client-traces/node/handshake.log (messages both ways + server stderr) and
// handshake-server.jsonl (the server's own trace, MARGIN_TRACE_FILE).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import rpc from 'vscode-jsonrpc/node';
import lsp from 'vscode-languageserver-protocol';

const { createMessageConnection, StreamMessageReader, StreamMessageWriter, ResponseError, Trace } = rpc;
const { PositionEncodingKind, MessageType } = lsp;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const bin = path.resolve(root, process.env.MARGIN_BIN || 'target/debug/margin');
const traceDir = path.join(root, 'target/client-traces/node');
fs.mkdirSync(traceDir, { recursive: true });
const tracePath = path.join(traceDir, 'handshake.log');
const serverTrace = path.join(traceDir, 'handshake-server.jsonl'); // MARGIN_TRACE_FILE
fs.rmSync(serverTrace, { force: true });
const trace = fs.createWriteStream(tracePath);
const log = (line) => trace.write(`[${new Date().toISOString()}] ${line}\n`);

const TIMEOUT = 10_000;
const withTimeout = (promise, what, ms = TIMEOUT) => {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
};
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const waitFor = async (cond, what, ms = TIMEOUT) => {
  for (const deadline = Date.now() + ms; !cond(); await sleep(20)) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms: ${what}`);
  }
};

// The settings the "editor" holds; debounceMs is deliberately invalid.
const SETTINGS = { margin: { debounceMs: 'soon' } };
const lookup = (section) =>
  section ? section.split('.').reduce((v, k) => (v == null ? null : v[k] ?? null), SETTINGS) : SETTINGS;

// --- server process and connection -------------------------------------------------------

fs.accessSync(bin, fs.constants.X_OK); // clear failure when the server is not built
log(`spawn ${bin} serve --stdio`);
const server = spawn(bin, ['serve', '--stdio'], {
  cwd: root,
  env: { ...process.env, MARGIN_LOG: process.env.MARGIN_LOG || 'debug', MARGIN_TRACE_FILE: serverTrace },
  stdio: ['pipe', 'pipe', 'pipe'],
});
const exited = new Promise((resolve) =>
  server.on('exit', (code, signal) => {
    log(`server exited: code ${code}, signal ${signal}`);
    if (!exitSent) conn.dispose(); // fail the pending and later requests now instead of timing out
    resolve({ code, signal });
  }),
);
server.on('error', (err) => log(`spawn error: ${err.message}`));
server.stderr.setEncoding('utf8');
server.stderr.on('data', (chunk) => log(`[server stderr] ${chunk.trimEnd()}`));

const conn = createMessageConnection(new StreamMessageReader(server.stdout), new StreamMessageWriter(server.stdin));
conn.trace(Trace.Verbose, { log: (message, data) => log(data ? `${message}\n${data}` : message) });
conn.onError(([err]) => log(`connection error: ${err?.message ?? err}`));

let exitSent = false;
const showMessages = [];
const configRequests = [];
let configPulled;
const configPulledP = new Promise((resolve) => (configPulled = resolve));
let warned;
const warnedP = new Promise((resolve) => (warned = resolve));

conn.onRequest('workspace/configuration', (params) => {
  configRequests.push(params);
  configPulled(params);
  return params.items.map((item) => lookup(item.section));
});
conn.onNotification('window/showMessage', (params) => {
  showMessages.push(params);
  if (params.message.includes('debounceMs')) warned(params);
});
// Anything else the server asks (registerCapability, workDoneProgress/create, ...): accept.
conn.onRequest(() => null);
conn.onNotification(() => {});
conn.listen();

const request = (method, ...params) => withTimeout(conn.sendRequest(method, ...params), method);

after(async () => {
  if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
  conn.dispose();
  await new Promise((resolve) => trace.end(resolve));
});

// --- text model with UTF-16 positions (JS strings are UTF-16) ----------------------------

const offsetAt = (text, { line, character }) => {
  let offset = 0;
  for (let i = 0; i < line; i++) offset = text.indexOf('\n', offset) + 1;
  return offset + character;
};
const positionAt = (text, offset) => {
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
};
const rangeOf = (text, start, end) => ({ start: positionAt(text, start), end: positionAt(text, end) });
const after_ = (text, needle) => {
  const i = text.indexOf(needle);
  assert.ok(i >= 0, `${JSON.stringify(needle)} not in document`);
  return i + needle.length;
};
const apply = (text, change) => {
  if (!change.range) return change.text;
  return text.slice(0, offsetAt(text, change.range.start)) + change.text + text.slice(offsetAt(text, change.range.end));
};

// A step is one didChange; each of its changes is built from the text as left by the
// previous ones (the protocol applies contentChanges in order, like VS Code sends them).
const edit = (at, newText) => ({ at, text: newText });
const STEPS = [
  ['insert after an emoji', [(t) => edit([after_(t, '🚀'), after_(t, '🚀')], ' 改稿')]],
  ['replace a skin-tone emoji', [(t) => edit([t.indexOf('👍🏽'), after_(t, '👍🏽')], '👍')]],
  ['replace CJK with CJK+emoji', [(t) => edit([t.indexOf('绝对'), after_(t, '绝对')], '絶対🙂')]],
  ['delete across lines after CJK', [(t) => edit([after_(t, '日本語'), after_(t, '👩‍💻')], '')]],
  ['split a line after an emoji', [(t) => edit([after_(t, '🦊'), after_(t, '🦊')], '\n新しい行 ✨\ntail:')]],
  [
    'three changes in one notification',
    [
      (t) => edit([0, 0], '🇯🇵 '),
      (t) => edit([t.length, t.length], 'appended 🎉 末尾\n'),
      (t) => edit([after_(t, '🇯🇵'), after_(t, '🇯🇵 #')], ''),
    ],
  ],
  [
    'delete a whole line',
    [
      (t) => {
        const s = t.indexOf('plain ascii line');
        return edit([s, t.indexOf('\n', s) + 1], '');
      },
    ],
  ],
  ['insert at the end of the document', [(t) => edit([t.length, t.length], 'end 🔚')]],
];

const uri = pathToFileURL(path.join(traceDir, 'notes.md')).href;
let text = [
  '# Margin テスト 🚀',
  '',
  'The quick brown fox — jumps 🦊 over the lazy dog.',
  '日本語の文章です。绝对没问题 👍🏽 ok',
  'Emoji ZWJ: 👩‍💻 and more',
  'plain ascii line',
  'Ünïcödé äöü ß',
  '',
].join('\n');
let version = 1;

async function compareText(when) {
  const got = await request('margin/documentText', { uri });
  assert.equal(got.uri, uri, `${when}: uri`);
  assert.equal(got.version, version, `${when}: version`);
  assert.equal(got.text, text, `${when}: text`);
}

// --- tests (run in order) ---------------------------------------------------------------

test('initialize negotiates utf-16 with VS Code-like capabilities', async () => {
  const result = await request('initialize', {
    processId: process.pid,
    clientInfo: { name: 'Visual Studio Code', version: '1.96.0' },
    locale: 'en',
    rootPath: root,
    rootUri: pathToFileURL(root).href,
    workspaceFolders: [{ uri: pathToFileURL(root).href, name: 'main' }],
    trace: 'off',
    capabilities: {
      general: {
        positionEncodings: [PositionEncodingKind.UTF16],
        markdown: { parser: 'marked', version: '1.1.0' },
        regularExpressions: { engine: 'ECMAScript', version: 'ES2020' },
        staleRequestSupport: { cancel: true, retryOnContentModified: [] },
      },
      workspace: {
        applyEdit: true,
        configuration: true,
        didChangeConfiguration: { dynamicRegistration: true },
        workspaceFolders: true,
        workspaceEdit: { documentChanges: true },
      },
      textDocument: {
        synchronization: { dynamicRegistration: true, willSave: true, willSaveWaitUntil: true, didSave: true },
        publishDiagnostics: { relatedInformation: true, versionSupport: false },
        codeAction: { dynamicRegistration: true, isPreferredSupport: true },
        hover: { dynamicRegistration: true, contentFormat: ['markdown', 'plaintext'] },
      },
      window: { workDoneProgress: true, showMessage: { messageActionItem: { additionalPropertiesSupport: true } } },
    },
  });
  const caps = result.capabilities;
  assert.equal(caps.positionEncoding, 'utf-16', 'capabilities.positionEncoding');
  assert.equal(caps.textDocumentSync?.openClose, true, 'textDocumentSync.openClose');
  assert.equal(caps.textDocumentSync?.change, 2, 'textDocumentSync.change (incremental)');
  assert.deepEqual(caps.textDocumentSync?.save, { includeText: false }, 'textDocumentSync.save');
  assert.equal(result.serverInfo?.name, 'margin', 'serverInfo.name');
  await conn.sendNotification('initialized', {});
});

test('pulls workspace/configuration and warns about the invalid key', async () => {
  const params = await withTimeout(configPulledP, 'workspace/configuration request from the server');
  assert.ok(
    params.items.some((item) => item.section === 'margin'),
    `configuration items: ${JSON.stringify(params.items)}`,
  );
  const msg = await withTimeout(warnedP, 'window/showMessage naming debounceMs');
  assert.equal(msg.type, MessageType.Warning, `showMessage type: ${JSON.stringify(msg)}`);
});

test('didOpen and incremental UTF-16 didChange match margin/documentText', async (t) => {
  await conn.sendNotification('textDocument/didOpen', {
    textDocument: { uri, languageId: 'markdown', version, text },
  });
  await compareText('after didOpen');
  for (const [name, changes] of STEPS) {
    await t.test(name, async () => {
      const contentChanges = [];
      for (const build of changes) {
        const { at: [start, end], text: newText } = build(text);
        const change = { range: rangeOf(text, start, end), rangeLength: end - start, text: newText };
        contentChanges.push(change);
        text = apply(text, change);
      }
      version += 1;
      await conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges });
      await compareText(`after "${name}"`);
    });
  }
  await conn.sendNotification('textDocument/didSave', { textDocument: { uri } });
  const status = await request('margin/status', {});
  assert.equal(typeof status.version, 'string', 'status.version');
  assert.equal(status.positionEncoding, 'utf-16', 'status.positionEncoding');
  const doc = status.documents.find((d) => d.uri === uri);
  assert.ok(doc, `status.documents lacks ${uri}: ${JSON.stringify(status.documents)}`);
  assert.deepEqual(
    { version: doc.version, language: doc.language, bytes: doc.bytes, inSync: doc.inSync },
    { version, language: 'markdown', bytes: Buffer.byteLength(text, 'utf8'), inSync: true },
  );
});

test('malformed params get an error response and the server keeps serving', async () => {
  await assert.rejects(request('margin/documentText', {}), ResponseError);
  const status = await request('margin/status', {});
  assert.equal(status.positionEncoding, 'utf-16');
});

test('unknown and closed documents get an error response', async () => {
  await assert.rejects(request('margin/documentText', { uri: 'file:///nowhere/unknown.md' }), ResponseError);
  await conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
  await assert.rejects(request('margin/documentText', { uri }), ResponseError);
  const status = await request('margin/status', {});
  assert.ok(!status.documents.some((d) => d.uri === uri), 'closed document still listed in margin/status');
});

test('the invalid setting was reported exactly once', async () => {
  // didChangeConfiguration makes the server pull again; the same invalid value must not warn again.
  const pulls = configRequests.length;
  await conn.sendNotification('workspace/didChangeConfiguration', { settings: null });
  await waitFor(() => configRequests.length > pulls, 'workspace/configuration pull after didChangeConfiguration');
  await request('margin/status', {});
  await sleep(500);
  const about = showMessages.filter((m) => m.message.includes('debounceMs'));
  assert.equal(about.length, 1, `showMessage about debounceMs: ${JSON.stringify(about)}`);
});

test('shutdown then exit ends the process with code 0', async () => {
  assert.equal(await request('shutdown'), null);
  exitSent = true;
  await conn.sendNotification('exit');
  const { code, signal } = await withTimeout(exited, 'server exit after exit notification', 5000);
  assert.deepEqual({ code, signal }, { code: 0, signal: null });
});
