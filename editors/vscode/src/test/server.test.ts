// Unit tests of the bundled-server lookup and the run check (node --test out/test/): each way
// a server binary can fail to start gives one reason, and the message names margin.serverPath.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import * as server from '../server';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'margin-server-'));
}

function script(dir: string, name: string, body: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return file;
}

test('bundledServer: server/margin in the extension, executable bit restored; none without it', () => {
  const ext = tempDir();
  try {
    assert.equal(server.bundledServer(ext, 'linux'), undefined);
    fs.mkdirSync(path.join(ext, 'server'));
    const bin = path.join(ext, 'server', 'margin');
    fs.writeFileSync(bin, '#!/bin/sh\n', { mode: 0o644 });
    assert.equal(server.bundledServer(ext, 'linux'), bin);
    assert.ok(fs.statSync(bin).mode & 0o100, 'chmod +x after unzip');
    assert.equal(server.bundledServer(ext, 'win32'), undefined, 'win32 looks for margin.exe');
  } finally {
    fs.rmSync(ext, { recursive: true, force: true });
  }
});

test('checkServer: a binary answering `margin <version>` passes', async () => {
  const dir = tempDir();
  try {
    const ok = await server.checkServer(script(dir, 'margin', 'echo "margin 0.1.0"'));
    assert.deepEqual(ok, { ok: true, version: 'margin 0.1.0' });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('checkServer: missing, not executable, wrong format, missing library, crash, hang, not margin', async () => {
  const dir = tempDir();
  try {
    const notExec = path.join(dir, 'not-exec');
    fs.writeFileSync(notExec, '#!/bin/sh\necho margin 1\n', { mode: 0o644 });
    // An ELF header for the other one of x64 / arm64: the kernel refuses it.
    const foreign = process.arch === 'arm64' ? 62 : 183;
    const garbage = path.join(dir, 'other-arch');
    const elf = Buffer.alloc(128);
    elf.write('\x7fELF', 0, 'latin1');
    elf[4] = 2; // 64-bit
    elf[5] = 1; // little-endian
    elf.writeUInt16LE(foreign, 18);
    fs.writeFileSync(garbage, elf, { mode: 0o755 });
    const cases: [string, string, RegExp][] = [
      ['missing', path.join(dir, 'nope'), /does not exist/],
      ['not executable', notExec, /not executable/],
      ['other architecture', garbage, process.platform === 'linux' ? /is built for (arm64|x64), and this machine is/ : /./],
      [
        'missing library',
        script(dir, 'nolib', 'echo "margin: error while loading shared libraries: libllama.so: cannot open shared object file" >&2; exit 127'),
        /exited with code 127: .*libllama\.so/,
      ],
      ['illegal instruction', script(dir, 'sigill', 'kill -ILL $$'), /SIGILL \(built for a newer CPU/],
      ['not margin', script(dir, 'other', 'echo "something 2.0"'), /is not margin/],
    ];
    for (const [what, command, want] of cases) {
      const r = await server.checkServer(command);
      assert.ok(!r.ok && want.test(r.reason), `${what}: ${JSON.stringify(r)}`);
    }
    const hang = await server.checkServer(script(dir, 'hang', 'exec sleep 30'), 300);
    assert.ok(!hang.ok && /did not answer `--version` within/.test(hang.reason), JSON.stringify(hang));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('elfMismatch: the running node binary matches; a foreign or broken header does not', () => {
  assert.equal(server.elfMismatch(process.execPath), undefined);
  const dir = tempDir();
  try {
    const f = path.join(dir, 'elf');
    const elf = Buffer.alloc(64);
    elf.write('\x7fELF', 0, 'latin1');
    elf[4] = 2;
    elf[5] = 1;
    elf.writeUInt16LE(183, 18);
    fs.writeFileSync(f, elf);
    assert.equal(server.elfMismatch(f, 'arm64'), undefined);
    assert.equal(server.elfMismatch(f, 'x64'), 'it is built for arm64, and this machine is x64');
    elf[4] = 7;
    fs.writeFileSync(f, elf);
    assert.match(server.elfMismatch(f, 'x64') ?? '', /broken ELF/);
    fs.writeFileSync(f, '#!/bin/sh\n');
    assert.equal(server.elfMismatch(f, 'x64'), undefined);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('checkFailedMessage: says what happened and names margin.serverPath for every source', () => {
  for (const source of ['setting', 'bundled', 'path'] as const) {
    const m = server.checkFailedMessage(source, '/x/margin', 'it exited with code 127: libllama.so missing');
    assert.ok(m.includes('`margin.serverPath`') && m.includes('/x/margin') && m.includes('libllama.so missing'), m);
  }
  assert.match(server.checkFailedMessage('bundled', '/x', 'r'), /bundled with this extension/);
});
