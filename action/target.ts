import type { Plan } from './event.js';
import { Checkout, FetchDepthError, short, type CompleteRange } from './git.js';

/** What the action scans, resolved against the checkout: exact commits, fetched and complete. */
export type ScanTarget =
  /** A pull request: what `git diff base...head` adds, plus the history of its commits (see scan.ts). */
  | { mode: 'diff'; description: string; base: string; head: string; mergeBases: string[]; commits: string[]; notes: string[] }
  /** The history of `head` without what is reachable from `exclude`. */
  | { mode: 'commits'; description: string; head: string; exclude: string[]; commits: string[]; notes: string[] }
  /** Every commit of every ref. */
  | { mode: 'history'; description: string; commits: string[]; notes: string[] }
  | { mode: 'tree'; description: string; notes: string[] }
  | { mode: 'none'; description: string; notes: string[] };

/** Turns the event's plan into exact commits, deepening a shallow checkout as far as needed. */
export async function resolveTarget(plan: Plan, checkout: Checkout): Promise<ScanTarget> {
  if (plan.kind === 'tree') return { mode: 'tree', description: plan.what, notes: [] };
  if (plan.kind === 'nothing') return { mode: 'none', description: plan.what, notes: [] };
  if (!(await checkout.isRepository())) {
    throw new FetchDepthError(`${checkout.dir} is not a git repository, so ${plan.what} cannot be scanned`);
  }
  switch (plan.kind) {
    case 'history': {
      if (await checkout.isShallow()) await checkout.fetch(['--unshallow'], [], 'scope: history needs every commit and the checkout is shallow');
      const commits = await checkout.revList(['--all']);
      return { mode: 'history', description: `${plan.what}: ${count(commits.length)} on every ref`, commits, notes: [] };
    }
    case 'pull-request': {
      const what = plan.what;
      const range = await checkout.completeRange({ head: plan.head, exclude: [plan.base], wants: [plan.base, plan.head], sizeHint: plan.commits, what });
      const bases = range.exclude.map(short).join(', ');
      return {
        mode: 'diff',
        description: `${what}: the changes from the merge base ${bases} to the head ${short(plan.head)} (${count(range.commits.length)})`,
        base: plan.base,
        head: plan.head,
        mergeBases: range.exclude,
        commits: range.commits,
        notes: [],
      };
    }
    case 'range': {
      const range = await checkout.completeRange({ head: plan.head, exclude: [plan.base], wants: [plan.base, plan.head], sizeHint: plan.size, what: plan.what });
      if (await checkout.isAncestor(plan.base, plan.head)) {
        return commitsTarget(plan.what, plan.head, range, `${short(plan.base)}..${short(plan.head)}`, []);
      }
      // `before` is not an ancestor of `after`: the branch was rewritten although the event did not say so.
      const note = `${short(plan.base)} is not an ancestor of ${short(plan.head)}: treated as a force push`;
      return newRefTarget({ kind: 'new-ref', what: `${plan.what} (rewritten history)`, head: plan.head, ref: plan.ref ?? '', before: plan.base, payloadCommits: plan.payloadCommits, ...(plan.defaultBranch ? { defaultBranch: plan.defaultBranch } : {}) }, checkout, [note]);
    }
    case 'new-ref':
      return newRefTarget(plan, checkout, []);
  }
}

async function newRefTarget(plan: Extract<Plan, { kind: 'new-ref' }>, checkout: Checkout, notes: string[]): Promise<ScanTarget> {
  const branch = plan.ref.replace(/^refs\/heads\//, '');
  const own = new Set([plan.ref, `refs/remotes/origin/${branch}`]);
  const exclude = (await checkout.remoteRefs()).filter((r) => !own.has(r));
  const wants = [plan.head];
  const defaultRef = plan.defaultBranch && plan.ref !== `refs/heads/${plan.defaultBranch}` ? `refs/remotes/origin/${plan.defaultBranch}` : undefined;
  if (defaultRef && plan.defaultBranch) {
    wants.push(`+refs/heads/${plan.defaultBranch}:${defaultRef}`);
    if (!exclude.includes(defaultRef)) exclude.push(defaultRef);
  }
  if (plan.before) {
    // The commits the branch had before a force push were scanned then; they may be gone from origin.
    if ((await checkout.resolve(plan.before)) || (await fetchQuietly(checkout, plan.before))) exclude.push(plan.before);
    else notes.push(`the commits before the force push (${short(plan.before)}) are no longer available; comparing with the other branches only`);
  }
  let range: CompleteRange;
  let against: string;
  try {
    range = await checkout.completeRange({ head: plan.head, exclude, wants, sizeHint: plan.payloadCommits.length, what: plan.what });
    against = exclude.length ? `not on ${describeRefs(exclude)}` : 'no other branch or tag exists: all of its history';
  } catch (err) {
    if (!(err instanceof FetchDepthError) || plan.payloadCommits.length === 0) throw err;
    // No way to compare with the other branches: the push payload lists the new commits.
    const listed = new Set(plan.payloadCommits);
    const boundary = new Set<string>();
    for (const sha of plan.payloadCommits) {
      if (!(await checkout.resolve(sha))) throw err;
      for (const parent of await checkout.parents(sha)) if (!listed.has(parent)) boundary.add(parent);
    }
    range = await checkout.completeRange({ head: plan.head, exclude: [...boundary], wants: [plan.head, ...boundary], sizeHint: listed.size, what: plan.what });
    against = 'the commits listed in the push event';
    notes.push(`could not compare with the other branches (${err.message.split('. Check out')[0]}); scanned the commits of the push event`);
  }
  return commitsTarget(plan.what, plan.head, range, against, notes);
}

function commitsTarget(what: string, head: string, range: CompleteRange, against: string, notes: string[]): ScanTarget {
  if (range.commits.length === 0) return { mode: 'none', description: `${what}: no new commits (${against})`, notes };
  return { mode: 'commits', description: `${what}: ${count(range.commits.length)} (${against})`, head, exclude: range.exclude, commits: range.commits, notes };
}

async function fetchQuietly(checkout: Checkout, sha: string): Promise<boolean> {
  try {
    await checkout.fetch((await checkout.isShallow()) ? ['--deepen=1'] : [], [sha], `looking for ${short(sha)}`);
    return (await checkout.resolve(sha)) !== undefined;
  } catch {
    return false;
  }
}

function describeRefs(refs: readonly string[]): string {
  const names = refs.map((r) => r.replace(/^refs\/remotes\/origin\//, '').replace(/^refs\/tags\//, 'tag ')).map(short);
  return names.length <= 3 ? names.join(', ') : `${names.slice(0, 3).join(', ')} or ${names.length - 3} other ref(s)`;
}

function count(n: number): string {
  return n === 1 ? '1 commit' : `${n} commits`;
}
