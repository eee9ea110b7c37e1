// The VS Code half of the margin extension: starts `margin serve` through vscode-languageclient,
// keeps its settings current, shows its state in the status bar and offers four commands.
// Everything that can be decided without VS Code lives in ./settings (unit-tested in Node).

import * as cp from 'node:child_process';
import * as vscode from 'vscode';
import {
  CloseAction,
  DidChangeConfigurationNotification,
  ErrorAction,
  LanguageClient,
  type LanguageClientOptions,
  type ProgressToken,
  RevealOutputChannelOn,
  State,
  type WorkDoneProgressBegin,
  type WorkDoneProgressEnd,
  type WorkDoneProgressReport,
} from 'vscode-languageclient/node';
import * as server from './server';
import * as s from './settings';

type Progress = { title: string; percentage?: number; message?: string };

class Margin implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private command = 'margin';
  private initialized = false;
  private readonly policy = new s.RestartPolicy();
  private errorShown = false; // one error message per start attempt
  private readonly output = vscode.window.createOutputChannel('margin', { log: true });
  private readonly item = vscode.window.createStatusBarItem('margin.status', vscode.StatusBarAlignment.Right, 100);
  private readonly workspaceDiagnostics = vscode.languages.createDiagnosticCollection('margin-workspace');
  private readonly progress = new Map<ProgressToken, Progress>();
  private model: s.ServerStatus['model'];
  private poll: NodeJS.Timeout | undefined;
  private state: s.UiState = { kind: 'starting' };

  /** `extensionPath`: where the bundled server (server/margin) is looked for. */
  constructor(private readonly extensionPath: string) {
    this.item.name = 'margin';
    this.item.command = 'margin.showStatus';
    this.show({ kind: 'starting' });
    this.item.show();
  }

  private serverCommand(): s.ServerCommand {
    const serverPath = vscode.workspace.getConfiguration('margin').get<string>('serverPath');
    return s.serverCommand(serverPath, process.env, process.platform, undefined, server.bundledServer(this.extensionPath));
  }

  private lookupFor(scopeUri?: string): s.Lookup {
    const scope = scopeUri ? vscode.Uri.parse(scopeUri) : undefined;
    const config = vscode.workspace.getConfiguration('margin', scope);
    return (key) => s.userValue(config.inspect(key));
  }

  private show(state: s.UiState): void {
    this.state = state;
    const { text, tooltip } = s.statusBarText(state);
    this.item.text = text;
    this.item.tooltip = tooltip;
    this.item.backgroundColor = state.kind === 'error' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
  }

  private refresh(): void {
    if (this.state.kind === 'error' || this.state.kind === 'stopped' || !this.initialized) return;
    const running = [...this.progress.values()].at(-1);
    this.show(s.uiState(this.model, running));
  }

  /** Shows `message` as the one error of this start attempt, with a way to the setting. */
  private fail(message: string): void {
    this.show({ kind: 'error', message });
    this.output.error(message);
    if (this.errorShown) return;
    this.errorShown = true;
    void vscode.window.showErrorMessage(message, 'Open Settings', 'Show Log').then((pick) => {
      if (pick === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', 'margin.serverPath');
      if (pick === 'Show Log') this.output.show();
    });
  }

  async start(): Promise<void> {
    this.errorShown = false;
    this.initialized = false;
    this.progress.clear();
    this.model = undefined;
    this.show({ kind: 'starting' });
    const resolved = this.serverCommand();
    if ('error' in resolved) {
      this.fail(resolved.error);
      return;
    }
    this.command = resolved.command;
    // Run it once before the client does: a binary that cannot start gets one clear error
    // naming the setting, never a start-and-restart loop.
    const check = await server.checkServer(resolved.command);
    if (!check.ok) {
      this.fail(server.checkFailedMessage(resolved.source, resolved.command, check.reason));
      return;
    }
    this.output.info(`margin: starting ${resolved.command} (${check.version}, ${resolved.source === 'setting' ? 'margin.serverPath' : resolved.source})`);
    const options: LanguageClientOptions = {
      documentSelector: s.LANGUAGES.flatMap((language) => [
        { scheme: 'file', language },
        { scheme: 'untitled', language },
      ]),
      initializationOptions: s.serverSettings(this.lookupFor()),
      outputChannel: this.output,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      initializationFailedHandler: (error) => {
        this.fail(
          `margin: the server (${this.command}) failed to start: ${error instanceof Error ? error.message : String(error)}. Check \`margin.serverPath\` and the "margin" output channel.`,
        );
        return false; // never retry in a loop
      },
      errorHandler: {
        error: () => ({ action: ErrorAction.Continue, handled: true }),
        closed: () => {
          const decision = this.policy.onClose(this.initialized, this.command);
          if (decision.restart) {
            this.output.warn('margin: the server exited; restarting it');
            this.initialized = false;
            this.show({ kind: 'starting' });
            return { action: CloseAction.Restart, handled: true };
          }
          this.fail(decision.message);
          return { action: CloseAction.DoNotRestart, handled: true };
        },
      },
      middleware: {
        workspace: {
          configuration: (params) => s.configurationResult(params.items, (scope) => this.lookupFor(scope)),
        },
        handleWorkDoneProgress: (token, params, next) => {
          this.onProgress(token, params);
          next(token, params);
        },
      },
    };
    const client = new LanguageClient('margin', 'margin', { command: resolved.command, args: resolved.args }, options);
    this.client = client;
    client.onDidChangeState(({ newState }) => {
      if (newState === State.Running) {
        this.initialized = true;
        this.model = undefined;
        this.refresh();
        this.startPolling();
      }
    });
    try {
      await client.start();
    } catch (error) {
      // The handlers above have said why; make sure the state says so too.
      if (this.state.kind !== 'error') this.fail(`margin: the server did not start: ${String(error)}`);
    }
  }

  async stop(): Promise<void> {
    this.stopPolling();
    const client = this.client;
    this.client = undefined;
    if (client) {
      try {
        await client.stop(5000);
      } catch (error) {
        this.output.warn(`margin: stopping the server: ${String(error)}`);
      }
    }
    this.initialized = false;
  }

  async restart(): Promise<void> {
    this.policy.reset();
    await this.stop();
    await this.start();
  }

  private onProgress(token: ProgressToken, p: WorkDoneProgressBegin | WorkDoneProgressReport | WorkDoneProgressEnd): void {
    if (p.kind === 'begin') this.progress.set(token, { title: p.title, percentage: p.percentage, message: p.message });
    else if (p.kind === 'report') {
      const cur = this.progress.get(token);
      if (cur) this.progress.set(token, { ...cur, percentage: p.percentage ?? cur.percentage, message: p.message ?? cur.message });
    } else {
      this.progress.delete(token);
      void this.fetchStatus();
    }
    this.refresh();
  }

  private async fetchStatus(doctor = false): Promise<s.ServerStatus | undefined> {
    if (!this.client || !this.initialized) return undefined;
    try {
      const status = await this.client.sendRequest<s.ServerStatus>('margin/status', doctor ? { doctor: true } : {});
      this.model = status.model;
      this.refresh();
      return status;
    } catch {
      return undefined;
    }
  }

  /** Polls margin/status until the model is loaded or has failed (the status bar shows it). */
  private startPolling(): void {
    this.stopPolling();
    this.poll = setInterval(() => {
      void this.fetchStatus().then((status) => {
        const state = status?.model?.state;
        if (state === 'ready' || state === 'failed') this.stopPolling();
      });
    }, 1500);
  }

  private stopPolling(): void {
    if (this.poll) clearInterval(this.poll);
    this.poll = undefined;
  }

  async onConfigurationChanged(e: vscode.ConfigurationChangeEvent): Promise<void> {
    if (e.affectsConfiguration('margin.serverPath')) {
      await this.restart();
    } else if (e.affectsConfiguration('margin') && this.client && this.initialized) {
      // The server pulls workspace/configuration (answered by the middleware above).
      await this.client.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
    }
  }

  async showStatus(): Promise<void> {
    if (!this.client || !this.initialized) {
      const why = this.state.kind === 'error' ? this.state.message : 'margin: the server is not running.';
      void vscode.window.showWarningMessage(why, 'Restart Server').then((pick) => {
        if (pick) void vscode.commands.executeCommand('margin.restartServer');
      });
      return;
    }
    const status = await this.fetchStatus(true);
    if (!status) {
      void vscode.window.showErrorMessage('margin: the server did not answer margin/status.');
      return;
    }
    const text = s.formatStatus(status);
    this.output.info(text);
    void vscode.window.showInformationMessage('margin status', { modal: true, detail: text });
  }

  /** Runs `margin <args>` with a cancellable notification; resolves with stdout and the exit code. */
  private run(title: string, args: string[], cwd?: string): Thenable<{ code: number | null; stdout: string; stderr: string }> {
    const resolved = this.serverCommand();
    if ('error' in resolved) {
      void vscode.window.showErrorMessage(resolved.error);
      return Promise.resolve({ code: null, stdout: '', stderr: resolved.error });
    }
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title, cancellable: true },
      (progress, token) =>
        new Promise((resolve) => {
          this.output.info(`running ${resolved.command} ${args.join(' ')}`);
          const child = cp.spawn(resolved.command, args, { cwd, env: process.env });
          let stdout = '';
          let stderr = '';
          child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
          child.stderr.on('data', (d: Buffer) => {
            const text = d.toString();
            stderr += text;
            this.output.append(text);
            const pct = /(\d+(?:\.\d+)?)%/.exec(text);
            if (pct) progress.report({ message: `${pct[1]}%` });
          });
          token.onCancellationRequested(() => child.kill());
          child.on('error', (err) => resolve({ code: null, stdout, stderr: stderr + err.message }));
          child.on('close', (code) => resolve({ code, stdout, stderr }));
        }),
    );
  }

  async pullModel(): Promise<void> {
    const { code, stdout, stderr } = await this.run('margin: downloading the default model (SmolLM2-135M, ~98 MB)', [
      'models',
      'pull',
      'smollm2-135m',
    ]);
    if (code === 0) {
      void vscode.window.showInformationMessage(`margin: model ready: ${stdout.trim()}`);
      if (this.model?.state === 'failed') await this.restart();
    } else if (code !== null) {
      void vscode.window.showErrorMessage(`margin: pulling the model failed: ${stderr.trim().split('\n').at(-1) ?? ''}`);
    }
  }

  async checkWorkspace(): Promise<void> {
    const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
    if (!folders.length) {
      void vscode.window.showWarningMessage('margin: open a folder to check the whole workspace.');
      return;
    }
    const cwd = folders[0];
    const { code, stdout, stderr } = await this.run('margin: checking the workspace', s.checkArgs(folders, this.lookupFor()), cwd);
    if (code !== 0 && code !== 1) {
      if (code !== null) void vscode.window.showErrorMessage(`margin check failed: ${stderr.trim().split('\n').at(-1) ?? ''}`);
      return;
    }
    const open = new Set(vscode.workspace.textDocuments.map((d) => d.uri.toString()));
    const severity = s.severityIndex(this.lookupFor()('severity'));
    this.workspaceDiagnostics.clear();
    let total = 0;
    for (const [file, findings] of s.groupFindings(stdout, cwd)) {
      const uri = vscode.Uri.file(file);
      if (open.has(uri.toString())) continue; // the server reports open documents itself
      total += findings.length;
      this.workspaceDiagnostics.set(
        uri,
        findings.map((f) => {
          const range = new vscode.Range(f.range.start.line, f.range.start.character, f.range.end.line, f.range.end.character);
          const d = new vscode.Diagnostic(range, f.message, severity as vscode.DiagnosticSeverity);
          d.source = 'margin';
          d.code = f.category;
          return d;
        }),
      );
    }
    void vscode.window.showInformationMessage(`margin: ${total} findings in files that are not open (see the Problems panel).`);
  }

  dispose(): void {
    this.stopPolling();
    void this.stop();
    this.item.dispose();
    this.workspaceDiagnostics.dispose();
    this.output.dispose();
  }
}

let margin: Margin | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  margin = new Margin(context.extensionPath);
  const m = margin;
  context.subscriptions.push(
    m,
    vscode.commands.registerCommand('margin.restartServer', () => m.restart()),
    vscode.commands.registerCommand('margin.showStatus', () => m.showStatus()),
    vscode.commands.registerCommand('margin.pullModel', () => m.pullModel()),
    vscode.commands.registerCommand('margin.checkWorkspace', () => m.checkWorkspace()),
    vscode.workspace.onDidChangeConfiguration((e) => m.onConfigurationChanged(e)),
  );
  await m.start();
}

export async function deactivate(): Promise<void> {
  await margin?.stop();
  margin = undefined;
}
