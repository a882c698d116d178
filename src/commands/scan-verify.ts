import { countFindings, type ScanResult } from '../scan/index.js';
import type { Finding } from '../types.js';
import { UsageError } from '../util/errors.js';
import type { Io } from './io.js';
import { createEngine, VERIFY_HELP, verifyOptions, type VerifyValues } from './verify-options.js';

/** The scan flags of verification; spread into the scan options. */
export const scanVerifyOptions = {
  verify: { type: 'boolean' },
  'only-verified': { type: 'boolean' },
  'fail-on': { type: 'string' },
  ...verifyOptions,
} as const;

export const SCAN_VERIFY_HELP = `Verification (off by default; read-only requests to the providers)
      --verify             ask each provider whether each distinct secret works: live, dead, unknown, unverified
      --no-verify          do not verify (the default)
      --only-verified      report only findings verified live (implies --verify)
      --fail-on live|any   exit with --exit-code only for live findings, or for any finding (default any;
                           "live" implies --verify)
${VERIFY_HELP.split('\n').slice(1).join('\n')}`;

export interface VerificationPlan {
  enabled: boolean;
  onlyVerified: boolean;
  failOn: 'live' | 'any';
}

type Values = VerifyValues & {
  verify?: boolean | undefined;
  'no-verify'?: boolean | undefined;
  'only-verified'?: boolean | undefined;
  'fail-on'?: string | undefined;
};

/** Checks the verification flags before anything is scanned. */
export function verificationPlan(values: Values): VerificationPlan {
  const failOn = values['fail-on'] ?? 'any';
  if (failOn !== 'live' && failOn !== 'any') throw new UsageError(`--fail-on ${failOn}: expected live or any`);
  const onlyVerified = values['only-verified'] ?? false;
  const wanted = (values.verify ?? false) || onlyVerified || failOn === 'live';
  if (values['no-verify'] && wanted) {
    const flag = values.verify ? '--verify' : onlyVerified ? '--only-verified' : '--fail-on live';
    throw new UsageError(`--no-verify contradicts ${flag}`);
  }
  return { enabled: wanted, onlyVerified, failOn };
}

/**
 * Verifies the findings of a scan (each distinct secret once) and returns the findings to report:
 * all of them, or only the live ones with --only-verified — in which case the summary's counts
 * describe what is reported, and `summary.verification` what was found.
 */
export async function verifyScan(result: ScanResult, plan: VerificationPlan, values: Values, io: Io): Promise<Finding[]> {
  if (!plan.enabled) return result.findings;
  const engine = await createEngine(values, io);
  try {
    result.summary.verification = await engine.verifyFindings(result.findings);
  } finally {
    await engine.close();
  }
  if (!plan.onlyVerified) return result.findings;
  const live = result.findings.filter((f) => f.verdict.status === 'live');
  countFindings(live, result.summary);
  return live;
}

/** The exit status: `exitCode` when findings remain (with --fail-on live: live findings). */
export function scanExitStatus(findings: readonly Finding[], plan: VerificationPlan, exitCode: number): number {
  const failing = plan.failOn === 'live' ? findings.some((f) => f.verdict.status === 'live') : findings.length > 0;
  return failing ? exitCode : 0;
}
