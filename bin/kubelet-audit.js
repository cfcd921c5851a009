#!/usr/bin/env node
// `npx kubelet-audit …` straight after `npm ci`, with no build step: register tsx's ESM loader,
// then run the TypeScript CLI.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../functions/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
