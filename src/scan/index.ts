import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Matcher } from '../detect/match.js';
import type { Rule } from '../detect/rules.js';
import type { StreamOptions } from '../detect/stream.js';
import { enumerateFiles, type FileEntry } from '../sources/files.js';
import { pathMatcherOf, suppressionOf, type Suppressions } from '../suppress.js';
import type { Finding, Origin, ScanSummary, Severity, SkipCounts } from '../types.js';
import { describeError } from '../util/errors.js';
import { compareFindings, toFindings } from './findings.js';
import { WorkerPool } from './pool.js';
import { toWire, type WireHit, type WireResult } from './protocol.js';
import { UnitScanner } from './scan-bytes.js';
import { scanFile, scanFileSteps, type FileScanOptions } from './scan-file.js';

export interface ScanOptions {
  /** Files and folders; `-` reads standard input. */
  paths: readonly string[];
  rules: readonly Rule[];
  excludes: readonly string[];
  /** Bytes; 0 = no limit. */
  maxFileSize: number;
  /**
   * Matching threads; 0 = up to one per core, started only when the scan is long enough for them to
   * pay off. Small scans always run on the main thread.
   */
  threads: number;
  showSecrets: boolean;
  suppressions: Suppressions;
  stream?: StreamOptions;
  stdin?: AsyncIterable<Buffer | string>;
  /** Called once per warning as it happens (e.g. to print progress to stderr). */
  onWarning?: (path: string, message: string) => void;
  /** Matching threads started early (see startHelpers); closed by the scan. */
  helpers?: WorkerPool;
  /**
   * When helpers join a scan by default (see scanFiles); tests and benchmarks set their own, with
   * `threads` (when not 0) as the most threads the policy may use.
   */
  helperTiming?: { afterMs: number; payoffMs: number };
}

/**
 * Starts the matching threads that an explicit `--threads N` asks for, for a scan of folders, before
 * the rules load, so that they boot while this thread starts up. A scan that turns out small closes
 * them unused. (By default threads start only once a scan shows itself long: see scanFiles.)
 */
export function startHelpers(threads: number): WorkerPool | undefined {
  return threads > 1 ? new WorkerPool(threads - 1) : undefined;
}

export interface ScanResult {
  findings: Finding[];
  summary: ScanSummary;
}

/** With an explicit --threads, helpers start once a scan has more files or bytes than these. */
const INLINE_MAX_FILES = 500;
const INLINE_MAX_BYTES = 8 << 20;
/**
 * By default, helpers start once the main thread has matched for HELPERS_AFTER_MS and would need at
 * least HELPER_PAYOFF_MS more for the files left. Measured on a 2-vCPU VM (bench/e2e), helpers
 * started at once made a scan of 71 MB (1.2 s of matching) 8% slower and one of 213 MB (2.7 s) 11%
 * faster: a scan that is over within a second or two is faster on one thread.
 */
const HELPERS_AFTER_MS = 1000;
const HELPER_PAYOFF_MS = 1500;
/** How often the work left is weighed (a stat per file not yet weighed). */
const WEIGH_EVERY_MS = 100;
/** Files of the walk held ahead of the scan. */
const READ_AHEAD = 50_000;
const BATCH_MAX_FILES = 8;
/** What the main thread reads (and matches) at a time, between looks at the threads. */
const STEP_BYTES = 256 << 10;
const LOOK_EVERY_MS = 4;
/** Turns of the event loop per look while the walk is going on. */
const WALK_TURNS = 32;

/** Collects findings and counts from every unit, whichever thread scanned it. */
export class ScanCollector {
  readonly findings: Finding[] = [];
  readonly summary: ScanSummary;
  private readonly rulesById: Map<string, Rule>;
  private readonly pathIgnored: (p: string) => boolean;
  private readonly started = Date.now();

  constructor(
    rules: readonly Rule[],
    private readonly suppressions: Suppressions,
    private readonly onWarning?: (path: string, message: string) => void,
  ) {
    this.rulesById = new Map(rules.map((r) => [r.id, r]));
    this.pathIgnored = pathMatcherOf(suppressions.pathGlobs);
    this.summary = {
      filesScanned: 0,
      bytesScanned: 0,
      skipped: { binary: 0, tooLarge: 0, unreadable: 0, excluded: 0, ignored: 0 },
      findings: 0,
      distinctSecrets: 0,
      suppressed: { inline: 0, ignoreFile: 0, baseline: 0, allowlist: 0 },
      bySeverity: { critical: 0, high: 0, medium: 0, low: 0, info: 0 },
      durationMs: 0,
      warnings: [],
    };
  }

  warn(path: string, message: string): void {
    this.summary.warnings.push({ path, message });
    this.onWarning?.(path, message);
  }

  skip(path: string, reason: string, message?: string): void {
    const skipped = this.summary.skipped as SkipCounts;
    skipped[reason] = (skipped[reason] ?? 0) + 1;
    if (message) this.warn(path, `skipped (${reason}): ${message}`);
  }

  /**
   * Whether a file is ignored by the ignore file or config allowlist (so it need not be read). Globs
   * match the path as shown or the path below the scanned folder.
   */
  isIgnored(entry: { path: string; relative: string }): boolean {
    return this.pathIgnored(entry.path) || this.pathIgnored(entry.relative);
  }

  addUnit(result: WireResult, origin: Origin): void {
    if (result.skipped) {
      this.skip(result.path, result.skipped.reason, result.skipped.message);
      return;
    }
    this.countScanned(result.bytes);
    if (result.warning) this.warn(result.path, result.warning);
    this.addHits(result.hits, origin);
  }

  countScanned(bytes: number): void {
    this.summary.filesScanned++;
    this.summary.bytesScanned += bytes;
  }

  setCommitsScanned(commits: number): void {
    this.summary.commitsScanned = commits;
  }

  /** Turns one unit's hits into findings, applies the suppressions, and returns the findings kept. */
  addHits(hits: readonly WireHit[], origin: Origin): Finding[] {
    const kept: Finding[] = [];
    for (const { finding, hit } of toFindings(hits, origin, this.rulesById)) {
      const kind = suppressionOf(finding, hit.inlineAllowed, this.suppressions, this.pathIgnored);
      if (kind) this.summary.suppressed[kind]++;
      else kept.push(finding);
    }
    this.findings.push(...kept);
    return kept;
  }

  finish(): ScanResult {
    this.findings.sort(compareFindings);
    countFindings(this.findings, this.summary);
    this.summary.durationMs = Date.now() - this.started;
    return { findings: this.findings, summary: this.summary };
  }
}

/** Sets the summary's counts from the findings (after the list was built or narrowed). */
export function countFindings(findings: readonly Finding[], summary: ScanSummary): void {
  const bySeverity: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  for (const f of findings) bySeverity[f.severity]++;
  summary.findings = findings.length;
  summary.distinctSecrets = new Set(findings.map((f) => f.secretHash)).size;
  summary.bySeverity = bySeverity;
}

/** Scans files, folders and stdin. Per-file problems become warnings; the scan always completes. */
export async function scanPaths(options: ScanOptions): Promise<ScanResult> {
  try {
    return await scanPathsWith(options);
  } finally {
    // Unused (a small scan) or already closed: either way no thread outlives the scan.
    await options.helpers?.close();
  }
}

async function scanPathsWith(options: ScanOptions): Promise<ScanResult> {
  const collector = new ScanCollector(options.rules, options.suppressions, options.onWarning);
  const matcher = new Matcher(options.rules);
  const fileOptions = { ...options.stream, showSecrets: options.showSecrets, maxFileSize: options.maxFileSize };

  if (options.paths.includes('-')) {
    await scanStdin(matcher, options.stdin ?? process.stdin, collector, { ...options.stream, showSecrets: options.showSecrets });
  }
  const filePaths = options.paths.filter((p) => p !== '-');
  if (filePaths.length === 0) return collector.finish();

  const entries = enumerateFiles(filePaths, {
    excludes: options.excludes,
    onSkip: (path, reason, message) => collector.skip(path, reason, message),
  });

  await scanFiles(entries, matcher, collector, options, fileOptions);
  return collector.finish();
}

/**
 * Scans the files the walk finds. The main thread matches; helper threads join:
 * - with an explicit `--threads N` (N > 1), once the scan is more than a few hundred files or MB;
 * - by default, once the matching left is worth a thread (see HELPER_PAYOFF_MS): a thread costs
 *   about half a second of start-up and warm-up, and where the cores are shared (a 2-vCPU VM) two
 *   threads match only about 1.3× as fast as one.
 */
async function scanFiles(entries: AsyncGenerator<FileEntry>, matcher: Matcher, collector: ScanCollector, options: ScanOptions, fileOptions: FileScanOptions): Promise<void> {
  // With helperTiming, `threads` is the most the default policy may use (tests, benchmarks).
  const explicit = options.threads > 0 && !options.helperTiming;
  const threads = options.threads > 0 ? options.threads : availableParallelism();
  const { afterMs, payoffMs } = options.helperTiming ?? { afterMs: HELPERS_AFTER_MS, payoffMs: HELPER_PAYOFF_MS };
  let matchingSince: number | undefined;
  let bytesMatched = 0;
  let filesTaken = 0;
  if (threads <= 1 || !explicit) {
    // One thread: the plainest loop. By default also the first second of any scan, after which
    // helpers may join (see below).
    for (;;) {
      const entry = await entries.next();
      if (entry.done) return;
      const e = entry.value;
      if (collector.isIgnored(e)) {
        collector.skip(e.path, 'ignored');
        continue;
      }
      matchingSince ??= performance.now();
      const result = scanFile(matcher, e.absolute, fileOptions);
      bytesMatched += result.bytes;
      filesTaken++;
      collector.addUnit(toWire(e.path, result), { kind: 'file', path: e.path });
      if (threads > 1 && performance.now() - matchingSince >= afterMs) break;
    }
  }

  // The walk is read ahead into a queue (up to READ_AHEAD files), so that the work left is known.
  const queue: FileEntry[] = [];
  let next = 0;
  let walked = false;
  let wakeScanner: (() => void) | undefined;
  let resumeWalk: (() => void) | undefined;
  const waiting = () => queue.length - next;
  const feeding = (async () => {
    try {
      for await (const e of entries) {
        if (collector.isIgnored(e)) {
          collector.skip(e.path, 'ignored');
          continue;
        }
        queue.push(e);
        wakeScanner?.();
        if (waiting() >= READ_AHEAD) await new Promise<void>((resolve) => (resumeWalk = resolve));
      }
    } finally {
      walked = true;
      wakeScanner?.();
    }
  })();
  const take = (count: number): FileEntry[] => {
    const taken = queue.slice(next, next + count);
    next += taken.length;
    if (next > 4096 && next * 2 > queue.length) {
      queue.splice(0, next);
      next = 0;
    }
    if (resumeWalk && waiting() < READ_AHEAD / 2) {
      resumeWalk();
      resumeWalk = undefined;
    }
    return taken;
  };

  let pool: WorkerPool | undefined;
  const startPool = () => {
    const started = options.helpers ?? new WorkerPool(threads - 1);
    started.start(
      { rules: options.rules.map((r) => r.toSpec()), options: fileOptions },
      (results) => results.forEach((r) => collector.addUnit(r, { kind: 'file', path: r.path })),
      (files, message) => files.forEach((f) => collector.warn(f.path, `not scanned: ${message}`)),
    );
    return started;
  };
  let decided = false;
  let lastWeighed = 0;
  /** Whether helper threads should join now (see scanFiles). */
  const helpersPay = (): boolean => {
    if (explicit) return filesTaken + waiting() > INLINE_MAX_FILES || bytesMatched > INLINE_MAX_BYTES;
    if (!walked && waiting() >= READ_AHEAD) return true;
    const now = performance.now();
    const elapsed = matchingSince === undefined ? 0 : now - matchingSince;
    if (bytesMatched === 0 || now - lastWeighed < WEIGH_EVERY_MS) return false;
    lastWeighed = now;
    // The files left, weighed at the rate this thread has matched so far: exact once the walk has
    // ended (then decided once and for all), a lower bound before. A stat per file, once.
    if (walked) decided = true;
    let bytesLeft = 0;
    for (let i = next; i < queue.length; i++) {
      const e = queue[i] as FileEntry;
      e.size ||= sizeOf(e.absolute);
      bytesLeft += e.size;
    }
    return (bytesLeft / bytesMatched) * elapsed >= payoffMs;
  };
  const consider = () => {
    if (pool || decided) return;
    if (helpersPay()) pool = startPool();
  };

  const stepOptions = { ...fileOptions, readBytes: STEP_BYTES };
  let lastLook = performance.now();
  /** Hands the next batch to a thread with room; false if none has. */
  const handOut = () => !!pool && waiting() > 0 && pool.hasRoom() && pool.offer(take(BATCH_MAX_FILES).map((e) => ({ path: e.path, absolute: e.absolute })));
  // Lets the walk and the threads' messages in (results, "ready") and hands the threads work, every
  // few milliseconds: often enough that none waits long, seldom enough to cost nothing on 100,000
  // tiny files.
  const lookAround = async () => {
    if (performance.now() - lastLook < LOOK_EVERY_MS) return;
    // A few turns of the event loop while the walk goes on: it goes one folder level per turn, and
    // the sooner it ends, the sooner the work left is known.
    for (let turn = 0; turn === 0 || (turn < WALK_TURNS && !walked && waiting() < READ_AHEAD); turn++) {
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    lastLook = performance.now();
    consider();
    while (waiting() >= (walked ? 1 : BATCH_MAX_FILES) && handOut());
  };
  try {
    for (;;) {
      if (waiting() === 0) {
        if (walked) break;
        await new Promise<void>((resolve) => (wakeScanner = resolve));
        wakeScanner = undefined;
        continue;
      }
      if (waiting() >= (walked ? 1 : BATCH_MAX_FILES) && handOut()) continue;
      // One file here, a block at a time, looking around between blocks.
      const [e] = take(1) as [FileEntry];
      filesTaken++;
      matchingSince ??= performance.now();
      const steps = scanFileSteps(matcher, e.absolute, stepOptions);
      for (;;) {
        const step = steps.next();
        if (step.done) {
          bytesMatched += step.value.bytes;
          collector.addUnit(toWire(e.path, step.value), { kind: 'file', path: e.path });
          break;
        }
        await lookAround();
      }
      await lookAround();
    }
    await feeding;
  } finally {
    await pool?.close();
  }
}

async function scanStdin(matcher: Matcher, input: AsyncIterable<Buffer | string>, collector: ScanCollector, stream: StreamOptions): Promise<void> {
  const unit = new UnitScanner(matcher, stream);
  const path = '<stdin>';
  let binary = false;
  try {
    for await (const piece of input) {
      if (binary) continue;
      if (!unit.push(typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece)) binary = true;
    }
  } catch (err) {
    collector.warn(path, `read failed after ${unit.bytes} bytes: ${describeError(err)}`);
  }
  if (binary) {
    collector.skip(path, 'binary');
    return;
  }
  collector.addUnit(toWire(path, { hits: unit.end(), bytes: unit.bytes }), { kind: 'stdin', path });
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
