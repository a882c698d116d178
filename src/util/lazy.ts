import { createRequire } from 'node:module';
import type * as Zod from 'zod';
import type * as Yaml from 'yaml';

/**
 * Libraries that cost more to load than a whole small scan (zod ~130 ms, yaml ~50 ms on this kind of
 * machine), loaded the first time they are needed rather than at start-up. A scan with no config file
 * and a fresh rule cache never loads them: a pre-commit hook must feel instant.
 */
const require = createRequire(import.meta.url);

export type Z = typeof Zod.z;

let zod: Z | undefined;
export function lazyZod(): Z {
  return (zod ??= (require('zod') as typeof Zod).z);
}

let yaml: typeof Yaml | undefined;
export function lazyYaml(): typeof Yaml {
  return (yaml ??= require('yaml') as typeof Yaml);
}

/** A value built on first use, e.g. a zod schema. */
export function once<T>(build: () => T): () => T {
  let value: T | undefined;
  let built = false;
  return () => {
    if (!built) {
      value = build();
      built = true;
    }
    return value as T;
  };
}
