import { relative, resolve, sep } from 'node:path';
import picomatch from 'picomatch';
import { findConfig, loadConfig, scanLimits } from '../src/config.js';
import { Matcher } from '../src/detect/match.js';
import { loadRuleSet, splitList } from '../src/detect/rule-set.js';
import { runGit } from '../src/git/git.js';
import { compareFindings } from '../src/scan/findings.js';
import { countFindings, ScanCollector, scanPaths, type ScanResult } from '../src/scan/index.js';
import { scanGitDiff } from '../src/sources/git-diff.js';
import { scanHistory } from '../src/sources/git-history.js';
import { loadSuppressions } from '../src/suppress.js';
import type { Finding, RunInfo } from '../src/types.js';
import type { ActionInputs } from './inputs.js';
import type { ScanTarget } from './target.js';
import { runInfo } from '../src/scan/run-info.js';

export interface ActionScan {
  result: ScanResult;
  run: RunInfo;
}

/**
 * Scans the target with the same rules, config, ignore file and suppressions as `keysweep scan` in
 * the workspace. Secrets are kept whole here (they are masked in the log and redacted in every report).
 */
export async function scanTarget(target: ScanTarget, inputs: ActionInputs, workspace: string, onWarning: (path: string, message: string) => void): Promise<ActionScan> {
  const extra = inputs.extra;
  const loaded = loadConfig(findConfig(inputs.config, [workspace]));
  const config = loaded.config;
  const rules = loadRuleSet({
    extra: [...loaded.rulePaths, ...(extra.rules ?? [])],
    enable: [...(config.enable ?? []), ...splitList(extra.enable)],
    disable: [...(config.disable ?? []), ...splitList(extra.disable)],
  });
  const suppressions = () =>
    loadSuppressions({
      ignoreFile: extra['ignore-file'],
      baselineFile: inputs.baseline,
      config,
      configFile: loaded.file,
      inline: !extra['no-inline-allow'],
      roots: [workspace],
    });
  const { excludes, maxFileSize } = scanLimits(loaded, {
    exclude: extra.exclude,
    noDefaultExcludes: extra['no-default-excludes'],
    maxFileSize: extra['max-file-size'],
    maxFileSizeFlag: 'extra-args --max-file-size',
  });
  const warn = extra.quiet ? () => undefined : onWarning;
  const stream = { showSecrets: false };
  const maxCommits = extra['max-commits'] === undefined ? undefined : Number(extra['max-commits']);
  const history = { repo: workspace, excludes, maxFileSize, stream, since: extra.since, maxCommits };

  let result: ScanResult;
  if (target.mode === 'tree' || target.mode === 'none') {
    const paths = target.mode === 'none' ? [] : inputs.paths;
    result = await scanPaths({ paths, rules, excludes, maxFileSize, threads: extra.threads ? Number(extra.threads) : 0, showSecrets: false, suppressions: suppressions(), onWarning: warn });
  } else {
    const matcher = new Matcher(rules);
    const collector = new ScanCollector(rules, suppressions(), warn);
    if (target.mode === 'diff') {
      await scanGitDiff(matcher, { repo: workspace, range: `${target.base}...${target.head}`, excludes, maxFileSize, stream }, collector);
      // The diff holds what the pull request leaves in the code. A secret committed and then removed
      // within it is not in the diff but stays in the branch's history: the commits tell.
      const commits = new ScanCollector(rules, suppressions(), warn);
      await scanHistory(matcher, { ...history, branch: target.head, exclude: target.mergeBases }, commits);
      const gone = (await dropMergedIn(commits.finish().findings, workspace)).filter((f) => f.origin.kind === 'git' && f.origin.removedIn);
      collector.findings.push(...gone);
      collector.setCommitsScanned(commits.summary.commitsScanned ?? 0);
    } else if (target.mode === 'commits') {
      await scanHistory(matcher, { ...history, branch: target.head, exclude: target.exclude }, collector);
    } else {
      await scanHistory(matcher, history, collector);
    }
    result = collector.finish();
    if (target.mode !== 'history') {
      // The range was made complete (target.ts): the shallow boundary lies outside it.
      result.summary.warnings = result.summary.warnings.filter((w) => !w.message.startsWith('shallow clone:'));
    }
    if (target.mode === 'commits') result.findings = await dropMergedIn(result.findings, workspace);
    result.findings = result.findings.filter(insidePaths(inputs.paths, workspace));
    recount(result);
  }

  const run = runInfo(rules, result.summary, false);

  return { result, run };
}

/**
 * A merge commit is diffed against its first parent, so merging the base branch into a pull request
 * shows the base's files as changes. A secret that another parent of the merge already held at that
 * path came from there, not from this range: it is left out.
 */
async function dropMergedIn(findings: Finding[], repo: string): Promise<Finding[]> {
  const parents = new Map<string, string[]>();
  const kept: Finding[] = [];
  for (const f of findings) {
    if (f.origin.kind !== 'git') {
      kept.push(f);
      continue;
    }
    const commit = f.origin.commit;
    if (!parents.has(commit)) {
      const line = (await runGit(['rev-list', '--parents', '-n', '1', commit], { cwd: repo })).toString('utf8').trim();
      parents.set(commit, line.split(' ').slice(1));
    }
    const others = (parents.get(commit) ?? []).slice(1);
    let inherited = false;
    for (const parent of others) {
      const blob = await runGit(['cat-file', 'blob', `${parent}:${f.origin.path}`], { cwd: repo }).catch(() => undefined);
      if (blob?.includes(f.secret)) inherited = true;
    }
    if (!inherited) kept.push(f);
  }
  return kept;
}

/** Findings in one of `paths` (folders, files or globs, relative to the workspace). */
function insidePaths(paths: readonly string[], workspace: string): (f: Finding) => boolean {
  const tests = paths.map((p) => {
    if (picomatch.scan(p).isGlob) return picomatch(p, { dot: true });
    const rel = relative(workspace, resolve(workspace, p)).split(sep).join('/');
    if (rel === '') return () => true;
    return (file: string) => file === rel || file.startsWith(`${rel}/`);
  });
  return (f) => tests.some((t) => t(f.origin.path));
}

function recount(result: ScanResult): void {
  result.findings.sort(compareFindings);
  countFindings(result.findings, result.summary);
}
