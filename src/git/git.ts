import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { KeysweepError } from '../util/errors.js';

/**
 * Running git. Every invocation gets `-c core.quotePath=false` (paths come back as bytes, not
 * octal-escaped) and an environment that never prompts. Error messages are scrubbed of anything that
 * looks like a credential in a URL, because git echoes remote URLs.
 */
export class GitError extends KeysweepError {
  constructor(message: string) {
    super('GIT', message);
    this.name = 'GitError';
  }
}

export interface GitOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  input?: string | Buffer;
}

const BASE_ARGS = ['-c', 'core.quotePath=false', '-c', 'color.ui=false'];

export function gitEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: 'echo', LC_ALL: 'C', ...extra };
}

/** Starts git with its output as a stream (for log and cat-file, which must never be buffered whole). */
export function spawnGit(args: readonly string[], options: GitOptions): ChildProcessWithoutNullStreams {
  return spawn('git', [...BASE_ARGS, ...args], { cwd: options.cwd, env: gitEnv(options.env) });
}

/** Runs git to completion and returns its standard output; throws GitError with its stderr otherwise. */
export function runGit(args: readonly string[], options: GitOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawnGit(args, options);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', (e) => reject(new GitError(`cannot run git: ${e.message}`)));
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new GitError(`git ${args[0] ?? ''} failed (exit ${code}): ${scrub(Buffer.concat(err).toString('utf8').trim())}`));
    });
    if (options.input !== undefined) child.stdin.end(options.input);
    else child.stdin.end();
  });
}

export async function gitText(args: readonly string[], options: GitOptions): Promise<string> {
  return (await runGit(args, options)).toString('utf8').trim();
}

/** Removes user:password@ and token-like query values from URLs in a message. */
export function scrub(message: string): string {
  return message
    .replace(/([a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi, '$1***@')
    .replace(/((?:access_token|private_token|token|password)=)[^\s&]+/gi, '$1***');
}
