/**
 * The kubelet's version as the controls compare it: major and minor of the first line of its binary's
 * `--version` ("Kubernetes v1.32.3-eks-7636447"), which the collector records per kubelet process.
 */

export interface KubeletVersion {
  readonly major: number;
  readonly minor: number;
}

/** Major and minor of a `--version` line; undefined when there is none or it does not read as one. */
export function parseKubeletVersion(version: string | undefined): KubeletVersion | undefined {
  const match = version === undefined ? null : /\bv?(\d+)\.(\d+)/.exec(version);
  if (match === null) return undefined;
  return { major: Number(match[1]), minor: Number(match[2]) };
}

/** True when `version` is `major.minor` or later. */
export function isAtLeast(version: KubeletVersion, major: number, minor: number): boolean {
  return version.major !== major ? version.major > major : version.minor >= minor;
}
