/**
 * The `net-mesh` executable: `bin/net-mesh.js` imports the built copy of this file; during development run
 * `node --import tsx src/cli/main.ts …`. Sets the exit code instead of calling process.exit, so output drains.
 */
import { run } from './program.js';

process.exitCode = await run(process.argv.slice(2));
