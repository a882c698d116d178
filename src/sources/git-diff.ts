import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import picomatch from 'picomatch';
import type { Matcher } from '../detect/match.js';
import type { StreamOptions } from '../detect/stream.js';
import { BlobReader } from '../git/blob-reader.js';
import { scanBlob, type BlobScan } from '../git/scan-blob.js';
import { parseDiff, type DiffEvent } from '../git/diff.js';
import { gitText, GitError, spawnGit } from '../git/git.js';
import type { ScanCollector } from '../scan/index.js';
import { toWire } from '../scan/protocol.js';
import { UnitScanner } from '../scan/scan-bytes.js';
import type { Origin } from '../types.js';

export interface DiffOptions {
  repo: string;
  /** `BASE..HEAD` or `BASE...HEAD`; with `staged` unset. */
  range?: string;
  /** The index against HEAD: what `git commit` is about to record. */
  staged?: boolean;
  excludes: readonly string[];
  maxFileSize: number;
  stream: StreamOptions;
}

interface ChangedFile {
  path: string;
  blob: string;
  added: Set<number>;
}

/**
 * The git processes a diff scan needs, started before anything else: forking is cheapest while the
 * heap is small, and git produces the diff while the rules load. A pre-commit hook feels this.
 */
export interface StartedDiff {
  child: ChildProcessWithoutNullStreams;
  /** The diff text. Piped at once: node drains (and drops) an unread child stdout when git exits. */
  diff: Readable;
  /** `git cat-file --batch`, started on first use (at once for ranges; see worktreeCopy for --staged). */
  reader: () => BlobReader;
  closed: Promise<number>;
  errText: () => string;
  /** Stops both processes (when the scan ends early, e.g. on a usage error). */
  abort: () => void;
}

export function startGitDiff(options: Pick<DiffOptions, 'repo' | 'range' | 'staged'>): StartedDiff {
  const args = ['diff', '--no-color', '--no-ext-diff', '--full-index', '-U0', '-M', '--diff-filter=ACMRT'];
  if (options.staged) args.push('--cached');
  else if (options.range) args.push(options.range, '--');
  const child = spawnGit(args, { cwd: options.repo });
  child.stdin.end();
  let errText = '';
  child.stderr.on('data', (d: Buffer) => (errText += d.toString('utf8')));
  const closed = new Promise<number>((resolve) => {
    child.on('close', (code) => resolve(code ?? 1));
    child.on('error', () => resolve(1));
  });
  let reader = options.staged ? undefined : new BlobReader(options.repo);
  return {
    child,
    diff: child.stdout.pipe(new PassThrough()),
    reader: () => (reader ??= new BlobReader(options.repo)),
    closed,
    errText: () => errText,
    abort: () => {
      child.kill();
      reader?.close();
    },
  };
}

/**
 * Scans what a diff adds: each changed file's new version is matched whole (so multi-line secrets and
 * nearby parts are seen in context), and only findings that start on an added line are kept, with
 * line numbers in the new version. Removed lines are never findings: that key is being taken out.
 */
export async function scanGitDiff(matcher: Matcher, options: DiffOptions, collector: ScanCollector, started: StartedDiff = startGitDiff(options)): Promise<void> {
  const { repo } = options;
  // Paths in the diff are relative to the top of the work tree; hooks run there.
  const top = options.staged && existsSync(join(repo, '.git')) ? repo : undefined;
  const label = options.staged ? 'staged' : (options.range ?? '');
  try {
    if (!options.staged && options.range) {
      // Fail early, with git's own words, on a range that does not resolve.
      const ends = options.range.split(/\.{2,3}/).filter(Boolean);
      for (const end of ends) await gitText(['rev-parse', '--verify', '--quiet', `${end}^{commit}`], { cwd: repo }).catch(() => {
        throw new GitError(`--diff ${options.range}: "${end}" is not a commit in ${repo}`);
      });
    }
    const excluded = options.excludes.length ? picomatch([...options.excludes], { dot: true }) : () => false;

    const files: ChangedFile[] = [];
    let current: ChangedFile | undefined;
    for await (const event of parseDiff(started.diff)) {
      if (event.kind === 'file') {
        current = undefined;
        if (event.binary || event.deleted || !event.blob) {
          if (event.binary) collector.skip(event.path, 'binary');
          continue;
        }
        if (excluded(event.path) || collector.isIgnored({ path: event.path, relative: event.path })) {
          collector.skip(event.path, 'ignored');
          continue;
        }
        current = { path: event.path, blob: event.blob, added: new Set() };
        files.push(current);
      } else if (current) {
        current.added.add(event.line);
      }
    }
    if ((await started.closed) !== 0) {
      // Asked only now, to keep a git call off the pre-commit path: outside a repository, git diff
      // falls back to comparing two paths and fails with its usage text, which would say nothing useful.
      await gitText(['rev-parse', '--git-dir'], { cwd: repo }).catch((err: unknown) => {
        throw new GitError(`${repo}: not a git repository (${err instanceof Error ? err.message : String(err)})`);
      });
      throw new GitError(`git diff ${label} failed: ${started.errText().trim()}`);
    }

    await Promise.all(
      files.map(async (file) => {
        const copy = top === undefined ? undefined : worktreeCopy(join(top, file.path), file.blob, options.maxFileSize);
        const scanned = copy ? scanContent(copy, matcher, options) : await scanBlob(started.reader(), file.blob, matcher, options);
        if (scanned.status === 'missing') {
          collector.warn(file.path, `blob ${file.blob} is missing; skipped`);
          return;
        }
        if (scanned.status === 'skipped') {
          collector.skip(file.path, scanned.reason);
          return;
        }
        const unit = scanned.unit;
        const hits = unit.end().filter((h) => file.added.has(h.line));
        collector.countScanned(unit.bytes);
        collector.addHits(toWire(file.path, { hits, bytes: unit.bytes }).hits, { kind: 'diff', path: file.path, range: label });
      }),
    );
  } finally {
    started.abort();
  }
}

/** Files up to this size are compared with the index by hashing them (see worktreeCopy). */
const WORKTREE_MAX_BYTES = 1 << 20;

/**
 * The staged content of a file, read from the working tree when it is byte-identical to the index
 * version (its git blob id matches): the usual pre-commit case, and it spares starting `git cat-file`.
 * Anything else (edited after `git add`, filtered, large, unreadable) is read from git.
 */
function worktreeCopy(path: string, blob: string, maxFileSize: number): Buffer | undefined {
  try {
    const stat = statSync(path);
    if (!stat.isFile() || stat.size > WORKTREE_MAX_BYTES || (maxFileSize && stat.size > maxFileSize)) return undefined;
    const content = readFileSync(path);
    const id = createHash(blob.length === 64 ? 'sha256' : 'sha1')
      .update(`blob ${content.length}\0`)
      .update(content)
      .digest('hex');
    return id === blob ? content : undefined;
  } catch {
    return undefined;
  }
}

function scanContent(content: Buffer, matcher: Matcher, options: { stream: StreamOptions }): BlobScan {
  const unit = new UnitScanner(matcher, options.stream);
  return unit.push(content) ? { status: 'scanned', unit } : { status: 'skipped', reason: 'binary' };
}

/**
 * Scans a unified diff read from a stream (`git diff | keysweep scan --diff -`): only added lines are
 * matched, each at its line number in the new version of its file.
 */
export async function scanDiffStream(matcher: Matcher, input: AsyncIterable<Buffer | string>, options: { excludes: readonly string[]; stream: StreamOptions }, collector: ScanCollector): Promise<void> {
  const excluded = options.excludes.length ? picomatch([...options.excludes], { dot: true }) : () => false;
  let unit: UnitScanner | undefined;
  let path = '';
  let nextLine = 1;
  const finish = () => {
    if (!unit) return;
    const hits = unit.end();
    collector.countScanned(unit.bytes);
    const origin: Origin = { kind: 'diff', path, range: '-' };
    collector.addHits(toWire(path, { hits, bytes: unit.bytes }).hits, origin);
    unit = undefined;
  };
  for await (const event of parseDiff(input) as AsyncGenerator<DiffEvent>) {
    if (event.kind === 'file') {
      finish();
      if (event.binary || event.deleted) continue;
      if (excluded(event.path) || collector.isIgnored({ path: event.path, relative: event.path })) {
        collector.skip(event.path, 'ignored');
        continue;
      }
      unit = new UnitScanner(matcher, options.stream);
      path = event.path;
      nextLine = 1;
      continue;
    }
    if (!unit) continue;
    // Blank lines stand in for the lines the diff does not show, so that numbers match the new file.
    if (event.line > nextLine) unit.push(Buffer.alloc(Math.min(event.line - nextLine, 1 << 24), 10));
    unit.push(Buffer.concat([event.text, NEWLINE]));
    nextLine = event.line + 1;
  }
  finish();
}

const NEWLINE = Buffer.from('\n');
