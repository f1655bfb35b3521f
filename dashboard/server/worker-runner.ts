/** Starts a run job on its own worker thread (run-worker.mjs); cancel() terminates the thread. */
import { Worker } from 'node:worker_threads';
import type { RunJobMessage, RunJobTask } from './run-job.ts';

export interface RunHandle {
  cancel(): void;
}

/** How the queue starts a run; tests may pass a double (e.g. one that never finishes, to fill the queue). */
export type StartRun = (task: RunJobTask, onMessage: (m: RunJobMessage) => void) => RunHandle;

const WORKER_URL = new URL('./run-worker.mjs', import.meta.url);

export const startWorkerRun: StartRun = (task, onMessage) => {
  let finished = false;
  const finish = (m: RunJobMessage): void => {
    if (finished) return;
    if (m.type !== 'progress') finished = true;
    onMessage(m);
  };
  const worker = new Worker(WORKER_URL, { workerData: task });
  worker.on('message', (m: RunJobMessage) => finish(m));
  worker.on('error', (err) => finish({ type: 'failed', errorName: err.name, message: err.message.split('\n')[0] }));
  worker.on('exit', (code) => finish({ type: 'failed', errorName: 'WorkerExit', message: `the run's worker thread exited (code ${code}) before finishing` }));
  return {
    cancel: () => {
      finished = true;
      void worker.terminate();
    },
  };
};
