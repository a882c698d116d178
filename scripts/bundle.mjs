// Part of `npm run build`: bundles the CLI into two CommonJS files in dist/bin/ (the CLI and the
// matching thread). A pre-commit hook pays for module loading on every commit: resolving, reading and
// linking ~70 ES modules cost about 70 ms of a ~300 ms budget on a 2-core machine; one CommonJS file
// costs a fraction of that. Packages stay external (they load through require on demand, and re2 is
// a native addon). `import.meta.url` has no CommonJS equivalent, so each file defines its own.
import { readFileSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

// Every dependency stays external except:
// - the ESM-only ones the CLI imports by default export: require() cannot load those on every
//   Node 20 (p-limit is a few lines);
// - fast-glob and picomatch, on the path of every folder scan: as ~60 small files, fast-glob took
//   40 ms to load. (picomatch goes with it: fast-glob's micromatch needs its own, older, picomatch,
//   which an external `picomatch` would replace with ours.)
const BUNDLED = new Set(['p-limit', 'yocto-queue', 'fast-glob', 'picomatch']);
const { dependencies } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const external = Object.keys(dependencies).filter((name) => !BUNDLED.has(name)).flatMap((name) => [name, `${name}/*`]);

// The GitHub Action's code (and its ESM-only @actions / @octokit packages) stays in tsc's output,
// dist/action/, loaded by a real import() when `keysweep action` runs.
const actionOutside = {
  name: 'action-outside',
  setup(b) {
    b.onResolve({ filter: /\/action\/run\.js$/ }, () => ({ path: '../action/run.js', external: true }));
  },
};

const outdir = new URL('../dist/bin/', import.meta.url).pathname;
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: { keysweep: 'dist/src/cli.js', worker: 'dist/src/scan/worker.js' },
  outdir,
  outExtension: { '.js': '.cjs' },
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external,
  plugins: [actionOutside],
  define: { 'import.meta.url': '__keysweep_module_url' },
  banner: { js: "const __keysweep_module_url = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
});
