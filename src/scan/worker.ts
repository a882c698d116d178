import { parentPort, workerData } from 'node:worker_threads';
import { Matcher } from '../detect/match.js';
import { Rule } from '../detect/rules.js';
import { BlobReader } from '../git/blob-reader.js';
import { scanBlob } from '../git/scan-blob.js';
import { toWire, type BlobWire, type FromWorker, type ToWorker, type WorkerInit } from './protocol.js';
import { scanFile } from './scan-file.js';

// A matching thread: compiles the rule set once, then scans the batches of files it is sent. The rule
// set comes with the thread (workerData) or, for a thread started before the rules were loaded, as
// the first message.
let init = workerData as WorkerInit | undefined;
let matcher: Matcher | undefined;

function start(given: WorkerInit): void {
  init = given;
  matcher = new Matcher(given.rules.map((spec) => Rule.fromSpec(spec)));
  parentPort?.postMessage({ type: 'ready' } satisfies FromWorker);
}
if (init) start(init);

const readers = new Map<string, BlobReader>();

parentPort?.on('message', (msg: ToWorker) => {
  if (msg.type === 'init') {
    start(msg.init);
    return;
  }
  if (msg.type === 'close') {
    // Ends each cat-file (its input closes), then the thread, once nothing is left running.
    readers.forEach((r) => r.close());
    parentPort?.close();
    return;
  }
  if (!init || !matcher) throw new Error('matching thread: work before its rules');
  if (msg.type === 'scan') {
    const { options } = init;
    const results = msg.files.map((file) => toWire(file.path, scanFile(matcher as Matcher, file.absolute, options)));
    parentPort?.postMessage({ type: 'done', batch: msg.batch, results } satisfies FromWorker);
    return;
  }
  let reader = readers.get(msg.repo);
  if (!reader) readers.set(msg.repo, (reader = new BlobReader(msg.repo)));
  void scanBlob(reader, msg.sha, matcher, { stream: init.options, maxFileSize: init.options.maxFileSize ?? 0 }).then((scanned) => {
    const result: BlobWire =
      scanned.status === 'scanned'
        ? { status: 'scanned', hits: toWire(msg.path, { hits: scanned.unit.end(), bytes: scanned.unit.bytes }).hits, bytes: scanned.unit.bytes }
        : scanned;
    parentPort?.postMessage({ type: 'blob-done', id: msg.id, result } satisfies FromWorker);
  });
});

