/**
 * The function bundle's stand-in for `@aws-sdk/credential-provider-node` (an esbuild alias,
 * infra/bundling/scanner-esbuild.ts). Lambda hands the execution role's credentials to
 * the function in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, so the full default
 * chain (SSO, web identity, ini files, process, and the STS/SSO clients behind them: about 100 KB of
 * the bundle) is never used there. Local runs and tests keep the SDK's own chain.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';

export const defaultProvider = (init?: Parameters<typeof fromEnv>[0]) => fromEnv(init);
