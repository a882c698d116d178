// `npm run bench`: the quick benchmarks in turn. Set BENCH_SKIP_SECRETLINT=1 to leave secretlint out.
// The long ones run on their own: node dist/bench/{history,memory,accuracy,benign}.js
await import('./startup.js');
await import('./hot-loop.js');
await import('./e2e.js');
