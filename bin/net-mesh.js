#!/usr/bin/env node
// The installed `net-mesh` command: runs the compiled CLI (npm run build produces dist/).
import '../dist/src/cli/main.js';
