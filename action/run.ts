import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import * as core from '@actions/core';
import { EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, type Io } from '../src/commands/io.js';
import { createEngine } from '../src/commands/verify-options.js';
import { sarifReporter } from '../src/report/sarif.js';
import { textReporter } from '../src/report/text.js';
import { toReported } from '../src/scan/findings.js';
import type { Finding, ReportedFinding } from '../src/types.js';
import { KeysweepError, UsageError } from '../src/util/errors.js';
import { operatorFromEnv, revokeCredential } from '../src/verify/revoke.js';
import { upsertComment } from './comment.js';
import { planFor, type EventPayload } from './event.js';
import { Checkout } from './git.js';
import { readInputs, type ActionInputs } from './inputs.js';
import { annotationOf, commentMarkdown, summaryMarkdown, type RunFacts } from './report.js';
import { scanTarget } from './scan.js';
import { resolveTarget } from './target.js';

export const ACTION_HELP = `Usage: keysweep action

Runs the keysweep GitHub Action (action.yml) in this process, reading the standard Actions environment,
so that it can be tried and debugged without a runner:

  GITHUB_EVENT_NAME, GITHUB_EVENT_PATH   the event and its payload: what to scan
  GITHUB_WORKSPACE                       the checkout (default: the working folder)
  GITHUB_OUTPUT, GITHUB_STEP_SUMMARY     where outputs and the job summary go
  GITHUB_API_URL, GITHUB_REPOSITORY      where the pull-request comment goes
  INPUT_<NAME>                           the inputs: INPUT_FAIL-ON=live, INPUT_COMMENT=on, INPUT_EXTRA-ARGS=…

Exit codes: 0 passed, 1 findings that fail the check (see fail-on), 2 usage, config or runtime error.
`;

/** `keysweep action`: the action's entry as a CLI command. */
export async function runActionCommand(args: readonly string[], io: Io): Promise<number> {
  if (args.includes('-h') || args.includes('--help')) {
    io.stdout(ACTION_HELP);
    return EXIT_OK;
  }
  if (args.length) throw new UsageError(`keysweep action takes no arguments (got ${args.join(' ')}); it reads INPUT_* variables`);
  return runAction(process.env);
}

/**
 * The action: picks what to scan from the event, makes the checkout deep enough, scans, verifies if
 * asked, and reports through every channel a workflow has — annotations, job summary, SARIF, outputs,
 * one pull-request comment. Returns the exit code; never throws.
 */
export async function runAction(env: NodeJS.ProcessEnv): Promise<number> {
  try {
    return await act(env);
  } catch (err) {
    if (err instanceof KeysweepError) {
      core.setFailed(`keysweep: ${err.message}`);
      return EXIT_ERROR;
    }
    core.setFailed(`keysweep: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return EXIT_ERROR;
  }
}

async function act(env: NodeJS.ProcessEnv): Promise<number> {
  const inputs = readInputs(env);
  const workspace = resolve(env.GITHUB_WORKSPACE || process.cwd());
  process.chdir(workspace);
  const eventName = env.GITHUB_EVENT_NAME ?? '';
  const payload = readPayload(env.GITHUB_EVENT_PATH);
  const plan = planFor(eventName, payload, inputs);
  const notes: string[] = [];

  core.startGroup('keysweep: what to scan');
  const checkout = new Checkout(workspace, (m) => core.info(m));
  const target = await resolveTarget(plan, checkout).finally(() => core.endGroup());
  notes.push(...target.notes);
  const commits = 'commits' in target ? target.commits : [];
  core.info(`keysweep: scanning ${target.description}`);
  if (commits.length) core.info(`keysweep: commits: ${commits.join(' ')}`);

  const { result, run } = await scanTarget(target, inputs, workspace, (path, message) => core.info(`keysweep: warning: ${path}: ${message}`));
  // Before anything about the findings is printed: the runner masks these values in every later line.
  if (env.GITHUB_ACTIONS === 'true') for (const f of result.findings) maskSecret(f);

  const fork = plan.kind === 'pull-request' && plan.fork;
  const isPullRequest = plan.kind === 'pull-request';
  const wantVerify = inputs.verify || inputs.failOn === 'live';
  let verified = false;
  const revocations: Array<RunFacts['revocations'][number]> = [];
  if (wantVerify && fork) {
    notes.push('This pull request comes from a fork: its workflow has no secrets and a read-only token, so verification, revocation and the comment are skipped. Findings are reported all the same.');
    core.notice('keysweep: pull request from a fork: verification and comments are skipped (findings are still reported)');
  } else if (wantVerify && result.findings.length) {
    const engine = await createEngine(inputs.extra, logIo());
    try {
      result.summary.verification = await engine.verifyFindings(result.findings);
      verified = true;
      if (inputs.revoke) {
        const done = new Set<string>();
        for (const f of result.findings) {
          const key = `${f.ruleId}\0${f.secretHash}`;
          if (f.verdict.status !== 'live' || done.has(key)) continue;
          done.add(key);
          const outcome = await revokeCredential({ ruleId: f.ruleId, provider: f.provider, secret: f.secret, parts: f.parts }, { engine, execute: true, operator: operatorFromEnv(env) });
          revocations.push({ finding: toReported(f, false), outcome });
          core.info(`keysweep: revoke ${f.ruleId} ${toReported(f, false).secret}: ${outcome.status}: ${outcome.message}`);
        }
      }
    } finally {
      await engine.close();
    }
  } else if (wantVerify) {
    verified = true;
  }

  const reported = result.findings.map((f) => toReported(f, false));
  const live = reported.filter((f) => f.verdict.status === 'live').length;
  let failing: boolean;
  if (inputs.failOn === 'none') failing = false;
  else if (inputs.failOn === 'live' && verified) failing = live > 0;
  else {
    if (inputs.failOn === 'live') notes.push('fail-on: live needs verification, which did not run: failing on any finding instead.');
    failing = reported.length > 0;
  }

  // Annotations: one per finding, on its line.
  core.startGroup(`keysweep: report (${reported.length} finding(s))`);
  core.info(textReporter(reported, run).trimEnd());
  core.endGroup();
  for (const f of reported) {
    const a = annotationOf(f);
    const props = { title: a.title, file: a.file, startLine: a.startLine, startColumn: a.startColumn };
    if (a.level === 'error') core.error(a.message, props);
    else if (a.level === 'warning') core.warning(a.message, props);
    else core.notice(a.message, props);
  }

  // SARIF, for github/codeql-action/upload-sarif.
  const sarifFile = resolve(inputs.sarifFile ?? join(env.RUNNER_TEMP || workspace, 'keysweep.sarif'));
  mkdirSync(dirname(sarifFile), { recursive: true });
  writeFileSync(sarifFile, sarifReporter(reported, run));

  const server = (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/$/, '');
  const repository = env.GITHUB_REPOSITORY;
  const facts: RunFacts = {
    scanned: target.description,
    commits,
    notes,
    summary: result.summary,
    failing,
    failOn: inputs.failOn,
    verified,
    revocations,
  };
  if (repository) facts.repoUrl = `${server}/${repository}`;
  const headSha = 'head' in target ? target.head : env.GITHUB_SHA;
  if (headSha) facts.headSha = headSha;
  if (repository && env.GITHUB_RUN_ID) facts.runUrl = `${server}/${repository}/actions/runs/${env.GITHUB_RUN_ID}`;

  const summary = summaryMarkdown(reported, facts);
  if (env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(summary).write();
  else core.info(summary);

  core.setOutput('findings', String(reported.length));
  core.setOutput('live', String(live));
  core.setOutput('sarif-file', sarifFile);
  core.setOutput('commits', commits.join(' '));
  core.setOutput('commit-count', String(commits.length));
  core.setOutput('scanned', target.description);
  core.setOutput('revoked', String(revocations.filter((r) => r.outcome.status === 'revoked' || r.outcome.status === 'revoked-unconfirmed').length));

  if (inputs.comment !== 'off' && isPullRequest) await comment(inputs, env, plan, fork, reported, facts);

  if (failing) {
    core.setFailed(`keysweep: ${reported.length} secret finding(s)${inputs.failOn === 'live' && verified ? `, ${live} verified live` : ''} in ${target.description}`);
    return EXIT_FINDINGS;
  }
  return EXIT_OK;
}

async function comment(inputs: ActionInputs, env: NodeJS.ProcessEnv, plan: ReturnType<typeof planFor>, fork: boolean, reported: readonly ReportedFinding[], facts: RunFacts): Promise<void> {
  if (plan.kind !== 'pull-request') return;
  if (fork) {
    core.notice('keysweep: pull request from a fork: no comment (its token is read-only); see the job summary');
    return;
  }
  const [owner, repo] = (env.GITHUB_REPOSITORY ?? '').split('/');
  if (!inputs.token || !owner || !repo) {
    core.notice('keysweep: no token (input github-token) or GITHUB_REPOSITORY: no pull-request comment');
    return;
  }
  try {
    const result = await upsertComment(
      { token: inputs.token, apiUrl: env.GITHUB_API_URL || 'https://api.github.com', owner, repo, number: plan.number },
      commentMarkdown(reported, facts),
      { create: inputs.comment === 'on' || facts.failing },
    );
    if (result.action !== 'skipped') core.info(`keysweep: pull-request comment ${result.action} (id ${result.id})`);
  } catch (err) {
    // A missing permission (pull-requests: write) must not hide the scan's result.
    core.warning(`keysweep: could not comment on pull request #${plan.number}: ${err instanceof Error ? err.message : String(err)} (does the job have "permissions: pull-requests: write"?)`);
  }
}

/** Tells the runner to mask a secret (and each line of a multi-line one) in everything printed after. */
function maskSecret(f: Finding): void {
  for (const value of [f.secret, ...Object.values(f.parts)]) {
    if (!value) continue;
    core.setSecret(value);
    if (value.includes('\n')) for (const line of value.split(/\r?\n/)) if (line.trim().length >= 8) core.setSecret(line.trim());
  }
}

function readPayload(path: string | undefined): EventPayload {
  if (!path) return {};
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as EventPayload;
  } catch (err) {
    throw new KeysweepError('IO', `GITHUB_EVENT_PATH ${path}: cannot read the event payload: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function logIo(): Io {
  return {
    stdout: (t) => core.info(t.trimEnd()),
    stderr: (t) => core.info(t.trimEnd()),
    stdin: (async function* () {})(),
  };
}
