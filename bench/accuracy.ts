import { randomInt } from 'node:crypto';
import { Matcher } from '../src/detect/match.js';
import { loadRules, type Rule } from '../src/detect/rules.js';
import { BUILTIN_PATTERNS_DIR } from '../src/util/paths.js';
import { scanBuffer } from '../src/scan/scan-bytes.js';

/**
 * bench/accuracy: a labelled corpus built here, every run afresh. For each rule, new fake secrets of
 * the same shape as its examples' secrets (same prefix and separators, every other character replaced
 * at random from the same class; checksums recomputed where the rule has one we can generate) are
 * placed in realistic files — .env, YAML, source code, JSON logs, notebooks, chat exports, Kubernetes
 * Secrets (base64) — next to decoys: the rules' negative examples, broken checksums, placeholders,
 * hashes, UUIDs and random identifiers. Prints recall and false positives per 100 decoys, per container
 * and per rule (worst first).
 *
 *   node dist/bench/accuracy.js [--rounds N] [--verbose]
 */
const roundsAt = process.argv.indexOf('--rounds');
const rounds = roundsAt >= 0 ? Number(process.argv[roundsAt + 1]) : 3;
if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds N: a whole number of at least 1');
const verbose = process.argv.includes('--verbose');
// Read from the YAML (not the start-up cache): the examples are the models for the generated secrets.
const rules = loadRules([BUILTIN_PATTERNS_DIR], { validatePatterns: true });
const matcher = new Matcher(rules);

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGIT = '0123456789';
const HEX = '0123456789abcdef';
const pick = (alphabet: string) => alphabet[randomInt(alphabet.length)] as string;

/** The secret of each positive example, as the rule itself extracts it. */
function exampleSecrets(rule: Rule): Array<{ line: string; secret: string }> {
  const out: Array<{ line: string; secret: string }> = [];
  const own = new Matcher([rule, ...rules.filter((r) => rule.requires.some((q) => q.rule === r.id))], false);
  for (const line of rule.examples.positive) {
    const hit = own.rawHits(Buffer.from(line), own.candidateRules(Buffer.from(line))).find((h) => h.rule === rule && !h.rejected);
    if (hit) out.push({ line, secret: hit.secret });
  }
  return out;
}

/** A random secret with the shape of `model`: keyword prefix and punctuation kept, the rest re-drawn. */
function reshape(rule: Rule, model: string): string {
  const lower = model.toLowerCase();
  let keep = 0;
  for (const k of rule.keywords) if (lower.startsWith(k.toLowerCase())) keep = Math.max(keep, k.length);
  // Hex stays hex (ignoring separators, as in UUIDs); anything else keeps its character classes.
  const alnum = model.slice(keep).replace(/[^0-9A-Za-z]/g, '');
  const isHex = /^[0-9a-f]*$/.test(alnum) || /^[0-9A-F]*$/.test(alnum);
  let out = model.slice(0, keep);
  for (const ch of model.slice(keep)) {
    if (isHex && /[0-9a-fA-F]/.test(ch)) out += ch === ch.toUpperCase() && /[A-F]/.test(ch) ? pick(HEX).toUpperCase() : pick(HEX);
    else if (/[a-z]/.test(ch)) out += pick(LOWER);
    else if (/[A-Z]/.test(ch)) out += pick(UPPER);
    else if (/[0-9]/.test(ch)) out += pick(DIGIT);
    else out += ch;
  }
  return out;
}

/** New secrets for a rule that pass its filters (tries a few draws; checksummed formats rarely do). */
function freshSecret(rule: Rule, model: { line: string; secret: string }): string | undefined {
  for (let attempt = 0; attempt < 40; attempt++) {
    const candidate = reshape(rule, model.secret);
    const line = model.line.split(model.secret).join(candidate);
    const own = new Matcher([rule, ...rules.filter((r) => rule.requires.some((q) => q.rule === r.id))], false);
    if (own.find(Buffer.from(line)).some((c) => c.rule === rule && c.secret === candidate)) return candidate;
  }
  return undefined;
}

type Container = (line: string) => { name: string; text: string };
const jsonString = (s: string) => JSON.stringify(s);
const CONTAINERS: Record<string, Container> = {
  env: (line) => ({ name: '.env', text: `# service configuration\nNODE_ENV=production\n${line}\nPORT=8080\n` }),
  yaml: (line) => ({ name: 'config.yml', text: `service:\n  name: billing\n  replicas: 3\n# credentials\n${line}\n` }),
  source: (line) => ({ name: 'settings.py', text: `import os\n\nDEBUG = False\n${line}\n\ndef main():\n    return DEBUG\n` }),
  jsonLog: (line) => ({ name: 'app.log', text: `${JSON.stringify({ ts: '2026-11-01T10:00:00Z', level: 'info', msg: 'started' })}\n${JSON.stringify({ ts: '2026-11-01T10:00:01Z', level: 'debug', msg: `loaded config: ${line}` })}\n` }),
  notebook: (line) => ({ name: 'analysis.ipynb', text: `{"cells":[{"cell_type":"code","source":["import pandas as pd\\n",${jsonString(`${line}\n`)}]}],"nbformat":4}` }),
  slackExport: (line) => ({ name: 'general/2026-11-01.json', text: `[{"type":"message","user":"U024BE7LH","text":"deploy is failing"},{"type":"message","user":"U0G9QF9C6","text":${jsonString(`try this: ${line}`)}}]` }),
  k8sSecret: (line) => ({ name: 'secret.yaml', text: `apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\ntype: Opaque\ndata:\n  config: ${Buffer.from(`${line}\n`).toString('base64')}\n` }),
};

function decoysFor(rule: Rule, model: { line: string; secret: string } | undefined): string[] {
  const decoys = [...rule.examples.negative];
  if (model) {
    const line = model.line;
    decoys.push(line.split(model.secret).join(`${model.secret.slice(0, 4)}${'x'.repeat(Math.max(0, model.secret.length - 4))}`));
    decoys.push(line.split(model.secret).join('${SECRET_FROM_VAULT}'));
    decoys.push(line.split(model.secret).join('<your-key-here>'));
    if (rule.checksum) {
      const fresh = freshSecret(rule, model);
      if (fresh) {
        const last = fresh.at(-1) as string;
        decoys.push(line.split(model.secret).join(fresh.slice(0, -1) + (last === 'A' ? 'B' : 'A')));
      }
    }
  }
  return decoys;
}

const GENERAL_DECOYS = (): string[] => [
  `commit ${Array.from({ length: 40 }, () => pick(HEX)).join('')}`,
  `"integrity": "sha512-${Buffer.from(Array.from({ length: 64 }, () => randomInt(256))).toString('base64')}"`,
  `id: ${crypto.randomUUID()}`,
  `h1:${Buffer.from(Array.from({ length: 32 }, () => randomInt(256))).toString('base64')}`,
  `const elementIdentifierForTheMainNavigationBar = document.getElementById("nav");`,
  `checksum = "${Array.from({ length: 64 }, () => pick(HEX)).join('')}"`,
  `image: registry.acme.io/app@sha256:${Array.from({ length: 64 }, () => pick(HEX)).join('')}`,
];

interface Tally {
  planted: number;
  found: number;
  decoys: number;
  falsePositives: number;
  misses: string[];
  fps: string[];
}
const perRule = new Map<string, Tally>();
const perContainer = new Map<string, { planted: number; found: number }>();
let skipped = 0;
const tally = (id: string) => {
  let t = perRule.get(id);
  if (!t) perRule.set(id, (t = { planted: 0, found: 0, decoys: 0, falsePositives: 0, misses: [], fps: [] }));
  return t;
};

for (let round = 0; round < rounds; round++) {
  for (const rule of rules) {
    const models = exampleSecrets(rule);
    if (!rule.standalone) continue;
    const t = tally(rule.id);
    for (const model of models) {
      const secret = freshSecret(rule, model);
      if (!secret) {
        skipped++;
        if (verbose) console.log(`  cannot regenerate ${rule.id}: ${model.secret.slice(0, 12)}…`);
        continue;
      }
      const line = model.line.split(model.secret).join(secret);
      for (const [kind, wrap] of Object.entries(CONTAINERS)) {
        if (line.includes('\n') && kind === 'k8sSecret') continue;
        const file = wrap(line);
        const hits = scanBuffer(matcher, Buffer.from(file.text)).hits;
        const ok = hits.some((h) => h.secret === secret || h.secret.includes(secret) || Object.values(h.parts).includes(secret));
        t.planted++;
        if (ok) t.found++;
        else if (t.misses.length < 3) t.misses.push(`${kind}: ${line.slice(0, 120)}`);
        const c = perContainer.get(kind) ?? { planted: 0, found: 0 };
        c.planted++;
        if (ok) c.found++;
        perContainer.set(kind, c);
      }
    }
    // A rule's own negative examples are look-alikes of that rule: a false positive if that rule
    // reports them (another rule may rightly report e.g. a sandbox key that is not a live key).
    // Constructed decoys (placeholder, template reference, broken checksum in place of the secret)
    // must not be reported by any rule — except for other values of the example line left as they were
    // (e.g. the key id next to a replaced secret).
    const negatives = new Set(rule.examples.negative);
    const model = models[0];
    for (const decoy of decoysFor(rule, model)) {
      const all = scanBuffer(matcher, Buffer.from(`# unrelated\n${decoy}\n`)).hits;
      // For negatives: the rule itself (its tests forbid that) or another provider's specific rule
      // taking a look-alike for its own key; the generic rules and sibling rules of the same provider
      // (a sandbox key next to a live-key rule) may rightly report it.
      const hits = negatives.has(decoy)
        ? all.filter((h) => h.rule === rule || (h.rule.provider !== rule.provider && !h.rule.fallback))
        : all.filter((h) => !model?.line.includes(h.secret) || h.secret === model.secret);
      t.decoys++;
      if (hits.length) {
        t.falsePositives++;
        if (t.fps.length < 3) t.fps.push(`${decoy.slice(0, 100)} → ${hits.map((h) => h.rule.id).join(', ')}`);
      }
    }
  }
  const general = tally('(general decoys)');
  for (const decoy of GENERAL_DECOYS()) {
    const hits = scanBuffer(matcher, Buffer.from(`${decoy}\n`)).hits;
    general.decoys++;
    if (hits.length) {
      general.falsePositives++;
      if (general.fps.length < 5) general.fps.push(`${decoy.slice(0, 100)} → ${hits.map((h) => h.rule.id).join(', ')}`);
    }
  }
}

const all = [...perRule.values()];
const planted = all.reduce((n, t) => n + t.planted, 0);
const found = all.reduce((n, t) => n + t.found, 0);
const decoys = all.reduce((n, t) => n + t.decoys, 0);
const fps = all.reduce((n, t) => n + t.falsePositives, 0);
console.log(`accuracy: ${rules.length} rules, ${rounds} round(s), ${planted} planted secrets, ${decoys} decoys (${skipped} examples could not be regenerated)`);
console.log(`  recall ${((100 * found) / planted).toFixed(1)} %   false positives ${((100 * fps) / decoys).toFixed(2)} per 100 decoys`);
console.log('| container | planted | recall |');
console.log('| --- | ---: | ---: |');
for (const [kind, c] of perContainer) console.log(`| ${kind} | ${c.planted} | ${((100 * c.found) / c.planted).toFixed(1)} % |`);
const worst = [...perRule].filter(([, t]) => t.found < t.planted || t.falsePositives > 0).sort((a, b) => a[1].found / (a[1].planted || 1) - b[1].found / (b[1].planted || 1));
console.log(`rules with misses or false positives: ${worst.length}`);
for (const [id, t] of worst.slice(0, verbose ? worst.length : 25)) {
  console.log(`  ${id}: recall ${t.found}/${t.planted}, false positives ${t.falsePositives}/${t.decoys}`);
  if (verbose) for (const m of [...t.misses, ...t.fps]) console.log(`      ${m}`);
}
