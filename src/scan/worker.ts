import { parentPort, workerData } from 'node:worker_threads';
import { Matcher } from '../detect/match.js';
import { Rule } from '../detect/rules.js';
import { toWire, type FromWorker, type ToWorker, type WorkerInit } from './protocol.js';
import { scanFile } from './scan-file.js';

// A matching thread: compiles the rule set once, then scans the batches of files it is sent.
const init = workerData as WorkerInit;
const matcher = new Matcher(init.rules.map((spec) => Rule.fromSpec(spec)));

parentPort?.on('message', (msg: ToWorker) => {
  const results = msg.files.map((file) => toWire(file.path, scanFile(matcher, file.absolute, init.options)));
  parentPort?.postMessage({ type: 'done', batch: msg.batch, results } satisfies FromWorker);
});
