import { appendFileSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { describeError, KeysweepError, UsageError } from '../util/errors.js';
import { redactSecret } from '../util/redact.js';
import { VERSION } from '../version.js';
import type { VerifyEngine } from '../verify/index.js';
import { operatorFromEnv, revokeCredential, verdictWords, type RevokeOutcome } from '../verify/revoke.js';
import type { Credential } from '../verify/types.js';
import { EXIT_FINDINGS, EXIT_OK, type Io } from './io.js';
import { detectCredentials } from './verify.js';
import { createEngine, VERIFY_HELP, verifyOptions, type VerifyValues } from './verify-options.js';

export const revokeOptions = {
  from: { type: 'string' },
  all: { type: 'boolean' },
  yes: { type: 'boolean', short: 'y' },
  'audit-log': { type: 'string' },
  hash: { type: 'string', multiple: true },
  format: { type: 'string', short: 'f' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
  ...verifyOptions,
} as const;

export const REVOKE_HELP = `Usage: keysweep revoke [FILE…] [options]
       keysweep revoke --from REPORT.json [options]

Revokes the credentials found in the files (standard input by default), or the findings of a keysweep
JSON report. A dry run unless --yes: prints which request would go to which host (never the secret).
Each credential is verified first (a dead one is left alone); after revoking, it is verified again and
reported as "revoked (confirmed dead)" or with what went wrong.

      --from FILE          a keysweep JSON report: its findings verified live (all of them with --all).
                           A report holds secrets only if written with --show-secrets; otherwise each
                           secret is read again from the file the report names, if it is still there
      --all                with --from: every finding, not only those verified live
      --hash HASH          only the credential with this secretHash (repeatable)
  -y, --yes                really revoke (default: dry run)
      --audit-log FILE     append one JSON line per action: time, operator ($GITHUB_ACTOR or $USER), rule,
                           secret hash, provider, request host, result — never the secret
  -f, --format FORMAT      text (default) or json
  -q, --quiet              no warnings on standard error

${VERIFY_HELP}
Exit codes: 0 done (or dry run), 1 a revocation failed, was not confirmed, or a secret was not available,
2 usage or runtime error.
`;

type Values = VerifyValues & {
  from?: string | undefined;
  all?: boolean | undefined;
  yes?: boolean | undefined;
  'audit-log'?: string | undefined;
  hash?: string[] | undefined;
  format?: string | undefined;
  quiet?: boolean | undefined;
};

interface Target {
  ruleId: string;
  provider: string;
  secretHash: string;
  /** Where it was found, for the output. */
  where: string;
  credential?: Credential;
  /** Why the secret is not available. */
  unavailable?: string;
}

interface ResultRow {
  ruleId: string;
  provider: string;
  secret: string;
  secretHash: string;
  where: string;
  status: RevokeOutcome['status'] | 'unavailable';
  message: string;
  verifier?: string;
  requests: RevokeOutcome['requests'];
  docs: readonly string[];
  before?: RevokeOutcome['before'];
  after?: RevokeOutcome['after'];
}

export async function runRevoke(values: Values, positionals: string[], io: Io): Promise<number> {
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError(`--format ${format}: expected text or json`);
  if (values.all && !values.from) throw new UsageError('--all only applies to --from REPORT');
  const hashes = new Set((values.hash ?? []).flatMap((h) => h.split(',')).map((h) => h.trim()).filter(Boolean));
  for (const h of hashes) if (!/^[0-9a-f]{16}$/.test(h)) throw new UsageError(`--hash ${h}: expected the 16 hex digits of a finding's secretHash`);
  const auditLog = values['audit-log'];
  if (auditLog) {
    // Fail before acting, not after: an action without its audit record is worse than no action.
    try {
      appendFileSync(auditLog, '', { mode: 0o600 });
    } catch (err) {
      throw new KeysweepError('IO', `${auditLog}: cannot write the audit log: ${describeError(err)}`);
    }
  }

  const engine = await createEngine(values, io);
  try {
    let targets = values.from ? await targetsFromReport(values.from, values.all ?? false, io, values.quiet ?? false) : await targetsFromText(positionals.length ? positionals : ['-'], io, values.quiet ?? false);
    if (hashes.size) targets = targets.filter((t) => hashes.has(t.secretHash));
    const execute = values.yes ?? false;
    const rows: ResultRow[] = [];
    for (const t of targets) rows.push(await revokeTarget(t, engine, execute, auditLog));
    if (format === 'json') {
      io.stdout(`${JSON.stringify({ version: 1, tool: { name: 'keysweep', version: VERSION }, dryRun: !execute, results: rows }, null, 2)}\n`);
    } else {
      io.stdout(revokeText(rows, execute));
    }
    return rows.some((r) => r.status === 'failed' || r.status === 'revoked-unconfirmed' || r.status === 'unavailable') ? EXIT_FINDINGS : EXIT_OK;
  } finally {
    await engine.close();
  }
}

async function revokeTarget(t: Target, engine: VerifyEngine, execute: boolean, auditLog: string | undefined): Promise<ResultRow> {
  const base = { ruleId: t.ruleId, provider: t.provider, secretHash: t.secretHash, where: t.where, requests: [], docs: [] };
  if (!t.credential) {
    return { ...base, secret: `…#${t.secretHash.slice(0, 8)}`, status: 'unavailable', message: t.unavailable ?? 'secret not available' };
  }
  const o = await revokeCredential(t.credential, { engine, execute, auditLog, operator: operatorFromEnv() });
  const row: ResultRow = { ...base, secret: redactSecret(t.credential.secret), status: o.status, message: o.message, requests: o.requests, docs: o.docs };
  if (o.verifier) row.verifier = o.verifier;
  if (o.before) row.before = o.before;
  if (o.after) row.after = o.after;
  return row;
}

async function targetsFromText(paths: readonly string[], io: Io, quiet: boolean): Promise<Target[]> {
  const found = await detectCredentials(paths, io, quiet);
  return found.map(({ finding: f, locations }) => ({
    ruleId: f.ruleId,
    provider: f.provider,
    secretHash: f.secretHash,
    where: locations.map((l) => `${l.file}:${l.line}:${l.column}`).join(', '),
    credential: { ruleId: f.ruleId, provider: f.provider, secret: f.secret, parts: f.parts },
  }));
}

const reportSchema = z
  .object({
    findings: z.array(
      z
        .object({
          ruleId: z.string(),
          provider: z.string(),
          file: z.string(),
          line: z.number(),
          column: z.number(),
          secret: z.string(),
          redacted: z.boolean(),
          secretHash: z.string(),
          parts: z.record(z.string(), z.string()).optional(),
          origin: z.object({ kind: z.string() }).loose().optional(),
          verdict: z.object({ status: z.string() }).loose(),
        })
        .loose(),
    ),
  })
  .loose();

/**
 * The findings of a JSON report: verified live ones (all with --all). Redacted reports hold no secrets:
 * each is looked for again in the file the report names; if it is not there any more, say so.
 */
async function targetsFromReport(file: string, all: boolean, io: Io, quiet: boolean): Promise<Target[]> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new KeysweepError('IO', `${file}: cannot read the report: ${describeError(err)}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    // Not the parser's message: it quotes the text around the error, which may be a secret.
    throw new UsageError(`${file}: not valid JSON (expected a keysweep JSON report)`);
  }
  const parsed = reportSchema.safeParse(data);
  if (!parsed.success) throw new UsageError(`${file}: not a keysweep JSON report (write one with "keysweep scan --format json --verify")`);
  const selected = parsed.data.findings.filter((f) => all || f.verdict.status === 'live');
  if (selected.length === 0 && !all && parsed.data.findings.length > 0) {
    io.stderr(`keysweep: ${file}: no finding was verified live (scan with --verify, or pass --all)\n`);
  }
  const seen = new Set<string>();
  const targets: Target[] = [];
  const recover: Target[] = [];
  for (const f of selected) {
    const key = `${f.ruleId}\0${f.secretHash}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const t: Target = { ruleId: f.ruleId, provider: f.provider, secretHash: f.secretHash, where: `${f.file}:${f.line}:${f.column}` };
    if (!f.redacted) {
      t.credential = { ruleId: f.ruleId, provider: f.provider, secret: f.secret, parts: f.parts ?? {} };
    } else if (f.origin && f.origin.kind !== 'file') {
      t.unavailable = `secret not available: ${file} is redacted and the secret came from ${f.origin.kind === 'git' ? 'git history' : f.origin.kind}; write the report with --show-secrets, or pass the leaked text to "keysweep revoke"`;
    } else {
      recover.push(t);
    }
    targets.push(t);
  }
  if (recover.length) {
    const files = [...new Set(recover.map((t) => t.where.replace(/:\d+:\d+$/, '')))];
    const found = await detectCredentials(files, io, quiet);
    for (const t of recover) {
      const match = found.find((c) => c.finding.ruleId === t.ruleId && c.finding.secretHash === t.secretHash);
      if (match) {
        const f = match.finding;
        t.credential = { ruleId: f.ruleId, provider: f.provider, secret: f.secret, parts: f.parts };
      } else {
        t.unavailable = `secret not available: ${file} is redacted (written without --show-secrets) and ${t.where.replace(/:\d+:\d+$/, '')} no longer holds it; pass the leaked text to "keysweep revoke"`;
      }
    }
  }
  return targets;
}

function revokeText(rows: readonly ResultRow[], execute: boolean): string {
  if (rows.length === 0) return 'No credentials to revoke.\n';
  const out: string[] = [];
  for (const r of rows) {
    out.push(`${r.ruleId}  ${r.secret}  (${r.where})`);
    if (r.before) out.push(`  verdict    ${verdictWords(r.before)}${r.before.status === 'live' && r.before.identity ? ` (${Object.entries(r.before.identity).map(([k, v]) => `${k}=${v}`).join(', ')})` : ''}`);
    for (const req of r.requests) out.push(`  ${execute ? 'sent      ' : 'would send'} ${req.method} ${req.host} ${req.path}`);
    if (r.docs[0]) out.push(`  api docs   ${r.docs[0]}`);
    out.push(`  result     ${r.message}`);
    out.push('');
  }
  const count = (s: ResultRow['status']) => rows.filter((r) => r.status === s).length;
  if (!execute) {
    out.push(`Dry run: ${count('would-revoke')} credential(s) would be revoked, ${count('skipped')} skipped, ${count('unavailable')} without a secret. Nothing was sent; run again with --yes to revoke.`);
  } else {
    out.push(`${count('revoked')} revoked (confirmed dead), ${count('revoked-unconfirmed')} not confirmed, ${count('failed')} failed, ${count('skipped')} skipped, ${count('unavailable')} without a secret.`);
  }
  return `${out.join('\n')}\n`;
}
