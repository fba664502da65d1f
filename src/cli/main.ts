#!/usr/bin/env node
/** The `hwdash` executable (package.json `bin`). */
import module from 'node:module';

// Start-up time is mostly spent compiling commander and the command definitions; V8's code cache on disk
// saves most of that from the second run on.
module.enableCompileCache?.();
await import('./program.js');
