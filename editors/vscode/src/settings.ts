// The extension's pure half: settings, server command resolution, restart policy and status
// text. No `vscode` import, so plain Node (unit tests, tests/clients/vscode) can use it.
//
// package.json is the single list of settings: every `margin.*` property there except the
// client-only ones below is a server setting, sent under its own name (camelCase, as the
// server reads it).

import * as fs from 'node:fs';
import * as path from 'node:path';

/** VS Code language ids margin reads (package.json activates on each of them). */
export const LANGUAGES: readonly string[] = [
  'markdown',
  'plaintext',
  'git-commit',
  'rust',
  'python',
  'javascript',
  'javascriptreact',
  'typescript',
  'typescriptreact',
  'go',
  'c',
  'cpp',
  'lua',
  'shellscript',
  'toml',
  'yaml',
  'latex',
];

/** Settings the extension uses itself; never sent to the server. */
export const CLIENT_SETTINGS: readonly string[] = ['serverPath', 'trace.server'];

export interface SettingSpec {
  key: string;
  type: string | string[];
  default: unknown;
  description: string;
}

interface PackageJson {
  contributes: { configuration: { properties: Record<string, Record<string, unknown>> } };
}

const manifest: PackageJson = require('../package.json');

/** The server settings the extension contributes, in package.json order. */
export const SERVER_SETTINGS: readonly SettingSpec[] = Object.entries(manifest.contributes.configuration.properties)
  .map(([name, p]) => ({
    key: name.replace(/^margin\./, ''),
    type: p.type as string | string[],
    default: p.default,
    description: String(p.markdownDescription ?? p.description ?? ''),
  }))
  .filter((s) => !CLIENT_SETTINGS.includes(s.key));

/**
 * What VS Code's `WorkspaceConfiguration.inspect(key)` returns (the fields used here).
 * Language-specific values (`[markdown]` blocks) win over the plain ones, like VS Code.
 */
export interface Inspected {
  globalValue?: unknown;
  workspaceValue?: unknown;
  workspaceFolderValue?: unknown;
  globalLanguageValue?: unknown;
  workspaceLanguageValue?: unknown;
  workspaceFolderLanguageValue?: unknown;
}

/** The value the user set, most specific scope first; `undefined` when only the default applies. */
export function userValue(inspected: Inspected | undefined): unknown {
  if (!inspected) return undefined;
  const order: (keyof Inspected)[] = [
    'workspaceFolderLanguageValue',
    'workspaceLanguageValue',
    'globalLanguageValue',
    'workspaceFolderValue',
    'workspaceValue',
    'globalValue',
  ];
  for (const k of order) {
    if (inspected[k] !== undefined) return inspected[k];
  }
  return undefined;
}

/** Looks a `margin` setting up by its key (without `margin.`); `undefined` when not set by the user. */
export type Lookup = (key: string) => unknown;

/**
 * The server's settings object: only what the user set, so the server's own defaults, its
 * config file and the workspace's `margin.toml` still apply to the rest (the server ranks
 * initializationOptions and workspace/configuration above both files, so sending VS Code's
 * defaults would hide them). Sent as initializationOptions and as the answer to
 * workspace/configuration (section `margin`).
 */
export function serverSettings(lookup: Lookup): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { key } of SERVER_SETTINGS) {
    const value = lookup(key);
    if (value !== undefined && value !== null) out[key] = value;
  }
  return out;
}

/** Answers a workspace/configuration request: `margin` gets the settings object, `margin.x` one value. */
export function configurationResult(
  items: { section?: string; scopeUri?: string }[],
  lookupFor: (scopeUri?: string) => Lookup,
): unknown[] {
  return items.map(({ section, scopeUri }) => {
    const all = serverSettings(lookupFor(scopeUri));
    if (!section || section === 'margin') return all;
    if (section.startsWith('margin.')) return all[section.slice('margin.'.length)] ?? null;
    return null;
  });
}

// --- the server command -----------------------------------------------------------------------

/** Where the server command came from: the setting, the binary bundled in the .vsix, or PATH. */
export type ServerSource = 'setting' | 'bundled' | 'path';

export type ServerCommand = { command: string; args: string[]; source: ServerSource } | { error: string };

export interface Env {
  PATH?: string;
  PATHEXT?: string;
  [name: string]: string | undefined;
}

function isExecutable(file: string, platform: NodeJS.Platform): boolean {
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) return false;
    if (platform === 'win32') return true;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Where `name` is on PATH, or undefined. */
export function which(name: string, env: Env, platform: NodeJS.Platform = process.platform): string | undefined {
  const exts = platform === 'win32' ? ['', ...(env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';')] : [''];
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      const file = path.join(dir, name + ext);
      if (isExecutable(file, platform)) return file;
    }
  }
  return undefined;
}

/**
 * The command that starts the server: `margin.serverPath` when set (it must be an executable
 * file; `~` is expanded), else the binary bundled in a platform-specific .vsix (`bundled`,
 * when the package has one), else `margin` from PATH. The error names the setting to fix.
 */
export function serverCommand(
  serverPath: string | undefined,
  env: Env,
  platform: NodeJS.Platform = process.platform,
  home: string = env.HOME ?? env.USERPROFILE ?? '',
  bundled?: string,
): ServerCommand {
  const args = ['serve'];
  const configured = (serverPath ?? '').trim();
  if (configured) {
    const file = configured.startsWith('~/') && home ? path.join(home, configured.slice(2)) : configured;
    if (!isExecutable(file, platform)) {
      return {
        error: `margin: the server binary set in \`margin.serverPath\` (${configured}) does not exist or is not executable. Fix \`margin.serverPath\` or clear it to use ${bundled ? 'the bundled server' : '`margin` from PATH'}.`,
      };
    }
    return { command: file, args, source: 'setting' };
  }
  if (bundled) return { command: bundled, args, source: 'bundled' };
  const found = which('margin', env, platform);
  if (!found) {
    return {
      error:
        'margin: this extension has no server binary for this platform and `margin` was not found on PATH. Install it (`cargo install --path .` in the margin repository) or set `margin.serverPath` to the binary.',
    };
  }
  return { command: found, args, source: 'path' };
}

// --- restarts ---------------------------------------------------------------------------------

export type CloseDecision = { restart: true } | { restart: false; message: string };

/**
 * When the server's connection closes: a server that never finished `initialize` is not
 * restarted at all (a broken binary or a crash at start would only crash again); a running
 * server that crashes is restarted, at most `maxRestarts` times within `windowMs`.
 */
export class RestartPolicy {
  private crashes: number[] = [];

  constructor(
    private readonly maxRestarts = 3,
    private readonly windowMs = 3 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  onClose(initialized: boolean, command: string): CloseDecision {
    if (!initialized) {
      return {
        restart: false,
        message: `margin: the server (${command}) exited before it finished starting; it will not be restarted. Check \`margin.serverPath\` and the "margin" output channel, then run "margin: Restart Server".`,
      };
    }
    const t = this.now();
    this.crashes = this.crashes.filter((c) => t - c < this.windowMs);
    this.crashes.push(t);
    if (this.crashes.length > this.maxRestarts) {
      return {
        restart: false,
        message: `margin: the server (${command}) crashed ${this.crashes.length} times in ${Math.round(this.windowMs / 60_000)} minutes; it will not be restarted. See the "margin" output channel, check \`margin.serverPath\`, then run "margin: Restart Server".`,
      };
    }
    return { restart: true };
  }

  /** After a manual restart, start counting afresh. */
  reset(): void {
    this.crashes = [];
  }
}

// --- status -----------------------------------------------------------------------------------

/** The parts of the `margin/status` response the extension shows. */
export interface ServerStatus {
  version?: string;
  model?: { state?: string; error?: string | null; name?: string | null; path?: string | null; threads?: number | null };
  threads?: number | null;
  checks?: { regions?: number; cacheHits?: number; modelCalls?: number };
  translations?: { cacheHits?: number; modelCalls?: number };
  suggestions?: { cacheHits?: number; modelCalls?: number };
  documents?: { uri: string; findings?: number | null; skipped?: string | null }[];
  /** Each task's model: where it came from and its state, or why there is none. */
  models?: { task: string; reference?: string | null; from?: string | null; state?: string; problem?: string | null }[];
  /** The `margin doctor` report in its own words (when asked for with `{ doctor: true }`). */
  doctorText?: string;
}

/** One status report, several lines, for "margin: Show Status". */
export function formatStatus(s: ServerStatus): string {
  const m = s.model ?? {};
  const lines = [
    `margin ${s.version ?? '?'}`,
    `model: ${m.name ?? m.path ?? 'none'} (${m.state ?? 'unknown'}${m.error ? `: ${m.error}` : ''})`,
    `threads: ${s.threads ?? m.threads ?? 'automatic'}`,
    `checks: ${s.checks?.regions ?? 0} regions, ${s.checks?.cacheHits ?? 0} cache hits, ${s.checks?.modelCalls ?? 0} model calls`,
  ];
  for (const [name, stats] of [
    ['translations', s.translations],
    ['suggestions', s.suggestions],
  ] as const) {
    if (stats) lines.push(`${name}: ${stats.cacheHits ?? 0} cache hits, ${stats.modelCalls ?? 0} model calls`);
  }
  const docs = s.documents ?? [];
  if (docs.length) {
    lines.push(`documents (${docs.length}):`);
    for (const d of docs) {
      const what = d.skipped ? `skipped: ${d.skipped}` : d.findings == null ? 'checking' : `${d.findings} findings`;
      lines.push(`  ${d.uri}: ${what}`);
    }
  }
  for (const t of s.models ?? []) {
    lines.push(t.reference ? `${t.task}: ${t.reference} (${t.from ?? '?'}, ${t.state ?? '?'})` : `${t.task}: no model: ${t.problem ?? '?'}`);
  }
  if (s.doctorText) lines.push('', s.doctorText.trimEnd());
  return lines.join('\n');
}

export type UiState =
  | { kind: 'starting' }
  | { kind: 'loading'; percentage?: number }
  | { kind: 'ready' }
  | { kind: 'busy'; title: string; percentage?: number; message?: string }
  | { kind: 'error'; message: string }
  | { kind: 'stopped' };

/** Status bar text and tooltip for a state (codicons in `$(...)`). */
export function statusBarText(state: UiState): { text: string; tooltip: string } {
  const pct = (p?: number) => (p === undefined ? '' : ` ${Math.round(p)}%`);
  switch (state.kind) {
    case 'starting':
      return { text: '$(loading~spin) margin', tooltip: 'margin: starting the server' };
    case 'loading':
      return { text: `$(loading~spin) margin: loading model${pct(state.percentage)}`, tooltip: 'margin: loading the model' };
    case 'ready':
      return { text: '$(check) margin', tooltip: 'margin: ready. Click for status.' };
    case 'busy':
      return {
        text: `$(sync~spin) margin${pct(state.percentage)}`,
        tooltip: `${state.title}${state.message ? ` (${state.message})` : ''}`,
      };
    case 'error':
      return { text: '$(error) margin', tooltip: state.message };
    case 'stopped':
      return { text: '$(circle-slash) margin', tooltip: 'margin: stopped. Click for status; "margin: Restart Server" starts it.' };
  }
}

/** The state to show from the server's model state and the running progress, if any. */
export function uiState(
  model: ServerStatus['model'] | undefined,
  progress: { title: string; percentage?: number; message?: string } | undefined,
): UiState {
  if (model?.state === 'failed') return { kind: 'error', message: `margin: ${model.error ?? 'the model failed to load'}` };
  if (progress && /load/i.test(progress.title)) return { kind: 'loading', percentage: progress.percentage };
  if (model?.state === 'loading') return { kind: 'loading', percentage: progress?.percentage };
  if (progress) return { kind: 'busy', ...progress };
  return { kind: 'ready' };
}

// --- whole-workspace check (`margin check --format json`) --------------------------------------

/** One finding as `margin check --format json` prints it. */
export interface CheckFinding {
  file: string;
  category: string;
  message: string;
  original: string;
  replacement: string;
  confidence?: number;
  range: {
    start: { line: number; character: number };
    end: { line: number; character: number };
  };
}

/** Arguments of `margin check` for the workspace, carrying over the settings the CLI takes. */
export function checkArgs(folders: string[], lookup: Lookup): string[] {
  const args = ['check', '--format', 'json'];
  const model = lookup('models.proofread') ?? lookup('model');
  if (typeof model === 'string' && model) args.push('--model', model);
  const language = lookup('language');
  if (typeof language === 'string' && language) args.push('--language', language);
  return [...args, ...folders];
}

/** VS Code's DiagnosticSeverity number for the `severity` setting (default: information). */
export function severityIndex(severity: unknown): number {
  const i = ['error', 'warning', 'information', 'hint'].indexOf(String(severity ?? 'information'));
  return i < 0 ? 2 : i;
}

/** Findings grouped by absolute file path (paths in the output are relative to `cwd`). */
export function groupFindings(json: string, cwd: string): Map<string, CheckFinding[]> {
  const findings = JSON.parse(json) as CheckFinding[];
  const out = new Map<string, CheckFinding[]>();
  for (const f of findings) {
    const file = path.resolve(cwd, f.file);
    const list = out.get(file) ?? [];
    list.push(f);
    out.set(file, list);
  }
  return out;
}
