/**
 * CDK app entry (cdk.json: `npx tsx infra/app.ts`). Environment-agnostic, so `cdk synth` needs no AWS
 * credentials; cdk-nag AwsSolutions runs on every synth and any unacknowledged finding fails it.
 *
 *   npx cdk deploy -c schedule="rate(6 hours)" -c clusters=prod,staging -c alarmEmail=ops@example.com
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readAppSettings } from './context.ts';
import { EksKubeletAuditStack } from './scanner-stack.ts';

const app = new App();
const settings = readAppSettings((key) => app.node.tryGetContext(key));

new EksKubeletAuditStack(app, 'EksKubeletAuditStack', {
  ...(settings.alarmEmail === undefined ? {} : { alarmEmail: settings.alarmEmail }),
  scanner: {
    ...(settings.schedule === undefined ? {} : { schedule: settings.schedule }),
    ...(settings.clusters === undefined ? {} : { clusters: settings.clusters }),
    ...(settings.memorySize === undefined ? {} : { memorySize: settings.memorySize }),
    ...(settings.maxConcurrentScans === undefined ? {} : { maxConcurrentScans: settings.maxConcurrentScans }),
    ...(settings.minScanIntervalMinutes === undefined
      ? {}
      : { minScanIntervalMinutes: settings.minScanIntervalMinutes }),
    ...(settings.clustersPerInvocation === undefined
      ? {}
      : { clustersPerInvocation: settings.clustersPerInvocation }),
    securityHubExtras: settings.securityHubExtras,
  },
});

Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
