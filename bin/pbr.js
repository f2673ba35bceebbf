#!/usr/bin/env node
// Thin entry: everything lives in src/cli.ts (compiled to dist/ by `npm install`'s prepare step).
const { main } = await import('../dist/cli.js');
process.exitCode = await main(process.argv);
