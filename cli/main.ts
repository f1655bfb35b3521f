/** Entry point of the `paratox` command (bin/paratox.js loads this through tsx). */
import { main, reportInternalError } from './program.ts';

// An error thrown later from a timer or socket callback (`paratox node`) is a bug too: one line, exit 1.
process.on('uncaughtException', (err) => process.exit(reportInternalError(err)));
process.on('unhandledRejection', (err) => process.exit(reportInternalError(err)));

const code = await main(process.argv.slice(2));
if (code !== 0) process.exitCode = code;
