// Unit tests of the extension's pure module (node --test out/test/).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import * as s from '../settings';

const pkgDir = path.resolve(__dirname, '../..');
const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
const repo = path.resolve(pkgDir, '../..');

test('every server setting in server/src/config/options.rs is contributed as margin.<key>, and no other', () => {
  const rs = fs.readFileSync(path.join(repo, 'server/src/config/options.rs'), 'utf8');
  const block = /options!\s*\{([\s\S]*?)\n\}/.exec(rs);
  assert.ok(block, 'options! block in options.rs');
  const serverKeys = [...block[1].matchAll(/=\s*"([A-Za-z.]+)"/g)].map((m) => m[1]).sort();
  assert.ok(serverKeys.length > 10, `parsed ${serverKeys.length} keys`);
  const contributed = s.SERVER_SETTINGS.map((x) => x.key).sort();
  assert.deepEqual(contributed, serverKeys);
});

test('each setting has a description and a default of its declared type', () => {
  for (const spec of s.SERVER_SETTINGS) {
    assert.ok(spec.description.length > 10, `${spec.key}: description`);
    const types = Array.isArray(spec.type) ? spec.type : [spec.type];
    const actual = spec.default === null ? 'null' : Array.isArray(spec.default) ? 'array' : typeof spec.default;
    const ok = types.some((t) => t === actual || (t === 'integer' && Number.isInteger(spec.default)));
    assert.ok(ok, `${spec.key}: default ${JSON.stringify(spec.default)} is not ${types.join('|')}`);
  }
});

test('client-only settings are contributed but never sent', () => {
  const props = pkg.contributes.configuration.properties;
  for (const key of s.CLIENT_SETTINGS) assert.ok(props[`margin.${key}`], key);
  const all = (key: string) => (key === 'serverPath' ? '/x/margin' : key === 'trace.server' ? 'verbose' : undefined);
  assert.deepEqual(s.serverSettings(all), {});
});

test('only user-set values are sent (server defaults and margin.toml still apply)', () => {
  const set: Record<string, unknown> = { threads: 1, model: '/m.gguf', severity: null, serverPath: '/bin/margin' };
  assert.deepEqual(s.serverSettings((k) => set[k]), { model: '/m.gguf', threads: 1 });
});

test('userValue prefers the most specific scope', () => {
  assert.equal(s.userValue(undefined), undefined);
  assert.equal(s.userValue({}), undefined);
  assert.equal(s.userValue({ globalValue: 1 }), 1);
  assert.equal(s.userValue({ globalValue: 1, workspaceValue: 2 }), 2);
  assert.equal(s.userValue({ globalValue: 1, workspaceValue: 2, workspaceFolderValue: 3 }), 3);
  assert.equal(s.userValue({ workspaceFolderValue: 3, globalLanguageValue: 4 }), 4);
  assert.equal(s.userValue({ workspaceValue: false }), false);
});

test('workspace/configuration answers the margin section and single keys', () => {
  const scopes: (string | undefined)[] = [];
  const lookupFor = (scope?: string) => {
    scopes.push(scope);
    return (k: string) => ({ threads: 2, language: 'de' })[k];
  };
  const got = s.configurationResult(
    [{ section: 'margin' }, { section: 'margin.threads', scopeUri: 'file:///w/a.md' }, { section: 'editor' }, {}],
    lookupFor,
  );
  assert.deepEqual(got, [{ threads: 2, language: 'de' }, 2, null, { threads: 2, language: 'de' }]);
  assert.deepEqual(scopes, [undefined, 'file:///w/a.md', undefined, undefined]);
});

test('activation events and the document selector cover the same languages', () => {
  const events = pkg.activationEvents.filter((e: string) => e.startsWith('onLanguage:')).map((e: string) => e.slice(11));
  assert.deepEqual([...events].sort(), [...s.LANGUAGES].sort());
});

test('commands are contributed', () => {
  const ids = pkg.contributes.commands.map((c: { command: string }) => c.command).sort();
  assert.deepEqual(ids, ['margin.checkWorkspace', 'margin.pullModel', 'margin.restartServer', 'margin.showStatus']);
});

test('serverCommand: PATH lookup, serverPath, and errors naming margin.serverPath', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'margin-ext-'));
  const bin = path.join(dir, 'margin');
  const notExec = path.join(dir, 'not-exec');
  fs.writeFileSync(bin, '#!/bin/sh\n', { mode: 0o755 });
  fs.writeFileSync(notExec, '', { mode: 0o644 });
  try {
    assert.deepEqual(s.serverCommand('', { PATH: `/nonexistent${path.delimiter}${dir}` }, 'linux'), {
      command: bin,
      args: ['serve'],
      source: 'path',
    });
    assert.deepEqual(s.serverCommand(bin, { PATH: '' }, 'linux'), { command: bin, args: ['serve'], source: 'setting' });
    assert.deepEqual(s.serverCommand('~/margin', { PATH: '' }, 'linux', dir), { command: bin, args: ['serve'], source: 'setting' });
    // A bundled server wins over PATH; margin.serverPath wins over both.
    const bundled = path.join(dir, 'bundled-margin');
    assert.deepEqual(s.serverCommand('', { PATH: dir }, 'linux', dir, bundled), { command: bundled, args: ['serve'], source: 'bundled' });
    assert.deepEqual(s.serverCommand(bin, { PATH: '' }, 'linux', dir, bundled), { command: bin, args: ['serve'], source: 'setting' });
    const badWithBundled = s.serverCommand(notExec, { PATH: '' }, 'linux', dir, bundled);
    assert.ok('error' in badWithBundled && badWithBundled.error.includes('the bundled server'), JSON.stringify(badWithBundled));
    const missing = s.serverCommand('', { PATH: '/nonexistent' }, 'linux');
    assert.ok('error' in missing && missing.error.includes('margin.serverPath') && missing.error.includes('PATH'), JSON.stringify(missing));
    for (const bad of [path.join(dir, 'nope'), notExec, dir]) {
      const r = s.serverCommand(bad, { PATH: dir }, 'linux');
      assert.ok('error' in r && r.error.includes('`margin.serverPath`') && r.error.includes(bad), JSON.stringify(r));
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('RestartPolicy: no restart before initialize; at most 3 restarts in 3 minutes', () => {
  let now = 0;
  const p = new s.RestartPolicy(3, 180_000, () => now);
  const start = p.onClose(false, '/bin/margin');
  assert.equal(start.restart, false);
  assert.ok(!start.restart && start.message.includes('margin.serverPath') && start.message.includes('/bin/margin'));
  for (let i = 0; i < 3; i++) {
    now += 1000;
    assert.equal(p.onClose(true, 'm').restart, true, `crash ${i + 1}`);
  }
  now += 1000;
  const fourth = p.onClose(true, 'm');
  assert.ok(!fourth.restart && fourth.message.includes('4 times') && fourth.message.includes('margin.serverPath'));
  // Old crashes age out of the window; a manual restart resets the count.
  now += 200_000;
  assert.equal(p.onClose(true, 'm').restart, true);
  p.reset();
  for (let i = 0; i < 3; i++) assert.equal(p.onClose(true, 'm').restart, true);
});

test('status bar states', () => {
  assert.deepEqual(s.uiState({ state: 'loading' }, undefined), { kind: 'loading', percentage: undefined });
  assert.deepEqual(s.uiState({ state: 'ready' }, undefined), { kind: 'ready' });
  assert.deepEqual(s.uiState({ state: 'idle' }, undefined), { kind: 'ready' });
  assert.deepEqual(s.uiState({ state: 'failed', error: 'no model' }, undefined), { kind: 'error', message: 'margin: no model' });
  assert.deepEqual(s.uiState({ state: 'ready' }, { title: 'margin: checking a.md', percentage: 40 }), {
    kind: 'busy',
    title: 'margin: checking a.md',
    percentage: 40,
  });
  assert.equal(s.uiState(undefined, { title: 'margin: loading model', percentage: 10 }).kind, 'loading');
  assert.match(s.statusBarText({ kind: 'loading', percentage: 42.4 }).text, /loading model 42%/);
  assert.match(s.statusBarText({ kind: 'busy', title: 't', percentage: 5 }).text, /sync~spin.* 5%/);
  assert.equal(s.statusBarText({ kind: 'error', message: 'boom' }).tooltip, 'boom');
  assert.match(s.statusBarText({ kind: 'ready' }).text, /\$\(check\) margin/);
});

test('formatStatus shows model, threads and cache hits', () => {
  const text = s.formatStatus({
    version: '0.1.0',
    model: { state: 'ready', name: 'SmolLM2-135M-Instruct' },
    threads: 1,
    checks: { regions: 4, cacheHits: 2, modelCalls: 2 },
    translations: { cacheHits: 1, modelCalls: 3 },
    suggestions: { cacheHits: 0, modelCalls: 5 },
    documents: [{ uri: 'file:///w/a.md', findings: 1 }, { uri: 'file:///w/b.md', skipped: 'too large' }],
  });
  assert.match(text, /model: SmolLM2-135M-Instruct \(ready\)/);
  assert.match(text, /threads: 1/);
  assert.match(text, /2 cache hits, 2 model calls/);
  assert.match(text, /translations: 1 cache hits, 3 model calls/);
  assert.match(text, /suggestions: 0 cache hits, 5 model calls/);
  assert.match(s.formatStatus({ model: { state: 'ready', threads: 2 } }), /threads: 2/);
  assert.match(text, /a\.md: 1 findings/);
  assert.match(text, /b\.md: skipped: too large/);
  assert.match(s.formatStatus({}), /threads: automatic/);
  const models = s.formatStatus({
    models: [
      { task: 'proofread', reference: 'ollama:qwen2.5:3b', from: 'default: the largest instruction model', state: 'ready' },
      { task: 'translate', reference: null, problem: 'a base model cannot translate' },
    ],
    doctorText: 'margin 0.1.0\n\nModels\n',
  });
  assert.match(models, /proofread: ollama:qwen2\.5:3b \(default: the largest instruction model, ready\)/);
  assert.match(models, /translate: no model: a base model cannot translate/);
  assert.match(models, /\n\nmargin 0\.1\.0\n\nModels$/);
});

test('workspace check: CLI arguments and findings by file', () => {
  const lookup = (k: string) => ({ model: '/m.gguf', language: 'en' })[k];
  assert.deepEqual(s.checkArgs(['/w'], lookup), ['check', '--format', 'json', '--model', '/m.gguf', '--language', 'en', '/w']);
  assert.deepEqual(s.checkArgs(['/w', '/v'], () => undefined), ['check', '--format', 'json', '/w', '/v']);
  const perTask = (k: string) => ({ model: '/m.gguf', 'models.proofread': 'ollama:qwen2.5:3b' })[k];
  assert.deepEqual(s.checkArgs(['/w'], perTask), ['check', '--format', 'json', '--model', 'ollama:qwen2.5:3b', '/w']);
  const range = { start: { line: 2, character: 30 }, end: { line: 2, character: 33 } };
  const f = { category: 'grammar', message: 'm', original: 'eat', replacement: 'eats', range };
  const grouped = s.groupFindings(JSON.stringify([{ ...f, file: 'a.md' }, { ...f, file: 'a.md' }, { ...f, file: '/abs/b.md' }]), '/w');
  assert.deepEqual([...grouped.keys()], ['/w/a.md', '/abs/b.md']);
  assert.equal(grouped.get('/w/a.md')?.length, 2);
  assert.equal(s.severityIndex('hint'), 3);
  assert.equal(s.severityIndex(undefined), 2);
  assert.equal(s.severityIndex('bogus'), 2);
});
