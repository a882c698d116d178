// `npm run bench`: every benchmark in turn. Set BENCH_SKIP_SECRETLINT=1 to leave secretlint out.
await import('./startup.js');
await import('./hot-loop.js');
await import('./e2e.js');
