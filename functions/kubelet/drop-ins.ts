/**
 * --config-dir drop-ins: which files, in which order, and how they merge.
 *
 * k8s cmd/kubelet/app/server.go mergeKubeletConfigurations: `filepath.WalkDir(dir, …)` and every
 * non-directory whose `filepath.Ext(name) == ".conf"` is loaded (loadDropinConfigFileIntoJSON) and
 * applied with `jsonpatch.MergePatch` (RFC 7386), in walk order. WalkDir reads each directory sorted
 * by name (byte order) and descends into a subdirectory when it meets it, so `b/x.conf` comes before
 * `b.conf` (the entry "b" sorts before "b.conf") although a plain string sort says otherwise.
 * kubernetes website kubelet-config-file.md: drop-ins must be *.conf, are applied in sort order, and
 * must carry apiVersion and kind.
 */

/** Go filepath.Ext of the last path element is exactly ".conf" (so ".conf" itself counts, "x.conf.bak" not). */
export function isDropInName(path: string): boolean {
  const base = path.slice(path.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot !== -1 && base.slice(dot) === '.conf';
}

function components(path: string): Buffer[] {
  return path
    .split('/')
    .filter((c) => c.length > 0)
    .map((c) => Buffer.from(c, 'utf8'));
}

/** Order of two paths in a filepath.WalkDir walk: component by component, bytewise; a directory before its contents. */
export function walkDirCompare(a: string, b: string): number {
  const ca = components(a);
  const cb = components(b);
  const n = Math.min(ca.length, cb.length);
  for (let i = 0; i < n; i += 1) {
    const c = Buffer.compare(ca[i]!, cb[i]!);
    if (c !== 0) return c;
  }
  return ca.length - cb.length;
}

/** The drop-in files among a config dir's entries (host paths, directories end in "/"), in kubelet order. */
export function selectDropIns(entries: readonly string[], dir: string): string[] {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  return entries
    .filter((e) => !e.endsWith('/') && e.startsWith(prefix) && isDropInName(e))
    .sort(walkDirCompare);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function put(target: Record<string, unknown>, key: string, value: unknown): void {
  // defineProperty, so a "__proto__" key is data, not a prototype change.
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** RFC 7386 JSON merge patch: objects merge key-wise, null deletes, anything else replaces. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const result: Record<string, unknown> = {};
  if (isObject(target)) for (const [k, v] of Object.entries(target)) put(result, k, v);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete result[k];
    else put(result, k, applyMergePatch(Object.hasOwn(result, k) ? result[k] : undefined, v));
  }
  return result;
}
