import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../src/util/paths.js';

/**
 * The benchmark corpus: real third-party code and text that holds no live secrets — copies of
 * installed packages (the TypeScript compiler and friends). Built once into bench/.corpus.
 */
export const CORPUS_DIR = join(PACKAGE_ROOT, 'bench', '.corpus');
const PACKAGES = ['typescript', 'vitest', '@vitest', 'vite', 'rollup', '@octokit', '@gitbeaker', 'zod', 'yaml', 'undici', 'fast-glob', 'ajv', 'secretlint', '@secretlint', 'simple-git', '@actions', 'tinybench', 'picomatch'];

export function ensureCorpus(): string {
  if (existsSync(join(CORPUS_DIR, '.complete'))) return CORPUS_DIR;
  mkdirSync(CORPUS_DIR, { recursive: true });
  for (const name of PACKAGES) {
    const from = join(PACKAGE_ROOT, 'node_modules', name);
    if (existsSync(from)) cpSync(from, join(CORPUS_DIR, name.replace('/', '__')), { recursive: true, dereference: true });
  }
  cpSync(join(PACKAGE_ROOT, 'bench', 'corpus.ts'), join(CORPUS_DIR, '.complete'));
  return CORPUS_DIR;
}

/** Every text file of the corpus (binary ones, by the NUL test, left out), in memory. */
export function corpusBuffers(dir = ensureCorpus()): Buffer[] {
  const out: Buffer[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.isFile()) {
        const b = readFileSync(p);
        if (!b.subarray(0, 8000).includes(0)) out.push(b);
      }
    }
  };
  walk(dir);
  return out;
}

export function totalBytes(buffers: readonly Buffer[]): number {
  return buffers.reduce((n, b) => n + b.length, 0);
}
