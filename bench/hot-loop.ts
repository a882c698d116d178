import { Bench } from 'tinybench';
import { Matcher } from '../src/detect/match.js';
import { KeywordAutomaton } from '../src/detect/keyword-automaton.js';
import { loadRuleSet } from '../src/detect/rule-set.js';
import { corpusBuffers, totalBytes } from './corpus.js';

/**
 * The hot loop, in process, on one thread: the full rule set over the corpus (already in memory), next
 * to the keyword prefilter alone and a plain pass over the bytes. Prints MB/s per task.
 */
const buffers = corpusBuffers();
const bytes = totalBytes(buffers);
const rules = loadRuleSet();
const matcher = new Matcher(rules);
const keywords = new KeywordAutomaton([...new Set(rules.flatMap((r) => r.keywords.map((k) => k.toLowerCase())))]);
for (const b of buffers) matcher.find(b); // compile every rule and warm the DFAs

const bench = new Bench({ iterations: 5, warmupIterations: 1 });
bench
  .add('full rule set (Matcher.find)', () => {
    for (const b of buffers) matcher.find(b);
  })
  .add('keyword automaton only', () => {
    for (const b of buffers) keywords.find(b, Math.max(64, b.length >>> 11));
  })
  .add('byte pass (indexOf newline)', () => {
    let n = 0;
    for (const b of buffers) for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, i + 1)) n++;
    return n;
  });
await bench.run();

console.log(`hot loop: ${rules.length} rules, ${(bytes / 1e6).toFixed(1)} MB of text in ${buffers.length} files, one thread`);
for (const task of bench.tasks) {
  const result = task.result as { latency?: { mean: number } } | undefined;
  const mean = result?.latency?.mean;
  if (!mean) continue;
  console.log(`  ${task.name.padEnd(32)} ${(bytes / 1e6 / (mean / 1000)).toFixed(1).padStart(8)} MB/s`);
}
