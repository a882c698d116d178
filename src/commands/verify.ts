import { loadRuleSet } from '../detect/rule-set.js';
import { scanPaths } from '../scan/index.js';
import type { Suppressions } from '../suppress.js';
import type { Finding, Verdict } from '../types.js';
import { redactSecret } from '../util/redact.js';
import { UsageError } from '../util/errors.js';
import { VERSION } from '../version.js';
import { countVerdicts, type VerifyEngine } from '../verify/index.js';
import { EXIT_FINDINGS, EXIT_OK, type Io } from './io.js';
import { createEngine, endpointFlags, shellQuote, VERIFY_HELP, verifyOptions, type VerifyValues } from './verify-options.js';

export const verifyCommandOptions = {
  format: { type: 'string', short: 'f' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
  ...verifyOptions,
} as const;

export const VERIFY_COMMAND_HELP = `Usage: keysweep verify [FILE…] [options]

Finds every credential in the text (standard input by default: a pasted chat message, a log excerpt, a
bare token), asks each provider whether it works, and prints per credential: rule, redacted value,
verdict (live, dead, unknown + reason, unverified + reason), identity (whose it is, what it reaches) and
the keysweep revoke command when the provider offers revocation.

  -f, --format FORMAT      text (default) or json
  -q, --quiet              no warnings on standard error

${VERIFY_HELP}
Exit codes: 0 nothing live, 1 at least one live credential, 2 usage or runtime error.
`;

type Values = VerifyValues & { format?: string | undefined; quiet?: boolean | undefined };

/** Nothing is suppressed in pasted text: a `keysweep:allow` there is not the reader's decision. */
export const NO_SUPPRESSIONS: Suppressions = {
  inline: false,
  fingerprints: new Set(),
  secretHashes: new Set(),
  pathGlobs: [],
  baseline: new Set(),
  allowRegexes: [],
  stopwords: [],
};

/** A distinct credential (rule + secret + parts) and where it was found. */
export interface FoundCredential {
  finding: Finding;
  locations: Array<{ file: string; line: number; column: number }>;
}

/** Detects the credentials in files or standard input, grouped by distinct credential. */
export async function detectCredentials(paths: readonly string[], io: Io, quiet: boolean): Promise<FoundCredential[]> {
  const rules = loadRuleSet();
  const result = await scanPaths({
    paths,
    rules,
    excludes: [],
    maxFileSize: 0,
    threads: 1,
    showSecrets: false,
    suppressions: NO_SUPPRESSIONS,
    stdin: io.stdin,
    onWarning: quiet ? undefined : (path, message) => io.stderr(`keysweep: warning: ${path}: ${message}\n`),
  });
  const groups = new Map<string, FoundCredential>();
  for (const f of result.findings) {
    const key = `${f.ruleId}\0${f.secretHash}\0${JSON.stringify(Object.entries(f.parts).sort())}`;
    const at = { file: f.origin.path, line: f.line, column: f.column };
    const g = groups.get(key);
    if (g) g.locations.push(at);
    else groups.set(key, { finding: f, locations: [at] });
  }
  return [...groups.values()];
}

export async function runVerify(values: Values, positionals: string[], io: Io): Promise<number> {
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError(`--format ${format}: expected text or json`);
  const paths = positionals.length ? positionals : ['-'];
  const engine = await createEngine(values, io);
  try {
    const found = await detectCredentials(paths, io, values.quiet ?? false);
    await engine.verifyFindings(found.map((c) => c.finding));
    const input = paths.map(shellQuote).join(' ');
    const rows = found.map((c) => describe(c, engine, `keysweep revoke --hash ${c.finding.secretHash}${endpointFlags(values)} --yes ${input}`));
    const counts = countVerdicts(found.map((c) => c.finding));
    if (format === 'json') {
      io.stdout(`${JSON.stringify({ version: 1, tool: { name: 'keysweep', version: VERSION }, credentials: rows, summary: { credentials: rows.length, ...counts } }, null, 2)}\n`);
    } else {
      io.stdout(verifyText(rows, counts, paths.includes('-')));
    }
    return counts.live > 0 ? EXIT_FINDINGS : EXIT_OK;
  } finally {
    await engine.close();
  }
}

interface Row {
  ruleId: string;
  ruleName: string;
  provider: string;
  severity: string;
  secret: string;
  secretHash: string;
  parts?: Record<string, string>;
  verdict: Verdict;
  locations: FoundCredential['locations'];
  /** Present when the provider offers revocation through keysweep. */
  revoke?: { command: string; docs: readonly string[] };
}

function describe(c: FoundCredential, engine: VerifyEngine, command: string): Row {
  const f = c.finding;
  const row: Row = {
    ruleId: f.ruleId,
    ruleName: f.ruleName,
    provider: f.provider,
    severity: f.severity,
    secret: redactSecret(f.secret),
    secretHash: f.secretHash,
    verdict: f.verdict,
    locations: c.locations,
  };
  if (Object.keys(f.parts).length) row.parts = Object.fromEntries(Object.entries(f.parts).map(([k, v]) => [k, redactSecret(v)]));
  const choice = engine.verifierFor({ ruleId: f.ruleId, provider: f.provider, secret: f.secret, parts: f.parts });
  const revoker = 'verifier' in choice ? choice.verifier.revoker : undefined;
  if (revoker && f.verdict.status !== 'dead') row.revoke = { command, docs: revoker.docs };
  return row;
}

export function verdictLine(v: Verdict): string {
  switch (v.status) {
    case 'live':
      return `LIVE  (verified by ${v.verifier})`;
    case 'dead':
      return `dead  (verified by ${v.verifier})`;
    case 'unknown':
      return `unknown: ${v.reason}  (${v.verifier})`;
    case 'unverified':
      return `unverified: ${v.reason}`;
  }
}

function verifyText(rows: readonly Row[], counts: ReturnType<typeof countVerdicts>, stdin: boolean): string {
  if (rows.length === 0) return 'No credentials found.\n';
  const out: string[] = [];
  for (const r of rows) {
    out.push(`${r.ruleName} [${r.ruleId}]`);
    out.push(`  secret     ${r.secret}`);
    for (const [name, value] of Object.entries(r.parts ?? {})) out.push(`  ${name.padEnd(10)} ${value}`);
    out.push(`  verdict    ${verdictLine(r.verdict)}`);
    if (r.verdict.status === 'live' && r.verdict.identity) {
      for (const [k, v] of Object.entries(r.verdict.identity)) out.push(`  ${k.padEnd(10)} ${v}`);
    }
    for (const at of r.locations) out.push(`  found at   ${at.file}:${at.line}:${at.column}`);
    if (r.revoke) out.push(`  revoke     ${r.revoke.command}${stdin ? '   (with the same text on standard input)' : ''}`);
    out.push('');
  }
  out.push(`${rows.length} credential(s): ${counts.live} live, ${counts.dead} dead, ${counts.unknown} unknown, ${counts.unverified} unverified.`);
  return `${out.join('\n')}\n`;
}
