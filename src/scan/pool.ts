import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { FileTask, FromWorker, ToWorker, WireResult, WorkerInit } from './protocol.js';

/**
 * The matching thread's script: next to this code in the bundle (dist/bin/worker.cjs) or in tsc's
 * output (dist/src/scan/worker.js). From the TypeScript sources (tests) the built copy is used: worker
 * threads cannot load .ts files.
 */
export function workerScript(): URL {
  for (const candidate of ['./worker.cjs', './worker.js', '../../dist/src/scan/worker.js']) {
    const url = new URL(candidate, import.meta.url);
    if (existsSync(fileURLToPath(url))) return url;
  }
  throw new Error('keysweep: worker script not found; run `npm run build` first');
}

interface Slot {
  worker: Worker;
  busy: { batch: number; files: FileTask[] } | undefined;
}

/**
 * A fixed set of matching threads fed with batches of files. `submit` resolves when a thread has taken
 * the batch, so the caller (which enumerates files) never runs far ahead of the matchers.
 */
export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly waiting: Array<() => void> = [];
  private nextBatch = 0;
  private closed = false;
  private pendingDone: (() => void) | undefined;

  constructor(
    size: number,
    private readonly init: WorkerInit,
    private readonly onResults: (results: WireResult[]) => void,
    private readonly onCrash: (files: FileTask[], message: string) => void,
  ) {
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  private spawn(): Slot {
    const slot: Slot = { worker: new Worker(workerScript(), { workerData: this.init }), busy: undefined };
    slot.worker.on('message', (msg: FromWorker) => {
      if (msg.type !== 'done') return;
      slot.busy = undefined;
      this.onResults(msg.results);
      this.release();
    });
    const fail = (message: string) => {
      if (this.closed && !slot.busy) return;
      const lost = slot.busy;
      slot.busy = undefined;
      if (lost) this.onCrash(lost.files, message);
      const index = this.slots.indexOf(slot);
      if (index >= 0 && !this.closed) this.slots[index] = this.spawn();
      this.release();
    };
    slot.worker.on('error', (err) => fail(`matching thread failed: ${err.message}`));
    slot.worker.on('exit', (code) => {
      if (code !== 0) fail(`matching thread exited with code ${code}`);
    });
    return slot;
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    if (this.pendingDone && this.slots.every((s) => !s.busy)) this.pendingDone();
  }

  async submit(files: FileTask[]): Promise<void> {
    for (;;) {
      const slot = this.slots.find((s) => !s.busy);
      if (slot) {
        const batch = this.nextBatch++;
        slot.busy = { batch, files };
        slot.worker.postMessage({ type: 'scan', batch, files } satisfies ToWorker);
        return;
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  /** Waits for every submitted batch, then stops the threads. */
  async close(): Promise<void> {
    if (this.slots.some((s) => s.busy)) {
      await new Promise<void>((resolve) => (this.pendingDone = resolve));
    }
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
