import type { ActionInputs } from './inputs.js';
import { ZERO_SHA } from './git.js';

/** The parts of the webhook payloads (`$GITHUB_EVENT_PATH`) the action reads. */
export interface EventPayload {
  pull_request?: {
    number: number;
    commits?: number;
    base: { sha: string; ref: string; repo?: { full_name: string } | null };
    head: { sha: string; ref: string; repo?: { full_name: string } | null };
  };
  /** push */
  ref?: string;
  before?: string;
  after?: string;
  created?: boolean;
  deleted?: boolean;
  forced?: boolean;
  commits?: Array<{ id: string; distinct?: boolean }>;
  repository?: { full_name?: string; default_branch?: string };
  merge_group?: { head_sha: string; base_sha: string; head_ref?: string; base_ref?: string };
}

/** What the event asks to be scanned, before looking at the checkout. */
export type Plan =
  | {
      kind: 'pull-request';
      what: string;
      number: number;
      base: string;
      head: string;
      commits?: number;
      /** The head branch lives in another repository (or is gone): no secrets, a read-only token. */
      fork: boolean;
    }
  /** The commits of `head` not reachable from `base`: a push that moved a branch forward, a merge group. */
  | { kind: 'range'; what: string; base: string; head: string; size?: number; payloadCommits: string[]; ref?: string; defaultBranch?: string }
  /**
   * A new branch or tag, or a force push: the commits of `head` that no other branch or tag of the
   * remote (nor `before`, for a force push) already has.
   */
  | { kind: 'new-ref'; what: string; head: string; ref: string; defaultBranch?: string; before?: string; payloadCommits: string[] }
  | { kind: 'history'; what: string }
  | { kind: 'tree'; what: string }
  | { kind: 'nothing'; what: string };

/**
 * Chooses what to scan from the event. `scope: history` or `tree` overrides it; otherwise pull requests
 * scan their own commits, pushes the pushed commits, merge groups theirs, and everything else
 * (workflow_dispatch, schedule, …) the working tree.
 */
export function planFor(eventName: string, payload: EventPayload, inputs: Pick<ActionInputs, 'scope'>): Plan {
  if (inputs.scope === 'history') return { kind: 'history', what: 'the whole history (scope: history)' };
  if (inputs.scope === 'tree') return { kind: 'tree', what: 'the working tree (scope: tree)' };
  switch (eventName) {
    case 'pull_request':
    case 'pull_request_target': {
      const pr = payload.pull_request;
      if (!pr) return { kind: 'tree', what: `the working tree (the ${eventName} event has no pull_request)` };
      const headRepo = pr.head.repo?.full_name;
      const baseRepo = pr.base.repo?.full_name ?? payload.repository?.full_name;
      const plan: Plan = { kind: 'pull-request', what: `pull request #${pr.number}`, number: pr.number, base: pr.base.sha, head: pr.head.sha, fork: !headRepo || headRepo !== baseRepo };
      if (pr.commits !== undefined) plan.commits = pr.commits;
      return plan;
    }
    case 'push': {
      const after = payload.after ?? '';
      const ref = payload.ref ?? '';
      const what = `the push to ${ref.replace(/^refs\/(heads|tags)\//, '') || 'an unnamed ref'}`;
      if (payload.deleted || ZERO_SHA.test(after) || !after) return { kind: 'nothing', what: `${what}: the ref was deleted, nothing to scan` };
      const payloadCommits = (payload.commits ?? []).filter((c) => c.distinct !== false).map((c) => c.id);
      const defaultBranch = payload.repository?.default_branch;
      const before = payload.before ?? '';
      if (payload.created || ZERO_SHA.test(before) || !before) {
        return withDefault({ kind: 'new-ref', what: `${what} (a new ${ref.startsWith('refs/tags/') ? 'tag' : 'branch'})`, head: after, ref, payloadCommits }, defaultBranch);
      }
      if (payload.forced) {
        return withDefault({ kind: 'new-ref', what: `${what} (a force push)`, head: after, ref, before, payloadCommits }, defaultBranch);
      }
      const plan: Plan = { kind: 'range', what, base: before, head: after, size: payloadCommits.length, payloadCommits, ref };
      if (defaultBranch) plan.defaultBranch = defaultBranch;
      return plan;
    }
    case 'merge_group': {
      const group = payload.merge_group;
      if (!group) return { kind: 'tree', what: 'the working tree (the merge_group event has no merge_group)' };
      return { kind: 'range', what: `the merge group ${group.head_ref ?? short(group.head_sha)}`, base: group.base_sha, head: group.head_sha, payloadCommits: [] };
    }
    default:
      return { kind: 'tree', what: `the working tree (${eventName || 'no'} event)` };
  }
}

type NewRefPlan = Extract<Plan, { kind: 'new-ref' }>;

function withDefault(plan: NewRefPlan, defaultBranch: string | undefined): NewRefPlan {
  if (defaultBranch) plan.defaultBranch = defaultBranch;
  return plan;
}

function short(sha: string): string {
  return sha.slice(0, 7);
}
