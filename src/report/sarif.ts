import { pathToFileURL } from 'node:url';
import type * as Sarif from 'sarif';
import type { ReportedFinding, Reporter, RuleInfo } from '../types.js';
import { levelOf, severityLevel } from './level.js';

/** GitHub code scanning reads `security-severity` (0–10) to rank alerts. */
const SECURITY_SEVERITY = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', info: '1.0' } as const;

/**
 * SARIF 2.1.0, validated in the tests against the official schema. Rules carry help with remediation;
 * results carry `partialFingerprints` (stable across line moves) and a region with column.
 */
export const sarifReporter: Reporter = (findings, run) => {
  const used = new Map<string, RuleInfo>();
  const ruleInfo = new Map(run.rules.map((r) => [r.id, r]));
  for (const f of findings) {
    if (!used.has(f.ruleId)) {
      used.set(f.ruleId, ruleInfo.get(f.ruleId) ?? { id: f.ruleId, name: f.ruleName, provider: f.provider, providerName: f.provider, severity: f.severity, references: [] });
    }
  }
  const rules = [...used.values()].sort((a, b) => a.id.localeCompare(b.id));
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const log: Sarif.Log = {
    version: '2.1.0',
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    runs: [
      {
        tool: {
          driver: {
            name: run.tool.name,
            version: run.tool.version,
            semanticVersion: run.tool.version,
            informationUri: 'https://github.com/keysweep/keysweep',
            rules: rules.map(toRule),
          },
        },
        originalUriBaseIds: { '%SRCROOT%': { uri: pathToFileURL(`${process.cwd()}/`).href } },
        invocations: [
          {
            executionSuccessful: true,
            toolExecutionNotifications: run.summary.warnings.map((w) => ({
              level: 'warning' as const,
              message: { text: w.message },
              locations: [{ physicalLocation: { artifactLocation: artifactLocation(w.path) } }],
            })),
          },
        ],
        results: findings.map((f) => toResult(f, index.get(f.ruleId) ?? 0)),
        columnKind: 'unicodeCodePoints',
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
};

function toRule(r: RuleInfo): Sarif.ReportingDescriptor {
  const remediation = r.remediation ?? `Revoke the ${r.providerName} credential at the provider, issue a new one, store it in a secret manager, and remove the leaked value from the code and its history.`;
  const links = r.references.map((u) => `- ${u}`).join('\n');
  const descriptor: Sarif.ReportingDescriptor = {
    id: r.id,
    name: pascalCase(r.id),
    shortDescription: { text: r.name },
    fullDescription: { text: r.description ?? `A ${r.name} was found in the code.` },
    help: {
      text: `${remediation}${links ? `\n\nReferences:\n${links}` : ''}`,
      markdown: `**${r.name}** (\`${r.id}\`)\n\n${remediation}${links ? `\n\n**References**\n\n${links}` : ''}`,
    },
    defaultConfiguration: { level: severityLevel(r.severity) },
    properties: {
      tags: ['security', 'secret', r.provider],
      precision: 'high',
      'security-severity': SECURITY_SEVERITY[r.severity],
      severity: r.severity,
    },
  };
  if (r.references[0]) descriptor.helpUri = r.references[0];
  return descriptor;
}

function toResult(f: ReportedFinding, ruleIndex: number): Sarif.Result {
  const verdict = f.verdict.status === 'unverified' ? '' : ` Verification: ${verdictSummary(f.verdict)}.`;
  return {
    ruleId: f.ruleId,
    ruleIndex,
    level: levelOf(f),
    message: { text: `${f.ruleName} found: ${f.secret}.${verdict}` },
    locations: [
      {
        physicalLocation: {
          artifactLocation: artifactLocation(f.file),
          region: {
            startLine: f.line,
            startColumn: f.column,
            snippet: { text: f.snippet },
          },
        },
      },
    ],
    partialFingerprints: { 'keysweep/v1': f.fingerprint, 'secretHash/v1': f.secretHash },
    properties: {
      severity: f.severity,
      secretHash: f.secretHash,
      secret: f.secret,
      redacted: f.redacted,
      verdict: f.verdict,
      ...(f.encoding ? { encoding: f.encoding } : {}),
      ...(f.origin.kind === 'git' ? { commit: f.origin.commit, author: f.origin.author, email: f.origin.email, date: f.origin.date } : {}),
    },
  };
}

/** `live (github.user: login=octo)`, `dead (github.user)`, `unknown (github.user: timeout after 10000 ms)`. */
function verdictSummary(v: ReportedFinding['verdict']): string {
  if (v.status === 'live') {
    const who = v.identity ? Object.entries(v.identity).map(([k, val]) => `${k}=${val}`).join(', ') : '';
    return `live (${v.verifier}${who ? `: ${who}` : ''})`;
  }
  if (v.status === 'unknown') return `unknown (${v.verifier}: ${v.reason})`;
  if (v.status === 'dead') return `dead (${v.verifier})`;
  return `unverified (${v.reason})`;
}

/** Relative paths resolve against %SRCROOT% (the working folder); absolute ones become file: URIs. */
function artifactLocation(path: string): Sarif.ArtifactLocation {
  const clean = path === '<stdin>' ? 'stdin' : path.replace(/^\.\//, '');
  if (clean.startsWith('/')) return { uri: pathToFileURL(clean).href };
  return { uri: clean.split('/').map(encodeURIComponent).join('/'), uriBaseId: '%SRCROOT%' };
}

function pascalCase(id: string): string {
  return id
    .split(/[.-]/)
    .map((w) => (w ? w[0]?.toUpperCase() + w.slice(1) : ''))
    .join('');
}
