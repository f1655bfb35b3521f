import { ScenarioError } from '../scenario/scenario-error.ts';

/**
 * A problem with a sweep (its file, a grid point, an output directory, a merge of mismatched parts): one line,
 * exit 2. A ScenarioError, so the CLI treats it like any other bad input.
 */
export class SweepError extends ScenarioError {
  constructor(message: string) {
    super(message);
    this.name = 'SweepError';
  }
}
