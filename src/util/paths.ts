import { existsSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder that holds package.json, patterns/ and verifiers/. Found by walking up from this module
 * so that it works from the TypeScript sources (tests) and from the built dist/ alike.
 */
export const PACKAGE_ROOT: string = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'patterns'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('keysweep: cannot find its package root (package.json + patterns/)');
    dir = parent;
  }
})();

/** Installed as a dependency (under node_modules), not a checkout of the repository. */
export const INSTALLED_BY_NPM = PACKAGE_ROOT.split(sep).includes('node_modules');

export const BUILTIN_PATTERNS_DIR = join(PACKAGE_ROOT, 'patterns');
export const BUILTIN_VERIFIERS_DIR = join(PACKAGE_ROOT, 'verifiers');
/** The bundled CLI that `npm run build` writes (scripts/bundle.mjs): what the bin link and the hook run. */
export const CLI_BIN = join(PACKAGE_ROOT, 'dist', 'bin', 'keysweep.cjs');
/** Written by `npm run build` (scripts/build-rule-cache.mjs); see src/detect/rule-cache.ts. */
export const BUILTIN_RULE_CACHE = join(PACKAGE_ROOT, 'dist', 'rules-cache.json');
