/**
 * ASFF checks Security Hub applies per finding in BatchImportFindings (Security Hub API reference,
 * AwsSecurityFinding;
 * https://docs.aws.amazon.com/securityhub/latest/userguide/asff-required-attributes.html). A finding that
 * fails goes to FailedFindings with ErrorCode "InvalidInput" and a message in the style Security Hub uses
 * ("Finding does not adhere to Amazon Finding Format. data.Title should NOT be longer than 256 characters.").
 */
export const ASFF_LIMITS = {
  id: 512,
  generatorId: 512,
  title: 256,
  description: 1024,
  remediationText: 512,
  productFields: 50,
  productFieldKey: 128,
  productFieldValue: 2048,
  resourcesMin: 1,
  resourcesMax: 32,
  relatedRequirements: 32,
  types: 50,
  findingBytes: 240 * 1024,
} as const;

const REQUIRED = [
  'SchemaVersion',
  'Id',
  'ProductArn',
  'GeneratorId',
  'AwsAccountId',
  'CreatedAt',
  'UpdatedAt',
  'Title',
  'Description',
  'Resources',
] as const;
const SEVERITY_LABELS = new Set(['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL']);
const COMPLIANCE = new Set(['PASSED', 'WARNING', 'FAILED', 'NOT_AVAILABLE']);
const RECORD_STATES = new Set(['ACTIVE', 'ARCHIVED']);
export const WORKFLOW_STATUSES = new Set(['NEW', 'NOTIFIED', 'RESOLVED', 'SUPPRESSED']);
const PARTITIONS = new Set(['aws', 'aws-cn', 'aws-us-gov', 'aws-us-iso', 'aws-us-iso-b', 'AzureCloud']);
/** The CloudFormation DateFilter pattern for RFC 3339 timestamps (Security Hub API reference, DateFilter). */
export const RFC3339 =
  /^(\d\d\d\d)-([0][1-9]|[1][0-2])-([0][1-9]|[1-2](\d)|[3][0-1])[T](?:([0-1](\d)|[2][0-3]):[0-5](\d):[0-5](\d)|23:59:60)(?:\.(\d)+)?([Z]|[+-](\d\d)(:?(\d\d))?)$/;
export const PRODUCT_ARN = /^arn:[a-z-]+:securityhub:[a-z0-9-]+:(\d{12})?:product\/[^/]+\/[^/]+$/;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const prefix = 'Finding does not adhere to Amazon Finding Format. ';

/** undefined when valid, else the FailedFindings ErrorMessage. */
export function validateFinding(finding: unknown): string | undefined {
  if (!isObject(finding)) return `${prefix}data should be object.`;
  const fail = (path: string, what: string) => `${prefix}data.${path} ${what}.`;
  for (const key of REQUIRED) {
    if (finding[key] === undefined) return `${prefix}data should have required property '${key}'.`;
  }
  for (const key of [
    'SchemaVersion',
    'Id',
    'ProductArn',
    'GeneratorId',
    'AwsAccountId',
    'CreatedAt',
    'UpdatedAt',
    'Title',
    'Description',
  ] as const) {
    const value = finding[key];
    if (typeof value !== 'string') return fail(key, 'should be string');
    if (!/\S/.test(value)) return fail(key, 'should match pattern ".*\\S.*"');
  }
  const s = (key: string) => finding[key] as string;
  if (s('SchemaVersion') !== '2018-10-08')
    return fail('SchemaVersion', 'should be equal to one of the allowed values');
  if (s('Id').length > ASFF_LIMITS.id)
    return fail('Id', `should NOT be longer than ${ASFF_LIMITS.id} characters`);
  if (s('GeneratorId').length > ASFF_LIMITS.generatorId)
    return fail('GeneratorId', `should NOT be longer than ${ASFF_LIMITS.generatorId} characters`);
  if (!PRODUCT_ARN.test(s('ProductArn'))) return fail('ProductArn', 'should match pattern of a product ARN');
  if (!/^\d{12}$/.test(s('AwsAccountId'))) return fail('AwsAccountId', 'should match pattern "^\\d{12}$"');
  for (const key of ['CreatedAt', 'UpdatedAt', 'FirstObservedAt', 'LastObservedAt'] as const) {
    const value = finding[key];
    if (value !== undefined && (typeof value !== 'string' || !RFC3339.test(value)))
      return fail(key, 'should match format "date-time"');
  }
  if (s('Title').length > ASFF_LIMITS.title)
    return fail('Title', `should NOT be longer than ${ASFF_LIMITS.title} characters`);
  if (s('Description').length > ASFF_LIMITS.description)
    return fail('Description', `should NOT be longer than ${ASFF_LIMITS.description} characters`);

  const severityError =
    validateSeverity(finding.Severity, 'Severity') ??
    validateSeverity(
      (finding.FindingProviderFields as Json | undefined)?.Severity,
      'FindingProviderFields.Severity',
    );
  if (severityError) return `${prefix}${severityError}`;
  const fpfSeverity = isObject(finding.FindingProviderFields)
    ? finding.FindingProviderFields.Severity
    : undefined;
  if (!hasSeverity(finding.Severity) && !hasSeverity(fpfSeverity))
    return `${prefix}data should have required property 'Severity'.`;

  const text = (finding.Remediation as Json | undefined)?.Recommendation as Json | undefined;
  if (
    text?.Text !== undefined &&
    (typeof text.Text !== 'string' || text.Text.length > ASFF_LIMITS.remediationText)
  ) {
    return fail(
      'Remediation.Recommendation.Text',
      `should NOT be longer than ${ASFF_LIMITS.remediationText} characters`,
    );
  }
  if (finding.ProductFields !== undefined) {
    if (!isObject(finding.ProductFields)) return fail('ProductFields', 'should be object');
    const entries = Object.entries(finding.ProductFields);
    if (entries.length > ASFF_LIMITS.productFields)
      return fail('ProductFields', `should NOT have more than ${ASFF_LIMITS.productFields} properties`);
    for (const [key, value] of entries) {
      if (key.length > ASFF_LIMITS.productFieldKey)
        return fail(
          `ProductFields['${key}']`,
          `key should NOT be longer than ${ASFF_LIMITS.productFieldKey} characters`,
        );
      if (key.startsWith('aws/')) return fail(`ProductFields['${key}']`, 'uses the reserved prefix aws/');
      if (typeof value !== 'string') return fail(`ProductFields['${key}']`, 'should be string');
      if (value.length > ASFF_LIMITS.productFieldValue)
        return fail(
          `ProductFields['${key}']`,
          `should NOT be longer than ${ASFF_LIMITS.productFieldValue} characters`,
        );
    }
  }
  const resources = finding.Resources;
  if (!Array.isArray(resources)) return fail('Resources', 'should be array');
  if (resources.length < ASFF_LIMITS.resourcesMin)
    return fail('Resources', 'should NOT have fewer than 1 items');
  if (resources.length > ASFF_LIMITS.resourcesMax)
    return fail('Resources', `should NOT have more than ${ASFF_LIMITS.resourcesMax} items`);
  for (const [i, r] of resources.entries()) {
    if (!isObject(r)) return fail(`Resources[${i}]`, 'should be object');
    if (typeof r.Type !== 'string' || !/\S/.test(r.Type) || r.Type.length > 256)
      return fail(`Resources[${i}].Type`, 'should be a string of 1 to 256 characters');
    if (typeof r.Id !== 'string' || !/\S/.test(r.Id))
      return fail(`Resources[${i}]`, "should have required property 'Id'");
    if (r.Partition !== undefined && !PARTITIONS.has(r.Partition as string))
      return fail(`Resources[${i}].Partition`, 'should be equal to one of the allowed values');
    if (r.Region !== undefined && (typeof r.Region !== 'string' || r.Region.length > 16))
      return fail(`Resources[${i}].Region`, 'should NOT be longer than 16 characters');
  }
  const compliance = finding.Compliance as Json | undefined;
  if (compliance !== undefined) {
    if (compliance.Status !== undefined && !COMPLIANCE.has(compliance.Status as string))
      return fail('Compliance.Status', 'should be equal to one of the allowed values');
    const related = compliance.RelatedRequirements;
    if (
      related !== undefined &&
      (!Array.isArray(related) || related.length > ASFF_LIMITS.relatedRequirements)
    ) {
      return fail(
        'Compliance.RelatedRequirements',
        `should NOT have more than ${ASFF_LIMITS.relatedRequirements} items`,
      );
    }
  }
  if (finding.RecordState !== undefined && !RECORD_STATES.has(finding.RecordState as string))
    return fail('RecordState', 'should be equal to one of the allowed values');
  const workflow = finding.Workflow as Json | undefined;
  if (workflow?.Status !== undefined && !WORKFLOW_STATUSES.has(workflow.Status as string))
    return fail('Workflow.Status', 'should be equal to one of the allowed values');
  if (Array.isArray(finding.Types) && finding.Types.length > ASFF_LIMITS.types)
    return fail('Types', `should NOT have more than ${ASFF_LIMITS.types} items`);
  if (Buffer.byteLength(JSON.stringify(finding)) > ASFF_LIMITS.findingBytes)
    return `${prefix}The finding is larger than 240 KB.`;
  return undefined;
}

function hasSeverity(value: unknown): boolean {
  return (
    isObject(value) &&
    (value.Label !== undefined || value.Normalized !== undefined || value.Original !== undefined)
  );
}

function validateSeverity(value: unknown, path: string): string | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value)) return `data.${path} should be object.`;
  if (value.Label !== undefined && !SEVERITY_LABELS.has(value.Label as string))
    return `data.${path}.Label should be equal to one of the allowed values.`;
  if (
    value.Normalized !== undefined &&
    (typeof value.Normalized !== 'number' || value.Normalized < 0 || value.Normalized > 100)
  ) {
    return `data.${path}.Normalized should be <= 100.`;
  }
  return undefined;
}

/** Deprecated Normalized → Label mapping (Security Hub API reference, Severity). */
export function labelFromNormalized(n: number): string {
  if (n === 0) return 'INFORMATIONAL';
  if (n < 40) return 'LOW';
  if (n < 70) return 'MEDIUM';
  if (n < 90) return 'HIGH';
  return 'CRITICAL';
}
