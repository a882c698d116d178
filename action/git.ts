import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { gitText, runGit } from '../src/git/git.js';
import { KeysweepError } from '../src/util/errors.js';

export const ZERO_SHA = /^0{40}$/;

/** Why the action cannot see the commits it must scan, with the `fetch-depth` that fixes it. */
export class FetchDepthError extends KeysweepError {
  constructor(message: string) {
    super('GIT', `${message}. Check out with full history: add "with: fetch-depth: 0" to the actions/checkout step before keysweep`);
    this.name = 'FetchDepthError';
  }
}

/** The commits of a range, once every one of them is present with its parents. */
export interface CompleteRange {
  /** The boundary actually excluded: the merge bases of the head with each excluded revision. */
  exclude: string[];
  /** The commits in the range, oldest first. */
  commits: string[];
}

export interface RangeRequest {
  head: string;
  /** Shas or refs whose history is not part of the range (a PR's base, a push's `before`, other branches). */
  exclude: string[];
  /** What to fetch to complete it: shas and refspecs. */
  wants: string[];
  /** About how many commits the range has (sizes the first deepening). */
  sizeHint?: number;
  /** For messages: "pull request #4", "the push to main". */
  what: string;
}

/** How often the history is deepened (doubling each time) before the action unshallows it whole. */
const DEEPEN_ROUNDS = 6;

/**
 * The checkout the action runs in: usually made by actions/checkout, often shallow (fetch-depth 1).
 * Everything here reads git; `fetch` is the only network access, to the checkout's own `origin`.
 */
export class Checkout {
  constructor(
    readonly dir: string,
    private readonly log: (message: string) => void,
  ) {}

  git(args: readonly string[]): Promise<string> {
    return gitText(args, { cwd: this.dir });
  }

  async isRepository(): Promise<boolean> {
    return this.git(['rev-parse', '--git-dir']).then(
      () => true,
      () => false,
    );
  }

  async isShallow(): Promise<boolean> {
    return (await this.git(['rev-parse', '--is-shallow-repository']).catch(() => 'false')) === 'true';
  }

  /** The commits at the shallow boundary: present, but their parents are not. */
  async shallowCommits(): Promise<Set<string>> {
    const path = await this.git(['rev-parse', '--git-path', 'shallow']);
    try {
      return new Set(readFileSync(isAbsolute(path) ? path : join(this.dir, path), 'utf8').split('\n').filter(Boolean));
    } catch {
      return new Set();
    }
  }

  /** The full sha of a commit, or undefined when it is not here. */
  async resolve(rev: string): Promise<string | undefined> {
    return this.git(['rev-parse', '--verify', '--quiet', `${rev}^{commit}`]).catch(() => undefined);
  }

  async mergeBases(a: string, b: string): Promise<string[]> {
    const out = await this.git(['merge-base', '--all', a, b]).catch(() => '');
    return out.split('\n').filter(Boolean);
  }

  async isAncestor(a: string, b: string): Promise<boolean> {
    return runGit(['merge-base', '--is-ancestor', a, b], { cwd: this.dir }).then(
      () => true,
      () => false,
    );
  }

  /** `git rev-list` oldest first (parents before children). */
  async revList(args: readonly string[]): Promise<string[]> {
    const out = await this.git(['rev-list', '--topo-order', '--reverse', ...args]);
    return out.split('\n').filter(Boolean);
  }

  async parents(sha: string): Promise<string[]> {
    const line = await this.git(['rev-list', '--parents', '-n', '1', sha]).catch(() => '');
    return line.split(' ').slice(1).filter(Boolean);
  }

  /** Refs of the remote's branches and of tags: `refs/remotes/origin/x`, `refs/tags/v1`. */
  async remoteRefs(): Promise<string[]> {
    const out = await this.git(['for-each-ref', '--format=%(refname)', 'refs/remotes/origin', 'refs/tags']);
    return out.split('\n').filter((r) => r && r !== 'refs/remotes/origin/HEAD');
  }

  /** Fetches `refs` (shas, refspecs) from origin; throws FetchDepthError (with git's words) when git cannot. */
  async fetch(options: readonly string[], refs: readonly string[], why: string): Promise<void> {
    const args = [...options, 'origin', ...refs];
    this.log(`git fetch ${args.join(' ')}  (${why})`);
    try {
      await runGit(['fetch', '--no-tags', '--no-recurse-submodules', '--quiet', ...args], { cwd: this.dir });
    } catch (err) {
      throw new FetchDepthError(`${why}, but fetching from origin failed (${err instanceof Error ? err.message : String(err)})`);
    }
  }

  /**
   * The commits of `head` that are not reachable from `exclude`, fetching and deepening a shallow
   * checkout until every one of them is here with its parents (a commit at the shallow boundary would
   * be read as adding its whole tree). Gives up, saying which fetch-depth to use, when origin cannot
   * provide them.
   */
  async completeRange(request: RangeRequest): Promise<CompleteRange> {
    let depth = Math.max(50, (request.sizeHint ?? 0) + 10);
    let fetchedFull = false;
    let unshallowed = false;
    for (let round = 0; ; round++) {
      const state = await this.rangeState(request);
      if ('commits' in state) return state;
      const shallow = await this.isShallow();
      if (!shallow) {
        if (fetchedFull) throw new FetchDepthError(`${request.what}: ${state.problem} even in a full clone`);
        await this.fetch([], request.wants, `${request.what}: ${state.problem}`);
        fetchedFull = true;
      } else if (round < DEEPEN_ROUNDS) {
        await this.fetch([`--deepen=${depth}`], request.wants, `${request.what}: ${state.problem} in this shallow checkout; deepening by ${depth}`);
        depth *= 2;
      } else if (!unshallowed) {
        await this.fetch(['--unshallow'], request.wants, `${request.what}: ${state.problem} after deepening ${DEEPEN_ROUNDS} times; fetching the whole history`);
        unshallowed = true;
      } else {
        throw new FetchDepthError(`${request.what}: ${state.problem}`);
      }
    }
  }

  private async rangeState(request: RangeRequest): Promise<CompleteRange | { problem: string }> {
    const head = await this.resolve(request.head);
    if (!head) return { problem: `commit ${request.head} is not here` };
    const shallow = await this.isShallow();
    const exclude: string[] = [];
    for (const rev of request.exclude) {
      const sha = await this.resolve(rev);
      if (!sha) return { problem: `${rev} is not here` };
      const bases = await this.mergeBases(head, sha);
      if (bases.length === 0 && shallow) return { problem: `no common history of ${short(head)} and ${short(rev)} is here` };
      // Unrelated histories in a full clone: nothing of the head is reachable from it anyway.
      exclude.push(...(bases.length ? bases : [sha]));
    }
    const unique = [...new Set(exclude)];
    const commits = await this.revList([head, ...unique.map((e) => `^${e}`)]);
    if (shallow) {
      const boundary = await this.shallowCommits();
      const cut = commits.find((c) => boundary.has(c));
      if (cut) return { problem: `the parents of ${short(cut)} are not here` };
    }
    return { exclude: unique, commits };
  }
}

export function short(sha: string): string {
  return /^[0-9a-f]{40}$/.test(sha) ? sha.slice(0, 7) : sha;
}
