import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { output as ZodOutput } from 'zod';
import { ConfigError, describeError } from './util/errors.js';
import { parseYamlWith } from './util/yaml-file.js';
import { DEFAULT_EXCLUDES } from './sources/files.js';
import { lazyZod, once, type Z } from './util/lazy.js';

/** Sizes as a number of bytes or a string like "10MB", "512k", "1.5 GiB". */
export function parseSize(value: string | number, where: string): number {
  if (typeof value === 'number') return value;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b?)\s*$/i.exec(value);
  if (!m) throw new ConfigError(`${where}: "${value}" is not a size (examples: 1048576, 512KB, 10MB, 1GiB, 0 for no limit)`);
  const unit = (m[2] ?? '').toLowerCase();
  const power = ['', 'k', 'm', 'g', 't'].indexOf(unit);
  return Math.round(Number(m[1]) * 1024 ** power);
}

function build(z: Z) {
  const sizeSchema = z.union([z.number().int().min(0), z.string().regex(/^\s*\d+(\.\d+)?\s*[kmgtKMGT]?[iI]?[bB]?\s*$/, 'must be a size such as 10MB')]);

  const configSchema = z.strictObject({
    /** Extra rule folders or files, relative to the config file. */
    rules: z.array(z.string().min(1)).optional(),
    /** Only these rules (ids, providers or globs such as `aws.*`). */
    enable: z.array(z.string().min(1)).optional(),
    /** Rules to turn off (ids, providers or globs). */
    disable: z.array(z.string().min(1)).optional(),
    /** Path globs not to scan, added to the default excludes. */
    exclude: z.array(z.string().min(1)).optional(),
    /** Whether the built-in excludes (node_modules, .venv, media…) apply. */
    defaultExcludes: z.boolean().optional(),
    maxFileSize: sizeSchema.optional(),
    allowlist: z
      .strictObject({
        /** Path globs whose findings are ignored (and which are not scanned). */
        paths: z.array(z.string().min(1)).optional(),
        /** RE2 patterns; a secret matching one is not reported. */
        regexes: z.array(z.string().min(1)).optional(),
        /** Substrings; a secret containing one (case-insensitive) is not reported. */
        stopwords: z.array(z.string().min(1)).optional(),
        /** Finding fingerprints to ignore, as in .keysweepignore. */
        fingerprints: z.array(z.string().min(1)).optional(),
      })
      .optional(),
  });
  return configSchema;
}

/** Built on first use: zod loads only when there is a config file to read. */
export const configSchema = once(() => build(lazyZod()));

export type ConfigFile = ZodOutput<ReturnType<typeof build>>;

export interface LoadedConfig {
  file: string | undefined;
  config: ConfigFile;
  /** Rule paths resolved against the config file's folder. */
  rulePaths: string[];
}

export const CONFIG_NAMES = ['.keysweep.yml', '.keysweep.yaml'];

/** Finds the config: the explicit file, else `.keysweep.yml` in the scan root, else in the working folder. */
export function findConfig(explicit: string | undefined, roots: readonly string[]): string | undefined {
  if (explicit) return explicit;
  for (const root of [...roots, '.']) {
    for (const name of CONFIG_NAMES) {
      const candidate = join(root, name);
      if (existsSync(candidate)) return candidate;
    }
  }
  return undefined;
}

export function loadConfig(file: string | undefined): LoadedConfig {
  if (!file) return { file: undefined, config: {}, rulePaths: [] };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`${file}: cannot read config: ${describeError(err)}`);
  }
  const parsed = parseYamlWith(text, file, configSchema().nullable());
  if (!parsed.ok) throw new ConfigError(`invalid config:\n  ${parsed.errors.join('\n  ')}`);
  const config = parsed.value ?? {};
  if (config.maxFileSize !== undefined) parseSize(config.maxFileSize, `${file}: maxFileSize`);
  const base = dirname(resolve(file));
  return { file, config, rulePaths: (config.rules ?? []).map((p) => (isAbsolute(p) ? p : join(base, p))) };
}

/** What to skip and how large a file may be: the defaults, the config file and the flags, merged. */
export function scanLimits(
  loaded: LoadedConfig,
  flags: { exclude?: readonly string[] | undefined; noDefaultExcludes?: boolean | undefined; maxFileSize?: string | undefined; maxFileSizeFlag: string },
): { excludes: string[]; maxFileSize: number } {
  const { config } = loaded;
  const useDefaults = !flags.noDefaultExcludes && config.defaultExcludes !== false;
  const excludes = [...(useDefaults ? DEFAULT_EXCLUDES : []), ...(config.exclude ?? []), ...(flags.exclude ?? [])];
  const maxFileSize =
    flags.maxFileSize !== undefined
      ? parseSize(flags.maxFileSize, flags.maxFileSizeFlag)
      : config.maxFileSize !== undefined
        ? parseSize(config.maxFileSize, `${loaded.file}: maxFileSize`)
        : 0;
  return { excludes, maxFileSize };
}
