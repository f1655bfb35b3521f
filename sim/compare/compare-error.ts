import { oneLine } from '../scenario/echo.ts';

/**
 * Bad input to a comparison (an unreadable or malformed report, seeds result or tolerance file, scenarios that
 * differ): one line naming the file and the field. `paratox compare` prints it and exits 2; a regression is not
 * an error (exit 1, decided by the caller from the comparison).
 */
export class CompareError extends Error {
  constructor(message: string) {
    super(oneLine(message));
    this.name = 'CompareError';
  }
}
