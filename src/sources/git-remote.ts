import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runGit, scrub, GitError } from '../git/git.js';
import type { ScanCollector } from '../scan/index.js';

/** Where a token for private repositories may come from, in order. Never from the command line. */
export const TOKEN_VARIABLES = ['KEYSWEEP_GIT_TOKEN', 'GITHUB_TOKEN', 'GITLAB_TOKEN'] as const;

/**
 * Mirrors a remote repository into a temporary folder, runs `scan` on it, and removes it. A token from
 * the environment is passed to git as an HTTP header through git's environment configuration
 * (GIT_CONFIG_*), so it appears neither in the process list nor in the clone's config, and every
 * message git prints is scrubbed of credentials before it is shown.
 */
export async function withClone<T>(url: string, scan: (dir: string) => Promise<T>, collector: ScanCollector, env: NodeJS.ProcessEnv = process.env): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'keysweep-clone-'));
  const token = TOKEN_VARIABLES.map((v) => env[v]).find((t) => t && t.length > 0);
  const extra: NodeJS.ProcessEnv = {};
  if (token && /^https:\/\//i.test(url)) {
    const user = /gitlab/i.test(url) ? 'oauth2' : 'x-access-token';
    extra.GIT_CONFIG_COUNT = '1';
    extra.GIT_CONFIG_KEY_0 = 'http.extraHeader';
    extra.GIT_CONFIG_VALUE_0 = `Authorization: Basic ${Buffer.from(`${user}:${token}`).toString('base64')}`;
  }
  try {
    try {
      await runGit(['clone', '--mirror', '--quiet', url, dir], { cwd: tmpdir(), env: extra });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw new GitError(`cannot clone ${scrub(url)}: ${token ? message.split(token).join('***') : message}`);
    }
    return await scan(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
