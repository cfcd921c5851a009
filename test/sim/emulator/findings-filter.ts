/**
 * GetFindings filters (AwsSecurityFindingFilters) with Security Hub's semantics (API reference,
 * StringFilter / MapFilter): for one attribute, positive comparisons (EQUALS, PREFIX) are ORed and
 * negative ones (NOT_EQUALS, PREFIX_NOT_EQUALS) ANDed; positives are applied first, then negatives
 * exclude; EQUALS together with a NOT_EQUALS / PREFIX_NOT_EQUALS on the same attribute is an error.
 * Attributes are ANDed. At most 10 attributes × 20 values (Security Hub API reference, GetFindings).
 *
 * CONTAINS and NOT_CONTAINS are in the Comparison enum but, per the StringFilter.Comparison doc in
 * the securityhub API model, only automation rules take them, and CONTAINS_WORD only the V2 finding
 * APIs: GetFindings refuses all three (InvalidInputException), for map filters too (the stricter
 * reading: the MapFilter doc says the same of CONTAINS / NOT_CONTAINS).
 */
import { AwsError } from './protocols.ts';

type Json = Record<string, unknown>;
export type Finding = Json;

/** String attributes: filter name → values of the finding it compares (any match for lists). */
const STRING_ATTRIBUTES: Record<string, (f: Finding) => unknown[]> = {
  Id: (f) => [f.Id],
  ProductArn: (f) => [f.ProductArn],
  GeneratorId: (f) => [f.GeneratorId],
  AwsAccountId: (f) => [f.AwsAccountId],
  Title: (f) => [f.Title],
  Description: (f) => [f.Description],
  RecordState: (f) => [f.RecordState],
  ComplianceStatus: (f) => [(f.Compliance as Json | undefined)?.Status],
  WorkflowStatus: (f) => [(f.Workflow as Json | undefined)?.Status],
  WorkflowState: (f) => [f.WorkflowState],
  SeverityLabel: (f) => [(f.Severity as Json | undefined)?.Label],
  Type: (f) => (f.Types as unknown[] | undefined) ?? [],
  ProductName: (f) => [f.ProductName],
  CompanyName: (f) => [f.CompanyName],
  ResourceId: (f) => resources(f).map((r) => r.Id),
  ResourceType: (f) => resources(f).map((r) => r.Type),
  ResourcePartition: (f) => resources(f).map((r) => r.Partition),
  ResourceRegion: (f) => resources(f).map((r) => r.Region),
  ComplianceSecurityControlId: (f) => [(f.Compliance as Json | undefined)?.SecurityControlId],
};

/** Map attributes: filter name → the map of the finding ({Key, Value, Comparison}). */
const MAP_ATTRIBUTES: Record<string, (f: Finding) => Json | undefined> = {
  ProductFields: (f) => f.ProductFields as Json | undefined,
  UserDefinedFields: (f) => f.UserDefinedFields as Json | undefined,
  ResourceTags: (f) => Object.assign({}, ...resources(f).map((r) => (r.Tags as Json | undefined) ?? {})),
  ResourceDetailsOther: (f) =>
    Object.assign(
      {},
      ...resources(f).map((r) => ((r.Details as Json | undefined)?.Other as Json | undefined) ?? {}),
    ),
};

const DATE_ATTRIBUTES: Record<string, (f: Finding) => unknown> = {
  CreatedAt: (f) => f.CreatedAt,
  UpdatedAt: (f) => f.UpdatedAt,
  FirstObservedAt: (f) => f.FirstObservedAt,
  LastObservedAt: (f) => f.LastObservedAt,
};

function resources(f: Finding): Json[] {
  return (f.Resources as Json[] | undefined) ?? [];
}

const POSITIVE = new Set(['EQUALS', 'PREFIX']);
const NEGATIVE = new Set(['NOT_EQUALS', 'PREFIX_NOT_EQUALS']);
/** In the enum, refused by GetFindings (see above). */
const NOT_FOR_GET_FINDINGS = new Set(['CONTAINS', 'NOT_CONTAINS', 'CONTAINS_WORD']);

function compare(comparison: string, actual: unknown, expected: string): boolean {
  if (typeof actual !== 'string') return false;
  switch (comparison) {
    case 'EQUALS':
    case 'NOT_EQUALS':
      return actual === expected;
    default:
      return actual.startsWith(expected);
  }
}

interface Condition {
  comparison: string;
  value: string;
}

/** Positive ORed, then negatives ANDed; list-valued attributes match if any element matches. */
function matchValues(values: unknown[], conditions: Condition[]): boolean {
  const positives = conditions.filter((c) => POSITIVE.has(c.comparison));
  const negatives = conditions.filter((c) => NEGATIVE.has(c.comparison));
  if (positives.length > 0 && !positives.some((c) => values.some((v) => compare(c.comparison, v, c.value))))
    return false;
  return negatives.every((c) => !values.some((v) => compare(c.comparison, v, c.value)));
}

function checkComparisons(name: string, conditions: Condition[]): void {
  for (const c of conditions) {
    if (NOT_FOR_GET_FINDINGS.has(c.comparison)) {
      throw new AwsError(
        'InvalidInputException',
        `Comparison ${c.comparison} for filter ${name} is supported for automation rules only, not GetFindings`,
      );
    }
    if (!POSITIVE.has(c.comparison) && !NEGATIVE.has(c.comparison)) {
      throw new AwsError('InvalidInputException', `Invalid comparison ${c.comparison} for filter ${name}`);
    }
  }
  const has = (cmp: string) => conditions.some((c) => c.comparison === cmp);
  if (has('EQUALS') && (has('NOT_EQUALS') || has('PREFIX_NOT_EQUALS'))) {
    throw new AwsError(
      'InvalidInputException',
      `Filter ${name} cannot combine EQUALS with NOT_EQUALS or PREFIX_NOT_EQUALS`,
    );
  }
}

/** Compile the Filters object into a predicate; throws InvalidInputException on bad input. */
export function compileFilters(filters: unknown): (finding: Finding) => boolean {
  if (filters === undefined || filters === null) return () => true;
  if (typeof filters !== 'object' || Array.isArray(filters))
    throw new AwsError('InvalidInputException', 'Filters must be an object');
  const entries = Object.entries(filters as Json).filter(([, v]) => Array.isArray(v) && v.length > 0) as [
    string,
    Json[],
  ][];
  if (entries.length > 10)
    throw new AwsError('InvalidInputException', 'You can specify at most 10 filter attributes');
  const predicates: ((f: Finding) => boolean)[] = [];
  for (const [name, raw] of entries) {
    if (raw.length > 20)
      throw new AwsError('InvalidInputException', `Filter ${name} has more than 20 values`);
    if (STRING_ATTRIBUTES[name]) {
      const get = STRING_ATTRIBUTES[name];
      const conditions = raw.map((c) => ({ comparison: String(c.Comparison), value: String(c.Value) }));
      checkComparisons(name, conditions);
      predicates.push((f) =>
        matchValues(
          get(f).filter((v) => v !== undefined),
          conditions,
        ),
      );
    } else if (MAP_ATTRIBUTES[name]) {
      const get = MAP_ATTRIBUTES[name];
      const byKey = new Map<string, Condition[]>();
      for (const c of raw) {
        const key = String(c.Key);
        byKey.set(key, [
          ...(byKey.get(key) ?? []),
          { comparison: String(c.Comparison), value: String(c.Value) },
        ]);
      }
      for (const [key, conditions] of byKey) checkComparisons(`${name}.${key}`, conditions);
      predicates.push((f) => {
        const map = get(f) ?? {};
        return [...byKey].every(([key, conditions]) =>
          matchValues(map[key] === undefined ? [] : [map[key]], conditions),
        );
      });
    } else if (DATE_ATTRIBUTES[name]) {
      const get = DATE_ATTRIBUTES[name];
      predicates.push((f) => {
        const at = Date.parse(String(get(f)));
        return raw.some((d) => {
          if (d.DateRange) {
            const range = d.DateRange as { Value: number; Unit: string };
            return at >= Date.now() - range.Value * 86_400_000;
          }
          return (
            (d.Start === undefined || at >= Date.parse(String(d.Start))) &&
            (d.End === undefined || at <= Date.parse(String(d.End)))
          );
        });
      });
    } else {
      throw new AwsError(
        'InvalidInputException',
        `The emulator does not support the filter attribute ${name}`,
      );
    }
  }
  return (finding) => predicates.every((p) => p(finding));
}
