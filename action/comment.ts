import { COMMENT_MARKER } from './report.js';

export interface CommentTarget {
  token: string;
  /** `GITHUB_API_URL`: github.com's API, or a GitHub Enterprise Server's. */
  apiUrl: string;
  owner: string;
  repo: string;
  number: number;
}

export type CommentResult = { action: 'created' | 'updated'; id: number } | { action: 'skipped' };

/**
 * Keeps ONE keysweep comment on the pull request: the one carrying the marker is edited in place on
 * every run; a new one is created only when there is none. `create: false` (comment: on-failure, on a
 * passing run) only updates an existing comment, so that it does not keep reporting fixed secrets.
 */
export async function upsertComment(target: CommentTarget, body: string, options: { create: boolean }): Promise<CommentResult> {
  // Imported here: @actions/github reads the event payload when loaded, which only comments need.
  const { getOctokit } = await import('@actions/github');
  const octokit = getOctokit(target.token, { baseUrl: target.apiUrl });
  const where = { owner: target.owner, repo: target.repo, issue_number: target.number };
  const comments = await octokit.paginate(octokit.rest.issues.listComments, { ...where, per_page: 100 });
  const mine = comments.filter((c) => c.body?.includes(COMMENT_MARKER));
  // Prefer one written by a bot (the workflow's token) over a human's quote of it.
  const existing = mine.find((c) => c.user?.type === 'Bot') ?? mine[0];
  if (existing) {
    if (existing.body !== body) await octokit.rest.issues.updateComment({ owner: target.owner, repo: target.repo, comment_id: existing.id, body });
    return { action: 'updated', id: existing.id };
  }
  if (!options.create) return { action: 'skipped' };
  const created = await octokit.rest.issues.createComment({ ...where, body });
  return { action: 'created', id: created.data.id };
}
