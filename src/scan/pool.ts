import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import type { Worker } from 'node:worker_threads';
import type { FileTask, FromWorker, ToWorker, WireResult, WorkerInit } from './protocol.js';

/**
 * The matching thread's script: next to this code in the bundle (dist/bin/worker.cjs) or in tsc's
 * output (dist/src/scan/worker.js). From the TypeScript sources (tests) the built copy is used: worker
 * threads cannot load .ts files.
 */
/**
 * The Worker class, loaded when the first thread starts: a scan that never starts one (a pre-commit
 * check) does not pay for loading worker_threads.
 */
export function newWorker(script: URL, options?: ConstructorParameters<typeof Worker>[1]): Worker {
  const { Worker: WorkerClass } = createRequire(import.meta.url)('node:worker_threads') as typeof import('node:worker_threads');
  return new WorkerClass(script, options);
}

export function workerScript(): URL {
  for (const candidate of ['./worker.cjs', './worker.js', '../../dist/src/scan/worker.js']) {
    const url = new URL(candidate, import.meta.url);
    if (existsSync(fileURLToPath(url))) return url;
  }
  throw new Error('keysweep: worker script not found; run `npm run build` first');
}

interface Slot {
  worker: Worker;
  /** Set when the thread has compiled its rules and said so: until then it is given nothing. */
  ready: boolean;
  inFlight: Map<number, FileTask[]>;
}

/**
 * Matching threads that help the main thread: `offer` hands a batch to a thread that has room (each
 * holds up to `depth` batches, so it never waits for the next one) and returns false when none has,
 * and the caller scans that batch itself. The main thread is never idle, and threads that are still
 * starting (a Node thread takes a few hundred ms on a small machine) cost the scan nothing.
 */
export class WorkerPool {
  private readonly slots: Slot[] = [];
  private nextBatch = 0;
  private closed = false;
  private whenIdle: (() => void) | undefined;
  private init: WorkerInit | undefined;
  private onResults: (results: WireResult[]) => void = () => undefined;
  private onCrash: (files: FileTask[], message: string) => void = () => undefined;

  /**
   * Starts `size` threads at once. They boot (a few hundred ms on a small machine) while the caller
   * loads the rules; `start` then hands them the rule set.
   */
  constructor(
    size: number,
    private readonly depth = 2,
  ) {
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  start(init: WorkerInit, onResults: (results: WireResult[]) => void, onCrash: (files: FileTask[], message: string) => void): void {
    this.init = init;
    this.onResults = onResults;
    this.onCrash = onCrash;
    for (const slot of this.slots) slot.worker.postMessage({ type: 'init', init } satisfies ToWorker);
  }

  private spawn(): Slot {
    const slot: Slot = { worker: newWorker(workerScript()), ready: false, inFlight: new Map() };
    if (this.init) slot.worker.postMessage({ type: 'init', init: this.init } satisfies ToWorker);
    slot.worker.on('message', (msg: FromWorker) => {
      if (msg.type === 'ready') {
        slot.ready = true;
        return;
      }
      if (msg.type !== 'done') return;
      slot.inFlight.delete(msg.batch);
      this.onResults(msg.results);
      this.settle();
    });
    const fail = (message: string) => {
      if (this.closed && slot.inFlight.size === 0) return;
      const lost = [...slot.inFlight.values()].flat();
      slot.inFlight.clear();
      if (lost.length) this.onCrash(lost, message);
      const index = this.slots.indexOf(slot);
      if (index >= 0 && !this.closed) this.slots[index] = this.spawn();
      this.settle();
    };
    slot.worker.on('error', (err) => fail(`matching thread failed: ${err.message}`));
    slot.worker.on('exit', (code) => {
      if (code !== 0) fail(`matching thread exited with code ${code}`);
    });
    return slot;
  }

  private settle(): void {
    if (this.whenIdle && this.slots.every((s) => s.inFlight.size === 0)) this.whenIdle();
  }

  /** Batches handed out so far. */
  get batchesOffered(): number {
    return this.nextBatch;
  }

  hasRoom(): boolean {
    return this.slots.some((s) => s.ready && s.inFlight.size < this.depth);
  }

  /** Gives the batch to the least loaded ready thread with room; false if there is none. */
  offer(files: FileTask[]): boolean {
    let best: Slot | undefined;
    for (const slot of this.slots) {
      if (!slot.ready || slot.inFlight.size >= this.depth) continue;
      if (!best || slot.inFlight.size < best.inFlight.size) best = slot;
    }
    if (!best) return false;
    const batch = this.nextBatch++;
    best.inFlight.set(batch, files);
    best.worker.postMessage({ type: 'scan', batch, files } satisfies ToWorker);
    return true;
  }

  /** Waits for every batch handed out, then stops the threads. Closing twice is harmless. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.slots.some((s) => s.inFlight.size > 0)) {
      await new Promise<void>((resolve) => (this.whenIdle = resolve));
    }
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
