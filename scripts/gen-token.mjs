#!/usr/bin/env node
// Prints fake, format-valid example tokens for rule examples. Random every run; never real keys.
// usage: node scripts/gen-token.mjs github ghp_   |  node scripts/gen-token.mjs random 32 [alphabet]
import { randomInt } from 'node:crypto';
const B62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const TABLE = new Uint32Array(256).map((_, n) => { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; return c >>> 0; });
const crc32 = (s) => { let c = 0xffffffff; for (const b of Buffer.from(s)) c = TABLE[(c ^ b) & 0xff] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };
const b62 = (n, w) => { let o = ''; while (n > 0) { o = B62[n % 62] + o; n = Math.floor(n / 62); } return o.padStart(w, '0'); };
const rnd = (n, alpha = B62) => Array.from({ length: n }, () => alpha[randomInt(alpha.length)]).join('');
const [kind, arg, alpha] = process.argv.slice(2);
if (kind === 'github') { const body = rnd(30); console.log(arg + body + b62(crc32(body), 6)); }
else if (kind === 'random') console.log(rnd(Number(arg), alpha ?? B62));
else console.error('usage: gen-token.mjs github PREFIX | random N [ALPHABET]');
