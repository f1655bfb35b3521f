// Worker-thread entry of a dashboard run. Worker threads do not inherit the parent's TypeScript loader, so this
// plain-JS file registers tsx in its own thread first (the pattern of sim/sweep/cell-worker.mjs), then runs the job.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { runJob } = await import('./run-job.ts');
runJob(workerData, (message) => parentPort.postMessage(message));
