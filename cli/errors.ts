import { echo, oneLine } from '../sim/scenario/echo.ts';

/** A problem with the user's input (arguments, files): printed as one line, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(oneLine(message));
    this.name = 'UsageError';
  }
}

export const EXIT_USAGE = 2;
/** A bug (not the user's input): exit code 1. */
export const EXIT_INTERNAL = 1;

export function parseIntArg(name: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new UsageError(`${name} must be an integer in [${min}, ${max}], got ${echo(value)}`);
    }
    return n;
  };
}
