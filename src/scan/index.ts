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
import { scanFile, scanFileSteps } from './scan-file.js';

export interface ScanOptions {
  /** Files and folders; `-` reads standard input. */
  paths: readonly string[];
  rules: readonly Rule[];
  excludes: readonly string[];
  /** Bytes; 0 = no limit. */
  maxFileSize: number;
  /** Matching threads; 0 = one per core. Small scans always run on the main thread. */
  threads: number;
  showSecrets: boolean;
  suppressions: Suppressions;
  stream?: StreamOptions;
  stdin?: AsyncIterable<Buffer | string>;
  /** Called once per warning as it happens (e.g. to print progress to stderr). */
  onWarning?: (path: string, message: string) => void;
  /** Matching threads started early (see startHelpers); closed by the scan. */
  helpers?: WorkerPool;
}

/**
 * Starts the matching threads for a scan of folders before the rules load, so that they boot while
 * this thread starts up. A scan that turns out small closes them unused.
 */
export function startHelpers(threads: number): WorkerPool | undefined {
  const size = (threads > 0 ? threads : availableParallelism()) - 1;
  return size > 0 ? new WorkerPool(size) : undefined;
}

export interface ScanResult {
  findings: Finding[];
  summary: ScanSummary;
}

/** Below these, starting threads costs more than it saves (a pre-commit check must feel instant). */
const INLINE_MAX_FILES = 500;
const INLINE_MAX_BYTES = 8 << 20;
const BATCH_MAX_FILES = 8;
/** What the main thread reads (and matches) at a time, between looks at the threads. */
const STEP_BYTES = 256 << 10;
const LOOK_EVERY_MS = 4;

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

  const threads = options.threads > 0 ? options.threads : availableParallelism();
  const startPool = (pool: WorkerPool) => {
    pool.start(
      { rules: options.rules.map((r) => r.toSpec()), options: fileOptions },
      (results) => results.forEach((r) => collector.addUnit(r, { kind: 'file', path: r.path })),
      (files, message) => files.forEach((f) => collector.warn(f.path, `not scanned: ${message}`)),
    );
    return pool;
  };
  // Small scans stay on this thread: a thread that has only just started matches its first files
  // far slower than this one (it compiles and warms up), so it would only add a tail. Look at the
  // first entries to decide.
  const head: FileEntry[] = [];
  let headBytes = 0;
  let exhausted = false;
  for (;;) {
    const next = await entries.next();
    if (next.done) {
      exhausted = true;
      break;
    }
    if (collector.isIgnored(next.value)) {
      collector.skip(next.value.path, 'ignored');
      continue;
    }
    head.push(next.value);
    headBytes += next.value.size || sizeOf(next.value.absolute);
    if (head.length > INLINE_MAX_FILES || headBytes > INLINE_MAX_BYTES) break;
  }
  if (exhausted || threads <= 1) {
    const scanOne = (e: FileEntry) => collector.addUnit(toWire(e.path, scanFile(matcher, e.absolute, fileOptions)), { kind: 'file', path: e.path });
    head.forEach(scanOne);
    if (!exhausted) {
      for await (const e of entries) {
        if (collector.isIgnored(e)) collector.skip(e.path, 'ignored');
        else scanOne(e);
      }
    }
    return collector.finish();
  }

  // This thread matches too; threads - 1 helpers take batches as they have room (see WorkerPool).
  const pool = startPool(options.helpers ?? new WorkerPool(threads - 1));
  try {
    // Files wait here; a batch goes to a thread with room, otherwise this thread scans one file and
    // looks again, so a helper is never left waiting behind a long batch of the main thread's.
    const queue: FileEntry[] = [];
    const stepOptions = { ...fileOptions, readBytes: STEP_BYTES };
    let lastLook = performance.now();
    /** Hands the next batch to a thread with room; false if none has. */
    const handOut = () => pool.hasRoom() && pool.offer(queue.splice(0, BATCH_MAX_FILES).map((e) => ({ path: e.path, absolute: e.absolute })));
    // Lets the threads' messages in (results, "ready") and hands them work, every few milliseconds:
    // often enough that none waits long, seldom enough to cost nothing on 100,000 tiny files.
    const lookAround = async () => {
      if (performance.now() - lastLook < LOOK_EVERY_MS) return;
      await new Promise<void>((resolve) => setImmediate(resolve));
      lastLook = performance.now();
      while (queue.length > 0 && handOut());
    };
    const pump = async (final: boolean) => {
      while (queue.length >= (final ? 1 : BATCH_MAX_FILES)) {
        if (handOut()) continue;
        // One file here, a block at a time, looking around between blocks.
        const e = queue.shift() as FileEntry;
        const steps = scanFileSteps(matcher, e.absolute, stepOptions);
        for (;;) {
          const step = steps.next();
          if (step.done) {
            collector.addUnit(toWire(e.path, step.value), { kind: 'file', path: e.path });
            break;
          }
          await lookAround();
        }
      }
    };
    for (const e of head) queue.push(e);
    await pump(false);
    for await (const e of entries) {
      if (collector.isIgnored(e)) {
        collector.skip(e.path, 'ignored');
        continue;
      }
      queue.push(e);
      await pump(false);
    }
    await pump(true);
  } finally {
    await pool.close();
  }
  return collector.finish();
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
