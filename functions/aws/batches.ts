/**
 * Cutting a list into requests that respect an API's two limits at once: items per call and bytes per
 * call (BatchImportFindings: 100 findings and 6 MB; PutEvents: 10 entries and 256 KB). Greedy and in
 * order, so the number of calls is the fewest for that order.
 */
export function batchesOf<T>(
  items: Iterable<T>,
  maxItems: number,
  maxBytes: number,
  sizeOf: (item: T) => number,
): T[][] {
  const batches: T[][] = [];
  let batch: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = sizeOf(item);
    if (batch.length > 0 && (batch.length >= maxItems || bytes + size > maxBytes)) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(item);
    bytes += size;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}
