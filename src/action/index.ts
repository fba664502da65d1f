/** The action's entry point: what `node dist-action/index.js` runs. */
import { run } from './main.js';

process.exitCode = await run();
// Keep-alive sockets must not hold the step open once the work is done.
process.exit();
