import type { Severity } from './detect/rule-schema.js';

export type { Severity } from './detect/rule-schema.js';

/** Where a finding was found. `path` is always the file path a user would open. */
export type Origin =
  | { kind: 'file'; path: string }
  | { kind: 'stdin'; path: string }
  | {
      kind: 'git';
      path: string;
      commit: string;
      author: string;
      email: string;
      date: string;
      /** Set when a later commit no longer carries the secret at this path. */
      removedIn?: string;
    }
  | { kind: 'diff'; path: string; range: string };

/** The outcome of asking the provider about a credential. */
export type Verdict =
  | { status: 'live'; verifier: string; identity?: Record<string, string> }
  | { status: 'dead'; verifier: string }
  | { status: 'unknown'; verifier: string; reason: string }
  | { status: 'unverified'; reason: string };

/**
 * A secret found at one place. Holds the raw secret: it never leaves the process except through
 * `toReported`, which redacts unless the user asked for `--show-secrets`.
 */
export interface Finding {
  ruleId: string;
  ruleName: string;
  provider: string;
  severity: Severity;
  origin: Origin;
  line: number;
  column: number;
  secret: string;
  parts: Record<string, string>;
  /** The matched line (trimmed around the secret), with every secret on it masked. */
  snippet: string;
  /** Short hash of the secret: equal for the same secret wherever it occurs. */
  secretHash: string;
  /** Stable id of this finding for suppressions and baselines; independent of the line number. */
  fingerprint: string;
  /** How the secret was encoded where it was found, outermost first (e.g. ["base64"]). */
  encoding?: string[];
  verdict: Verdict;
}

/** What reporters see: the secret and its parts redacted unless `showSecrets` was asked for. */
export interface ReportedFinding {
  ruleId: string;
  ruleName: string;
  provider: string;
  severity: Severity;
  file: string;
  line: number;
  column: number;
  secret: string;
  redacted: boolean;
  parts?: Record<string, string>;
  secretHash: string;
  fingerprint: string;
  snippet: string;
  origin: Origin;
  encoding?: string[];
  verdict: Verdict;
}

/** Counts of what a run did not scan, by reason. */
export interface SkipCounts {
  binary: number;
  tooLarge: number;
  unreadable: number;
  excluded: number;
  ignored: number;
  [reason: string]: number;
}

export interface Warning {
  path: string;
  message: string;
}

export interface ScanSummary {
  /** Files, blobs or stdin streams matched. */
  filesScanned: number;
  /** Set for history scans. */
  commitsScanned?: number;
  bytesScanned: number;
  skipped: SkipCounts;
  findings: number;
  distinctSecrets: number;
  suppressed: { inline: number; ignoreFile: number; baseline: number; allowlist: number };
  bySeverity: Record<Severity, number>;
  durationMs: number;
  warnings: Warning[];
  /** Verdicts of all findings, when verification ran (`scan --verify`). */
  verification?: { live: number; dead: number; unknown: number; unverified: number };
}

/** Facts about the run that reporters may print. */
export interface RunInfo {
  tool: { name: string; version: string };
  summary: ScanSummary;
  /** The rules that were active, for SARIF rule metadata. */
  rules: readonly RuleInfo[];
  showSecrets: boolean;
}

export interface RuleInfo {
  id: string;
  name: string;
  provider: string;
  providerName: string;
  severity: Severity;
  description?: string;
  remediation?: string;
  references: readonly string[];
}

export type Reporter = (findings: readonly ReportedFinding[], run: RunInfo) => string;
