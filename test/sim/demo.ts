/**
 * `npm run demo` (see test/sim/demo/run-demo.ts and docs/demo.md). Options:
 *   --aws-timing   AWS-like API latency and node run times, production poll pace (~30 s instead of ~5 s)
 */
import { runDemo } from './demo/run-demo.ts';

// The deployed Lambda runs Node.js 24; only these local SDK clients run on the developer's Node.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const args = process.argv.slice(2).filter((a) => a !== '--');
const unknown = args.filter((a) => a !== '--aws-timing');
if (unknown.length > 0) {
  process.stderr.write(`Unknown option ${unknown.join(' ')}. Usage: npm run demo [-- --aws-timing]\n`);
  process.exit(2);
}
const result = await runDemo({ awsTiming: args.includes('--aws-timing') });
process.exitCode = result.exitCode;
// After a scan timed out, its polling may still hold the event loop: do not hang on it.
setTimeout(() => process.exit(), 1000).unref();
