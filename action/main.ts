/**
 * The entry the runner starts (action.yml: `runs.using: node20`, `main: dist/action/main.js`).
 *
 * A release tag carries `dist/` and the production `node_modules/` (see .github/workflows/release.yml),
 * built on Linux x64. `re2` is a native module: on a runner of another platform its binary does not
 * load, so it is rebuilt here once (`npm rebuild re2` fetches the prebuilt binary for the platform, or
 * compiles it) before anything imports the scanner.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const packageRoot = fileURLToPath(new URL('../../', import.meta.url));

function re2Loads(): string | undefined {
  try {
    require('re2');
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

const problem = re2Loads();
if (problem !== undefined) {
  process.stdout.write(`::group::keysweep: re2 does not load on ${process.platform}-${process.arch} (${problem.split('\n')[0]}); running npm rebuild re2\n`);
  const npm = spawnSync('npm', ['rebuild', 're2', '--no-audit', '--no-fund'], { cwd: packageRoot, stdio: 'inherit', shell: process.platform === 'win32' });
  process.stdout.write('::endgroup::\n');
  const still = re2Loads();
  if (npm.status !== 0 || still !== undefined) {
    process.stdout.write(`::error::keysweep: the native module re2 cannot be loaded on this runner (${process.platform}-${process.arch}): ${still ?? `npm exited with ${npm.status}`}. Run keysweep on ubuntu-latest, or install Node.js and npm on this runner.\n`);
    process.exit(2);
  }
}

const { runAction } = await import('./run.js');
process.exitCode = await runAction(process.env);
