/**
 * CDK app entry (cdk.json: `npx tsx infra/app.ts`). Environment-agnostic, so `cdk synth` needs no AWS
 * credentials; cdk-nag AwsSolutions runs on every synth and any unacknowledged finding fails it.
 * Settings: `context` in cdk.json (kept across deploys) or `-c key=value` (this command only); see
 * infra/settings-schema.ts and README "Deploy".
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { type AppSettings, readAppSettings, SettingsError } from './context.ts';
import { EksKubeletAuditStack, stackPropsFromSettings } from './scanner-stack.ts';

const app = new App();

/** A bad setting is the operator's to fix: its one line, not a stack trace. */
function settingsOrExit(): AppSettings {
  try {
    return readAppSettings(app.node.getAllContext());
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    console.error(`eks-kubelet-audit: ${error.message}`);
    process.exit(1);
  }
}

const settings = settingsOrExit();

new EksKubeletAuditStack(app, 'EksKubeletAuditStack', stackPropsFromSettings(settings));

Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
