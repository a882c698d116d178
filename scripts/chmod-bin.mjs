// Makes the built CLI executable, so `npx keysweep` and the bin link work after `npm ci`.
import { chmodSync } from 'node:fs';
chmodSync(new URL('../dist/bin/keysweep.cjs', import.meta.url), 0o755);
