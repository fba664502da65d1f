#!/usr/bin/env node
/** The `hwdash` executable (package.json `bin`). */
import module from 'node:module';

// Checked before anything else loads: on an older Node, hwdash would fail later in ways that say nothing about the
// cause (JSON.rawJSON, Array.fromAsync and the fetch it relies on arrive in Node 21 and 22).
const MIN_NODE_MAJOR = 22;
const nodeMajor = Number(process.versions.node.split('.')[0]);
if (nodeMajor < MIN_NODE_MAJOR) {
  process.stderr.write(
    `hwdash needs Node.js ${MIN_NODE_MAJOR} or newer, and this is Node.js ${process.versions.node}.\n` +
      `Install a current LTS release (https://nodejs.org) or use a version manager (nvm install --lts), then run hwdash again.\n`,
  );
  process.exit(1);
}

// Start-up time is mostly spent compiling commander and the command definitions; V8's code cache on disk
// saves most of that from the second run on.
module.enableCompileCache?.();
await import('./program.js');
