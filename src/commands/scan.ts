import { statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { BlobPool } from '../git/blob-pool.js';
import { EXIT_ERROR, EXIT_FINDINGS, writeOutput, type Io } from './io.js';
import { findConfig, loadConfig, scanLimits, type LoadedConfig } from '../config.js';
import { loadRuleSet, splitList } from '../detect/rule-set.js';
import { isReportFormat, REPORTERS, type ReportFormat } from '../report/index.js';
import { ScanCollector, scanPaths, startHelpers, type ScanResult } from '../scan/index.js';
import type { WorkerPool } from '../scan/pool.js';
import { Matcher } from '../detect/match.js';
import { scanHistory } from '../sources/git-history.js';
import { scanDiffStream, scanGitDiff, startGitDiff, type StartedDiff } from '../sources/git-diff.js';
import { withClone } from '../sources/git-remote.js';
import { blockedCommitHelp } from './hook.js';
import { SCAN_VERIFY_HELP, scanExitStatus, scanVerifyOptions, verificationPlan, verifyScan } from './scan-verify.js';
import { toReported } from '../scan/findings.js';
import { DEFAULT_EXCLUDES } from '../sources/files.js';
import { loadSuppressions, type Suppressions } from '../suppress.js';
import { ConfigError, KeysweepError, UsageError } from '../util/errors.js';
import { jsonReporter } from '../report/json.js';
import { runInfo } from '../scan/run-info.js';

export const scanOptions = {
  format: { type: 'string', short: 'f' },
  output: { type: 'string', short: 'o' },
  config: { type: 'string', short: 'c' },
  rules: { type: 'string', multiple: true },
  enable: { type: 'string', multiple: true },
  disable: { type: 'string', multiple: true },
  'max-file-size': { type: 'string' },
  exclude: { type: 'string', multiple: true },
  'no-default-excludes': { type: 'boolean' },
  'ignore-file': { type: 'string' },
  'no-inline-allow': { type: 'boolean' },
  'show-secrets': { type: 'boolean' },
  baseline: { type: 'string' },
  'write-baseline': { type: 'string' },
  'exit-code': { type: 'string' },
  'no-verify': { type: 'boolean' },
  threads: { type: 'string', short: 'j' },
  history: { type: 'boolean' },
  branch: { type: 'string' },
  'since-commit': { type: 'string' },
  since: { type: 'string' },
  'max-commits': { type: 'string' },
  diff: { type: 'string' },
  staged: { type: 'boolean' },
  repo: { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
  ...scanVerifyOptions,
} as const;

export const SCAN_HELP = `Usage: keysweep scan [PATH…] [options]

Scans files and folders (recursively) for leaked credentials. "-" reads standard input.
With no PATH, scans the current folder.

Output
  -f, --format FORMAT      text (default), json, sarif, github (workflow annotations) or gitlab
                           (GitLab's secret-detection report)
  -o, --output FILE        write the report to FILE instead of standard output
      --show-secrets       print full secret values (default: a prefix and a hash)
  -q, --quiet              no warnings on standard error

Rules
      --rules DIR|FILE     extra YAML rules (repeatable)
      --enable RULE        only these rules: ids, providers or globs such as "aws.*" (repeatable, comma-separated)
      --disable RULE       turn rules off: ids, providers or globs (repeatable, comma-separated)

Git
      --history            scan every commit reachable from all refs (PATH is the repository)
      --branch REF         with --history: only this ref
      --since-commit SHA   with --history: only commits after SHA
      --since DATE         with --history: only commits after DATE
      --max-commits N      with --history: at most the N newest commits
      --diff RANGE         only what BASE..HEAD (or BASE...HEAD) adds; "-" reads a unified diff on stdin
      --staged             only what the index adds (what "git commit" is about to record)
      --repo URL           clone URL into a temporary folder and scan its history; a token for private
                           repositories comes from KEYSWEEP_GIT_TOKEN (or GITHUB_TOKEN / GITLAB_TOKEN)

What to scan
      --exclude GLOB       skip matching paths (repeatable), in addition to the default excludes
      --no-default-excludes  also scan the folders and file types excluded by default (listed below)
      --max-file-size SIZE skip larger files, e.g. 10MB (default: no limit; large files are streamed)
  -j, --threads N          matching threads for scans over 500 files or 8 MB (default: one, and up to one per
                           core once a scan has matched for a second with more than 1.5 s of work left)

Suppressions
  -c, --config FILE        config file (default: .keysweep.yml in the scanned folder or the working folder)
      --ignore-file FILE   ignore file (default: .keysweepignore there): fingerprints, secret hashes, path globs
      --no-inline-allow    do not honour "keysweep:allow" comments
      --baseline FILE      ignore the findings recorded in FILE (a JSON report)
      --write-baseline FILE  record this run's findings in FILE (redacted), for later --baseline

Exit status
      --exit-code N        exit status when findings remain (default 1; see --fail-on)

${SCAN_VERIFY_HELP}
Exit codes: 0 no findings, 1 findings (or --exit-code), 2 usage, config or runtime error.

Default excludes:
${DEFAULT_EXCLUDES.map((g) => `  ${g}`).join('\n')}
`;

type ScanValues = {
  [K in keyof typeof scanOptions]?: (typeof scanOptions)[K] extends { multiple: true }
    ? string[]
    : (typeof scanOptions)[K] extends { type: 'boolean' }
      ? boolean
      : string;
};

export async function runScan(values: ScanValues, positionals: string[], io: Io): Promise<number> {
  const gitMode = chooseGitMode(values);
  // The pre-commit path: git starts producing the diff before the rules load (see startGitDiff).
  const diffFromGit = (gitMode === 'staged' || (gitMode === 'diff' && values.diff !== '-')) && positionals.length <= 1;
  const started = diffFromGit ? startGitDiff({ repo: positionals[0] ?? '.', range: values.diff, staged: gitMode === 'staged' }) : undefined;
  // A folder scan with --threads N: the matching threads boot while the rules load.
  const threads = values.threads === undefined ? 0 : toInt(values.threads, '--threads', 1, 256);
  const paths = positionals.length ? positionals : ['.'];
  const roots = paths.filter((p) => p !== '-' && isDirectory(p));
  const helpers = !gitMode && roots.length > 0 ? startHelpers(threads) : undefined;
  try {
    return await scanWith(values, positionals, io, { gitMode, threads, paths, roots, started, helpers });
  } finally {
    started?.abort();
    await helpers?.close();
  }
}

/** What runScan has already worked out (and started) before the rules load. */
interface ScanStart {
  gitMode: GitMode | undefined;
  threads: number;
  paths: string[];
  /** The folders among the paths. */
  roots: string[];
  started: StartedDiff | undefined;
  helpers: WorkerPool | undefined;
}

async function scanWith(values: ScanValues, positionals: string[], io: Io, { gitMode, threads, paths, roots, started, helpers }: ScanStart): Promise<number> {
  const format = chooseFormat(values.format, values.output);
  const exitCode = values['exit-code'] === undefined ? EXIT_FINDINGS : toInt(values['exit-code'], '--exit-code', 0, 255);
  const verification = verificationPlan(values);

  // A broken config, rule or baseline file is reported, named, and left out; the scan goes on with
  // the rest, every finding is reported, and the exit status is 2 so that the problem cannot pass.
  const problems: string[] = [];
  const problem = (message: string) => {
    problems.push(message);
    io.stderr(`keysweep: error: ${message}\n`);
  };
  let loaded: LoadedConfig;
  try {
    loaded = loadConfig(findConfig(values.config, roots.slice(0, 1)));
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problem(`${err.message} (scanning without it)`);
    loaded = loadConfig(undefined);
  }
  const config = loaded.config;
  const rules = loadRuleSet({
    extra: [...loaded.rulePaths, ...(values.rules ?? [])],
    enable: [...(config.enable ?? []), ...splitList(values.enable)],
    disable: [...(config.disable ?? []), ...splitList(values.disable)],
    onProblem: (message) => problem(`${message} (rule left out)`),
  });
  const suppressionSources = {
    ignoreFile: values['ignore-file'],
    baselineFile: values.baseline,
    config,
    configFile: loaded.file,
    inline: !values['no-inline-allow'],
    roots: roots.slice(0, 1),
  };
  let suppressions: Suppressions;
  try {
    suppressions = loadSuppressions(suppressionSources);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problem(`${err.message} (scanning without it)`);
    suppressions = loadSuppressions({ ...suppressionSources, baselineFile: undefined, ignoreFile: undefined, config: {} });
  }
  const { excludes, maxFileSize } = scanLimits(loaded, {
    exclude: values.exclude,
    noDefaultExcludes: values['no-default-excludes'],
    maxFileSize: values['max-file-size'],
    maxFileSizeFlag: '--max-file-size',
  });
  const showSecrets = values['show-secrets'] ?? false;

  const onWarning = values.quiet ? undefined : (path: string, message: string) => io.stderr(`keysweep: warning: ${path}: ${message}\n`);
  let result: ScanResult;
  if (gitMode) {
    const collector = new ScanCollector(rules, suppressions, onWarning);
    const matcher = new Matcher(rules);
    const stream = { showSecrets };
    const repo = positionals[0] ?? '.';
    if (positionals.length > 1) throw new UsageError(`--${gitMode} takes one repository path, got ${positionals.length}`);
    if (gitMode === 'diff' && values.diff === '-') {
      await scanDiffStream(matcher, io.stdin, { excludes, stream }, collector);
    } else if (gitMode === 'diff' || gitMode === 'staged') {
      await scanGitDiff(matcher, { repo, range: values.diff, staged: gitMode === 'staged', excludes, maxFileSize, stream }, collector, started);
    } else {
      const history = {
        branch: values.branch,
        sinceCommit: values['since-commit'],
        since: values.since,
        maxCommits: values['max-commits'] === undefined ? undefined : toInt(values['max-commits'], '--max-commits', 1, Number.MAX_SAFE_INTEGER),
        excludes,
        maxFileSize,
        stream,
      };
      const makePool = threads === 1 ? undefined : () => new BlobPool(threads > 0 ? threads : availableParallelism(), { rules: rules.map((r) => r.toSpec()), options: { showSecrets, maxFileSize } });
      const walk = (dir: string) => scanHistory(matcher, { ...history, repo: dir, makePool }, collector);
      if (gitMode === 'repo') await withClone(values.repo as string, walk, collector);
      else await walk(repo);
    }
    result = collector.finish();
  } else {
    result = await scanPaths({ paths, rules, excludes, maxFileSize, threads, showSecrets, suppressions, stdin: io.stdin, onWarning, helpers });
  }

  const run = runInfo(rules, result.summary, showSecrets);

  const reported = await verifyScan(result, verification, values, io);
  for (const message of problems) result.summary.warnings.push({ path: 'configuration', message });
  writeOutput(REPORTERS[format](reported.map((f) => toReported(f, showSecrets)), run), values.output, io);
  if (values['write-baseline']) {
    const file = values['write-baseline'];
    try {
      // A baseline never holds secret values, whatever --show-secrets says.
      writeFileSync(file, jsonReporter(result.findings.map((f) => toReported(f, false)), { ...run, showSecrets: false }));
    } catch (err) {
      throw new KeysweepError('IO', `${file}: cannot write baseline: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (gitMode === 'staged' && result.findings.length > 0 && format === 'text' && !values.output) {
    io.stderr(blockedCommitHelp(result.findings.map((f) => f.fingerprint)));
  }
  if (problems.length) return EXIT_ERROR;
  return scanExitStatus(reported, verification, exitCode);
}

type GitMode = 'history' | 'diff' | 'staged' | 'repo';

function chooseGitMode(values: ScanValues): GitMode | undefined {
  const modes = (['history', 'diff', 'staged', 'repo'] as const).filter((m) => values[m] !== undefined && values[m] !== false);
  if (modes.length > 1) {
    // --repo implies history; any other combination is ambiguous.
    if (!(modes.length === 2 && modes.includes('repo') && modes.includes('history'))) {
      throw new UsageError(`--${modes.join(' and --')} cannot be combined`);
    }
    return 'repo';
  }
  const historyOnly = (['branch', 'since-commit', 'since', 'max-commits'] as const).filter((f) => values[f] !== undefined);
  if (historyOnly.length && modes[0] !== 'history' && modes[0] !== 'repo') throw new UsageError(`--${historyOnly[0]} needs --history`);
  return modes[0];
}

function chooseFormat(format: string | undefined, output: string | undefined): ReportFormat {
  if (format !== undefined) {
    if (!isReportFormat(format)) throw new UsageError(`--format ${format}: expected one of ${Object.keys(REPORTERS).join(', ')}`);
    return format;
  }
  if (output?.endsWith('.sarif') || output?.endsWith('.sarif.json')) return 'sarif';
  if (output?.endsWith('.json')) return 'json';
  return 'text';
}

function toInt(value: string, flag: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${flag} ${value}: expected a whole number from ${min} to ${max}`);
  return n;
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
