import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../helpers.js';
import { FixtureRepo } from '../git/git-fixture.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = join(ROOT, 'dist/bin/keysweep.cjs');
export const ACTION_MAIN = join(ROOT, 'dist/action/main.js');
export const ZEROS = '0'.repeat(40);

/**
 * A clone made the way actions/checkout makes one: `git init`, a fetch of ONE sha into one ref at the
 * given depth (1 by default, as on GitHub), then a checkout of it.
 */
export function checkout(origin: FixtureRepo, sha: string, options: { ref: string; depth?: number; detach?: boolean }): FixtureRepo {
  const ws = new FixtureRepo(tempDir());
  ws.git('remote', 'add', 'origin', `file://${origin.dir}`);
  const depth = options.depth ?? 1;
  const local = options.ref.startsWith('refs/heads/') ? options.ref.replace('refs/heads/', 'refs/remotes/origin/') : options.ref.replace('refs/', 'refs/remotes/');
  ws.git('fetch', '--quiet', '--no-tags', '--prune', '--no-recurse-submodules', ...(depth > 0 ? [`--depth=${depth}`] : []), 'origin', `+${sha}:${local}`);
  if (options.detach || !options.ref.startsWith('refs/heads/')) ws.git('checkout', '-q', '--force', '--detach', local);
  else ws.git('checkout', '-q', '--force', '-B', options.ref.replace('refs/heads/', ''), local);
  return ws;
}

/** GitHub's merge ref for a pull request: the head merged into the base, as `refs/pull/N/merge`. */
export function mergeRef(origin: FixtureRepo, number: number, base: string, head: string): string {
  const tree = origin.git('merge-tree', '--write-tree', base, head).split('\n')[0] as string;
  const merge = origin.git('commit-tree', tree, '-p', base, '-p', head, '-m', `Merge ${head} into ${base}`);
  origin.git('update-ref', `refs/pull/${number}/merge`, merge);
  origin.git('update-ref', `refs/pull/${number}/head`, head);
  return merge;
}

export interface ActionRun {
  code: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  sarif: { runs: Array<{ results: Array<{ ruleId: string; message: { text: string }; locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }> }> }> } | undefined;
  /** `::error file=…` and friends, parsed. */
  annotations: Array<{ level: string; props: Record<string, string>; message: string }>;
}

export interface ActionOptions {
  event: string;
  payload: unknown;
  workspace: string;
  inputs?: Record<string, string>;
  env?: Record<string, string>;
  /** Run dist/action/main.js (the action's `main`) instead of `keysweep action`. */
  main?: boolean;
}

/** Runs the action as the runner would: a child process with the Actions environment. */
export async function runAction(options: ActionOptions): Promise<ActionRun> {
  const dir = tempDir();
  const eventPath = join(dir, 'event.json');
  writeFileSync(eventPath, JSON.stringify(options.payload, null, 2));
  const outputFile = join(dir, 'output.txt');
  const summaryFile = join(dir, 'summary.md');
  const runnerTemp = join(dir, 'runner-temp');
  mkdirSync(runnerTemp);
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    // Nothing of the machine's own CI, proxies or tokens leaks into the simulated runner.
    if (/^(GITHUB_|INPUT_|RUNNER_|ACTIONS_|KEYSWEEP_)|^(https?|all|no)_proxy$/i.test(k)) continue;
    env[k] = v;
  }
  Object.assign(env, {
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: options.event,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_WORKSPACE: options.workspace,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_REPOSITORY: 'acme/app',
    GITHUB_SERVER_URL: 'https://github.example',
    GITHUB_API_URL: 'http://127.0.0.1:9',
    GITHUB_RUN_ID: '42',
    RUNNER_TEMP: runnerTemp,
    NO_PROXY: '127.0.0.1,localhost',
    GIT_CONFIG_NOSYSTEM: '1',
    HOME: dir,
    ...options.env,
  });
  for (const [name, value] of Object.entries(options.inputs ?? {})) env[`INPUT_${name.toUpperCase()}`] = value;

  const args = options.main ? [ACTION_MAIN] : [CLI, 'action'];
  const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: options.workspace, env });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (c) => resolve({ code: c ?? -1, stdout: out, stderr: err }));
  });
  const outputs = parseOutputs(readFileSync(outputFile, 'utf8'));
  const sarifPath = outputs['sarif-file'];
  let sarif: ActionRun['sarif'];
  try {
    sarif = sarifPath ? JSON.parse(readFileSync(sarifPath, 'utf8')) : undefined;
  } catch {
    sarif = undefined;
  }
  return { code, stdout, stderr, outputs, summary: readFileSync(summaryFile, 'utf8'), sarif, annotations: parseAnnotations(stdout) };
}

/** `name<<DELIMITER\nvalue\nDELIMITER` blocks, as @actions/core writes them to $GITHUB_OUTPUT. */
function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<]+)<<(.+)$/.exec(lines[i] as string);
    if (!m) continue;
    const [, name, delimiter] = m;
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i] as string);
    outputs[name as string] = value.join('\n');
  }
  return outputs;
}

function parseAnnotations(stdout: string): ActionRun['annotations'] {
  const out: ActionRun['annotations'] = [];
  for (const line of stdout.split('\n')) {
    const m = /^::(error|warning|notice)( [^:]*)?::(.*)$/.exec(line);
    if (!m) continue;
    const props: Record<string, string> = {};
    for (const pair of (m[2] ?? '').trim().split(',').filter(Boolean)) {
      const eq = pair.indexOf('=');
      props[pair.slice(0, eq)] = decodeURIComponent(pair.slice(eq + 1).replace(/%(?![0-9A-F]{2})/g, '%25'));
    }
    out.push({ level: m[1] as string, props, message: (m[3] as string).replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%25/g, '%') });
  }
  return out;
}

export interface Recorded {
  method: string;
  path: string;
  body: unknown;
  authorization: string | undefined;
}

/** A GitHub REST API stand-in on 127.0.0.1 for issue comments; records every call. */
export class FakeGitHub {
  readonly calls: Recorded[] = [];
  readonly comments: Array<{ id: number; body: string; user: { login: string; type: string } }> = [];
  private nextId = 1000;
  private server: Server | undefined;

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let text = '';
    for await (const chunk of req) text += (chunk as Buffer).toString('utf8');
    const body = text ? (JSON.parse(text) as { body?: string }) : undefined;
    const path = req.url ?? '';
    this.calls.push({ method: req.method ?? '', path, body, authorization: req.headers.authorization });
    const send = (status: number, data: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(data));
    };
    const list = /^\/repos\/acme\/app\/issues\/(\d+)\/comments(\?.*)?$/.exec(path);
    const one = /^\/repos\/acme\/app\/issues\/comments\/(\d+)$/.exec(path);
    if (list && req.method === 'GET') return send(200, this.comments);
    if (list && req.method === 'POST' && body?.body) {
      const comment = { id: this.nextId++, body: body.body, user: { login: 'github-actions[bot]', type: 'Bot' } };
      this.comments.push(comment);
      return send(201, comment);
    }
    if (one && req.method === 'PATCH' && body?.body) {
      const comment = this.comments.find((c) => c.id === Number(one[1]));
      if (!comment) return send(404, { message: 'Not Found' });
      comment.body = body.body;
      return send(200, comment);
    }
    send(404, { message: 'Not Found' });
  }
}

/** A verifier endpoint stand-in: GitHub's GET /user, answering by token. */
export async function fakeGitHubUser(live: ReadonlySet<string>): Promise<{ url: string; stop: () => Promise<void>; calls: string[] }> {
  const calls: string[] = [];
  const server = createServer((req, res) => {
    const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
    calls.push(`${req.method} ${req.url}`);
    if (req.url === '/user' && live.has(token)) {
      res.writeHead(200, { 'content-type': 'application/json', 'x-oauth-scopes': 'repo' });
      res.end(JSON.stringify({ login: 'octocat', id: 1 }));
    } else {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'Bad credentials' }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
