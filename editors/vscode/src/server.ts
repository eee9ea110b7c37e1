// The server binary: the one bundled in a platform-specific .vsix (scripts/package-vsix puts
// `margin` and its llama.cpp libraries under server/), and the check that a binary can run on
// this machine before the language client starts it. No `vscode` import (unit-tested in Node).

import * as cp from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ServerSource } from './settings';

/** The bundled server's path inside the extension, or undefined when this package has none. */
export function bundledServer(extensionPath: string, platform: NodeJS.Platform = process.platform): string | undefined {
  const file = path.join(extensionPath, 'server', platform === 'win32' ? 'margin.exe' : 'margin');
  try {
    if (!fs.statSync(file).isFile()) return undefined;
  } catch {
    return undefined;
  }
  if (platform !== 'win32') {
    // Unzipping a .vsix may drop the executable bit; restore it rather than fail.
    try {
      fs.accessSync(file, fs.constants.X_OK);
    } catch {
      try {
        fs.chmodSync(file, 0o755);
      } catch {
        // The run check below reports what is wrong.
      }
    }
  }
  return file;
}

/** ELF e_machine values of the architectures Node reports (process.arch). */
const ELF_MACHINES: Record<string, number> = { ia32: 3, arm: 40, x64: 62, arm64: 183, riscv64: 243 };

/**
 * Why an ELF file cannot run on `arch`, or undefined (not ELF, unreadable, or a match). The
 * kernel refuses a foreign ELF with ENOEXEC and the spawn then falls back to /bin/sh, whose
 * error says nothing useful; reading the header names the real cause.
 */
export function elfMismatch(file: string, arch: string = process.arch): string | undefined {
  let head: Buffer;
  try {
    const fd = fs.openSync(file, 'r');
    try {
      head = Buffer.alloc(20);
      if (fs.readSync(fd, head, 0, 20, 0) < 20) return undefined;
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return undefined;
  }
  if (head.toString('latin1', 0, 4) !== '\x7fELF') return undefined;
  const cls = head[4];
  if (cls !== 1 && cls !== 2) return `it is a broken ELF file (class ${cls})`;
  const machine = head[5] === 2 ? head.readUInt16BE(18) : head.readUInt16LE(18);
  const want = ELF_MACHINES[arch];
  if (want === undefined || machine === want) return undefined;
  const name = Object.entries(ELF_MACHINES).find(([, m]) => m === machine)?.[0] ?? `ELF machine ${machine}`;
  return `it is built for ${name}, and this machine is ${arch}`;
}

export type CheckResult = { ok: true; version: string } | { ok: false; reason: string };

/** Why a spawn failed, in words, from its error code. */
function spawnReason(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ENOENT':
      return 'the file does not exist';
    case 'EACCES':
      return 'it is not executable (permission denied)';
    case 'ENOEXEC':
      return 'it is not a program for this machine (wrong architecture or file format)';
    default:
      return error.message;
  }
}

/** The last meaningful line a failed run printed (the dynamic loader's message, a panic, ...). */
function lastLine(text: string): string {
  return (
    text
      .trim()
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .at(-1) ?? ''
  );
}

/**
 * Runs `<command> --version` and checks that it answers like margin: catches a missing
 * library, a binary for another architecture or CPU, a crash, a hang and a program that is
 * not margin, before the language client would start (and restart) it.
 */
export function checkServer(command: string, timeoutMs = 15_000, env: NodeJS.ProcessEnv = process.env): Promise<CheckResult> {
  const mismatch = process.platform === 'linux' ? elfMismatch(command) : undefined;
  if (mismatch) return Promise.resolve({ ok: false, reason: mismatch });
  return new Promise((resolve) => {
    let child: cp.ChildProcess;
    try {
      child = cp.spawn(command, ['--version'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (error) {
      resolve({ ok: false, reason: spawnReason(error as NodeJS.ErrnoException) });
      return;
    }
    let stdout = '';
    let stderr = '';
    let done = false;
    const finish = (r: CheckResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(r);
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish({ ok: false, reason: `it did not answer \`--version\` within ${Math.round(timeoutMs / 1000)} s` });
    }, timeoutMs);
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (error) => finish({ ok: false, reason: spawnReason(error) }));
    child.on('close', (code, signal) => {
      const said = lastLine(stderr) || lastLine(stdout);
      if (signal) {
        const hint = signal === 'SIGILL' ? ' (built for a newer CPU than this one?)' : '';
        finish({ ok: false, reason: `it was killed by ${signal}${hint}${said ? `: ${said}` : ''}` });
      } else if (code !== 0) {
        finish({ ok: false, reason: `it exited with code ${code}${said ? `: ${said}` : ''}` });
      } else if (!/^margin \S+/.test(stdout.trim())) {
        finish({ ok: false, reason: `it is not margin (\`--version\` printed ${JSON.stringify(stdout.trim().slice(0, 80))})` });
      } else {
        finish({ ok: true, version: stdout.trim() });
      }
    });
  });
}

/** The one error shown when the check fails: what happened, and the setting that fixes it. */
export function checkFailedMessage(source: ServerSource, command: string, reason: string): string {
  switch (source) {
    case 'setting':
      return `margin: the server binary set in \`margin.serverPath\` (${command}) cannot run: ${reason}. Fix \`margin.serverPath\` or clear it to use the bundled server.`;
    case 'bundled':
      return `margin: the server bundled with this extension (${command}) cannot run on this machine: ${reason}. Set \`margin.serverPath\` to a margin binary built for it (\`cargo install --path .\` in the margin repository).`;
    case 'path':
      return `margin: the server \`margin\` found on PATH (${command}) cannot run: ${reason}. Set \`margin.serverPath\` to a working margin binary.`;
  }
}
