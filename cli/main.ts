/** Entry point of the `paratox` command (bin/paratox.js loads this through tsx). */
import { main } from './program.ts';

const code = await main(process.argv.slice(2));
if (code !== 0) process.exitCode = code;
