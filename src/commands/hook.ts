import { chmodSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { EXIT_OK, type Io } from './io.js';
import { gitText } from '../git/git.js';
import { KeysweepError, UsageError } from '../util/errors.js';
import { CLI_BIN } from '../util/paths.js';

const MARKER = '# keysweep-hook';
const CHAINED = 'pre-commit.keysweep-chained';

/** The hook: run a chained hook first (if one was there before us), then check the staged changes. */
function hookScript(node: string, cli: string): string {
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  return `#!/bin/sh
${MARKER}: installed by "keysweep hook install"; remove with "keysweep hook uninstall".
hook_dir=$(dirname "$0")
if [ -x "$hook_dir/${CHAINED}" ]; then
  "$hook_dir/${CHAINED}" "$@" || exit $?
fi
if [ -x ${q(node)} ] && [ -f ${q(cli)} ]; then
  exec ${q(node)} ${q(cli)} scan --staged --quiet
elif command -v keysweep >/dev/null 2>&1; then
  exec keysweep scan --staged --quiet
else
  echo "keysweep: not found; reinstall it, or remove this hook with: keysweep hook uninstall" >&2
  exit 1
fi
`;
}

async function hooksDir(repo: string): Promise<string> {
  let dir: string;
  try {
    // Respects core.hooksPath and worktrees.
    dir = await gitText(['rev-parse', '--git-path', 'hooks'], { cwd: repo });
  } catch {
    throw new UsageError(`${repo}: not a git repository`);
  }
  return isAbsolute(dir) ? dir : resolve(repo, dir);
}

function isOurs(file: string): boolean {
  try {
    return readFileSync(file, 'utf8').includes(MARKER);
  } catch {
    return false;
  }
}

export async function runHook(sub: string | undefined, values: { force?: boolean | undefined }, positionals: string[], io: Io): Promise<number> {
  const repo = positionals[0] ?? '.';
  const dir = await hooksDir(repo);
  const hook = join(dir, 'pre-commit');
  const chained = join(dir, CHAINED);
  if (sub === 'install') {
    const script = hookScript(process.execPath, CLI_BIN);
    if (existsSync(hook) && !isOurs(hook)) {
      if (values.force) {
        io.stderr(`keysweep: replacing the existing pre-commit hook (--force)\n`);
      } else {
        if (existsSync(chained)) throw new KeysweepError('IO', `${chained} already exists; remove it or use --force`);
        renameSync(hook, chained);
        io.stdout(`Existing pre-commit hook kept: it now runs first, from ${chained}\n`);
      }
    }
    try {
      writeFileSync(hook, script);
      chmodSync(hook, 0o755);
    } catch (err) {
      throw new KeysweepError('IO', `${hook}: cannot write hook: ${err instanceof Error ? err.message : String(err)}`);
    }
    io.stdout(`Installed the keysweep pre-commit hook in ${hook}\n`);
    return EXIT_OK;
  }
  if (sub === 'uninstall') {
    if (!existsSync(hook)) {
      io.stdout('No pre-commit hook installed.\n');
      return EXIT_OK;
    }
    if (!isOurs(hook)) throw new UsageError(`${hook} was not installed by keysweep; leaving it alone`);
    rmSync(hook);
    if (existsSync(chained)) {
      renameSync(chained, hook);
      io.stdout(`Removed the keysweep hook; restored the previous pre-commit hook.\n`);
    } else {
      io.stdout(`Removed the keysweep pre-commit hook.\n`);
    }
    return EXIT_OK;
  }
  throw new UsageError(`unknown "hook ${sub ?? ''}": expected "hook install [--force] [REPO]" or "hook uninstall [REPO]"`);
}

/** What a blocked commit prints after the findings: the three ways out. */
export function blockedCommitHelp(fingerprints: readonly string[]): string {
  const shown = fingerprints.slice(0, 5);
  return `
keysweep blocked this commit: the staged changes hold ${fingerprints.length} secret(s). Ways out:
  1. Remove the secret from the file and stage it again (git add). If it was ever pushed or shared,
     revoke and rotate it: removing it from the code does not make it safe.
  2. If it is not a secret (a test fixture, a documented example), add a comment containing
     keysweep:allow on that line.
  3. Or record the finding in .keysweepignore:
${shown.map((f) => `       echo '${f}' >> .keysweepignore`).join('\n')}${fingerprints.length > shown.length ? `\n       … and ${fingerprints.length - shown.length} more` : ''}
`;
}
