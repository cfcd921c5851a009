/** Runs the CLI's entry point in-process (fast) with captured output, as a terminal or a pipe would. */
import type { AccountDeps } from '../../functions/cli/account-deps.ts';
import { main } from '../../functions/cli/main.ts';

export async function runMain(
  args: string[],
  options: { input?: string; isTTY?: boolean; accountDeps?: AccountDeps } = {},
) {
  let stdout = '';
  let stderr = '';
  const code = await main(
    args,
    {
      stdout: (t) => {
        stdout += t;
      },
      stderr: (t) => {
        stderr += t;
      },
      stdin: (async function* () {
        yield Buffer.from(options.input ?? '');
      })(),
      env: {},
      isTTY: options.isTTY ?? false,
    },
    options.accountDeps,
  );
  return { code, stdout, stderr };
}
