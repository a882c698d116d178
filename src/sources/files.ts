import * as fs from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import type FastGlob from 'fast-glob';
import picomatch from 'picomatch';
import { describeError } from '../util/errors.js';

/**
 * Folders and files skipped unless `--no-default-excludes`: dependency trees, caches and virtual
 * environments (other people's code, rebuilt from lock files) and media/archives that hold no text.
 */
export const DEFAULT_EXCLUDES: readonly string[] = [
  '**/.git/**',
  '**/node_modules/**',
  '**/bower_components/**',
  '**/.yarn/cache/**',
  '**/.pnpm-store/**',
  '**/.venv/**',
  '**/venv/**',
  '**/__pycache__/**',
  '**/.tox/**',
  '**/.mypy_cache/**',
  '**/.pytest_cache/**',
  '**/.terraform/**',
  '**/.gradle/caches/**',
  '**/*.{png,jpg,jpeg,gif,bmp,ico,webp,avif,tif,tiff,psd,mp3,mp4,m4a,mov,avi,mkv,webm,wav,flac,ogg}',
  '**/*.{zip,gz,tgz,bz2,xz,zst,7z,rar,jar,war,ear,whl,egg,dmg,iso,deb,rpm,apk,ipa}',
  '**/*.{woff,woff2,ttf,otf,eot,pdf,exe,dll,so,dylib,o,a,class,pyc,wasm,node}',
];

/** `.git` internals are never scanned as files, whatever the excludes (history has its own source). */
const ALWAYS_EXCLUDED = ['**/.git/**'];

export interface FileEntry {
  /** The path as shown to the user: the argument joined with the path below it. */
  path: string;
  /** The path below the argument it was found under (the argument itself for a file argument). */
  relative: string;
  /** The absolute path to read. */
  absolute: string;
  /** Known for file arguments; 0 for files found in folders (not stat-ed: an lstat per file costs more than it tells). */
  size: number;
}

export interface EnumerateOptions {
  excludes: readonly string[];
  /** Called for every entry not scanned, with the reason ('excluded', 'symlink', 'unreadable'). */
  onSkip: (path: string, reason: string, message?: string) => void;
}

/**
 * Lists the files under the given paths, streaming, in a stable order per folder. Unreadable folders
 * are reported through `onSkip` and the walk goes on.
 */
export async function* enumerateFiles(paths: readonly string[], options: EnumerateOptions): AsyncGenerator<FileEntry> {
  const ignore = [...ALWAYS_EXCLUDED, ...options.excludes];
  const isExcluded = picomatch(ignore, { dot: true });
  for (const arg of paths) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(arg);
    } catch (err) {
      options.onSkip(arg, 'unreadable', describeError(err));
      continue;
    }
    if (!stat.isDirectory()) {
      const shown = toPosix(arg);
      if (isExcluded(shown) || isExcluded(toPosix(relative(process.cwd(), resolve(arg))))) options.onSkip(shown, 'excluded');
      // (A device or a pipe could be read without end; the scan trusts that what it is given is a file.)
      else if (!stat.isFile()) options.onSkip(shown, 'not-a-file');
      else yield { path: shown, relative: shown, absolute: resolve(arg), size: stat.size };
      continue;
    }
    const root = resolve(arg);
    const reportingFs = {
      ...fs,
      readdir: ((dir: string, opts: unknown, cb?: (err: NodeJS.ErrnoException | null, entries: unknown[]) => void) => {
        const callback = (typeof opts === 'function' ? opts : cb) as (err: NodeJS.ErrnoException | null, entries: unknown[]) => void;
        const readOptions = typeof opts === 'function' ? undefined : opts;
        fs.readdir(dir, readOptions as fs.ObjectEncodingOptions & { withFileTypes: true }, (err, entries) => {
          if (err) {
            options.onSkip(displayPath(arg, relative(root, dir)), 'unreadable', describeError(err));
            callback(null, []);
          } else {
            callback(null, entries);
          }
        });
      }) as typeof fs.readdir,
    };
    // Loaded on first use (a pre-commit check never walks a folder); bundled with the CLI.
    const fastGlob = ((await import('fast-glob')) as { default: typeof FastGlob }).default;
    const stream = fastGlob.stream('**', {
      cwd: root,
      dot: true,
      onlyFiles: false,
      objectMode: true,
      followSymbolicLinks: false,
      ignore,
      fs: reportingFs,
      suppressErrors: true,
      // One pattern yields each path once: fast-glob's check against a set of every path seen (for
      // several patterns) costs a quarter of its walk.
      unique: false,
    });
    for await (const raw of stream) {
      const entry = raw as unknown as FastGlob.Entry;
      const shown = displayPath(arg, entry.path);
      if (entry.dirent.isSymbolicLink()) {
        options.onSkip(shown, 'symlink');
        continue;
      }
      if (!entry.dirent.isFile()) continue;
      yield { path: shown, relative: toPosix(entry.path), absolute: join(root, entry.path), size: 0 };
    }
  }
}

function displayPath(arg: string, below: string): string {
  const base = toPosix(arg).replace(/\/+$/, '');
  const rel = toPosix(below);
  if (base === '.' || base === '') return rel || '.';
  return rel ? `${base}/${rel}` : base;
}

function toPosix(p: string): string {
  return sep === '/' ? p : p.split(sep).join('/');
}
