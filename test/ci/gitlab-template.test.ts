import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { FixtureRepo } from '../git/git-fixture.js';
import { githubToken, tempDir } from '../helpers.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TEMPLATE = join(ROOT, 'ci/gitlab/keysweep.gitlab-ci.yml');

interface Job {
  script: string[];
  variables: Record<string, string>;
  artifacts: { reports: { secret_detection: string } };
}

/**
 * Runs the template's `script` the way a GitLab runner would (sh, with the CI_* variables of the
 * pipeline), with `keysweep` on PATH being this checkout's build instead of the npm package.
 */
function runJob(dir: string, ci: Record<string, string>): { code: number; out: string; report: { vulnerabilities: Array<{ location: { file: string; commit: { sha: string } } }> } | undefined } {
  const template = parse(readFileSync(TEMPLATE, 'utf8')) as { variables: Record<string, string>; keysweep: Job };
  const bin = tempDir();
  writeFileSync(join(bin, 'keysweep'), `#!/bin/sh\nexec "${process.execPath}" "${join(ROOT, 'dist/bin/keysweep.cjs')}" "$@"\n`);
  chmodSync(join(bin, 'keysweep'), 0o755);
  const env = { ...process.env, ...template.variables, ...template.keysweep.variables, ...ci, PATH: `${bin}:${process.env.PATH ?? ''}`, HOME: dir, GIT_CONFIG_NOSYSTEM: '1' };
  const r = spawnSync('sh', ['-c', template.keysweep.script.join('\n')], { cwd: dir, env, encoding: 'utf8' });
  const file = join(dir, template.keysweep.artifacts.reports.secret_detection);
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}`, report: existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined };
}

describe('ci/gitlab/keysweep.gitlab-ci.yml', () => {
  it("merge request pipelines scan only the merge request's commits", () => {
    const repo = new FixtureRepo();
    repo.commit('old', { 'old.env': `O=${githubToken()}\n` });
    const base = repo.git('rev-parse', 'HEAD');
    repo.git('checkout', '-q', '-b', 'feature');
    const secret = githubToken();
    const head = repo.commit('leak', { 'mr.env': `M=${secret}\n` });
    const job = runJob(repo.dir, { CI_PIPELINE_SOURCE: 'merge_request_event', CI_MERGE_REQUEST_IID: '4', CI_MERGE_REQUEST_DIFF_BASE_SHA: base, CI_COMMIT_SHA: head, CI_DEFAULT_BRANCH: 'main' });
    expect(job.code, job.out).toBe(1);
    expect(job.out).toContain(`the diff ${base}...${head}`);
    expect(job.report?.vulnerabilities.map((v) => [v.location.file, v.location.commit.sha])).toEqual([['mr.env', head]]);
    expect(job.out).not.toContain(secret);
  });

  it('branch pipelines scan the pushed commits', () => {
    const repo = new FixtureRepo();
    repo.commit('old', { 'old.env': `O=${githubToken()}\n` });
    const before = repo.git('rev-parse', 'HEAD');
    const c1 = repo.commit('leak', { 'new.env': `N=${githubToken()}\n` });
    const c2 = repo.commit('more', { 'a.txt': 'a\n' });
    const job = runJob(repo.dir, { CI_PIPELINE_SOURCE: 'push', CI_COMMIT_BRANCH: 'main', CI_DEFAULT_BRANCH: 'main', CI_COMMIT_BEFORE_SHA: before, CI_COMMIT_SHA: c2 });
    expect(job.code, job.out).toBe(1);
    expect(job.out).toContain(`the push ${before}..${c2}`);
    expect(job.report?.vulnerabilities.map((v) => [v.location.file, v.location.commit.sha])).toEqual([['new.env', c1]]);

    const clean = runJob(repo.dir, { CI_PIPELINE_SOURCE: 'push', CI_COMMIT_BRANCH: 'main', CI_DEFAULT_BRANCH: 'main', CI_COMMIT_BEFORE_SHA: c1, CI_COMMIT_SHA: c2 });
    expect(clean.code, clean.out).toBe(0);
    expect(clean.report?.vulnerabilities).toEqual([]);
  });
});
