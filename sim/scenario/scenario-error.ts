import { oneLine } from './echo.ts';

/**
 * A user-facing problem with a scenario (file, field, contradiction, or a run that blew its budget): one line
 * naming the file, the field and the problem. The CLI prints it and exits 2. The constructor keeps it one line
 * and bounded whatever the input echoed into it.
 */
export class ScenarioError extends Error {
  constructor(message: string) {
    super(oneLine(message));
    this.name = 'ScenarioError';
  }
}
