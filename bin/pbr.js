#!/usr/bin/env node
// Thin entry: everything lives in src/cli.ts (compiled to dist/ by `npm install`'s prepare step).
// Under --memory-limit the command may first re-run itself with glibc's arenas bounded (src/malloc.ts).
import { rerunWithBoundedMalloc } from '../dist/malloc.js';

const rerun = rerunWithBoundedMalloc(process.argv);
process.exitCode = rerun ? await rerun : await (await import('../dist/cli.js')).main(process.argv);
