import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tempDir } from '../helpers.js';

/** A throwaway repository built in the test with real git commands. */
export class FixtureRepo {
  readonly dir: string;
  private tick = 0;

  constructor(dir = tempDir(), options: { bare?: boolean } = {}) {
    this.dir = dir;
    this.git('init', '-q', '-b', 'main', ...(options.bare ? ['--bare'] : []));
    this.git('config', 'user.name', 'Dev One');
    this.git('config', 'user.email', 'dev@acme.io');
    this.git('config', 'commit.gpgsign', 'false');
  }

  git(...args: string[]): string {
    // Fixed, increasing dates make commit order and the reported dates deterministic.
    const date = `2024-01-01T00:00:${String(this.tick).padStart(2, '0')}Z`;
    return execFileSync('git', args, {
      cwd: this.dir,
      encoding: 'utf8',
      env: { ...process.env, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date, GIT_CONFIG_NOSYSTEM: '1', HOME: this.dir },
    }).trim();
  }

  write(files: Record<string, string | Buffer>): this {
    for (const [name, content] of Object.entries(files)) {
      mkdirSync(dirname(join(this.dir, name)), { recursive: true });
      writeFileSync(join(this.dir, name), content);
    }
    return this;
  }

  /** Stages everything and commits; returns the new commit's sha. */
  commit(message: string, files: Record<string, string | Buffer> = {}): string {
    this.write(files);
    this.tick++;
    this.git('add', '-A');
    this.git('commit', '-q', '--allow-empty', '-m', message);
    return this.git('rev-parse', 'HEAD');
  }
}
