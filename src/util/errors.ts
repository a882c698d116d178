/**
 * The few error classes keysweep throws on purpose. Each carries a code and says what was wrong and
 * where; anything else that escapes is a bug and keeps its stack.
 */
export type ErrorCode = 'USAGE' | 'CONFIG' | 'RULES' | 'IO' | 'GIT' | 'INTERNAL';

export class KeysweepError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'KeysweepError';
  }
}

export class UsageError extends KeysweepError {
  constructor(message: string) {
    super('USAGE', message);
    this.name = 'UsageError';
  }
}

export class ConfigError extends KeysweepError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CONFIG', message, options);
    this.name = 'ConfigError';
  }
}

export class RuleError extends KeysweepError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('RULES', message, options);
    this.name = 'RuleError';
  }
}

/** A one-line description of an unknown thrown value, for per-file warnings. */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return code ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}
