import { describe, expect, it } from 'vitest';
import { isAtLeast, parseKubeletVersion } from '../../functions/kubelet/kubelet-version.ts';

describe('the kubelet version', () => {
  it('reads major and minor from the --version line', () => {
    expect(parseKubeletVersion('Kubernetes v1.34.1-eks-0a1b2c3')).toEqual({ major: 1, minor: 34 });
    expect(parseKubeletVersion('Kubernetes v1.9.11')).toEqual({ major: 1, minor: 9 });
    expect(parseKubeletVersion(undefined)).toBeUndefined();
    expect(parseKubeletVersion('Kubernetes unknown')).toBeUndefined();
  });

  it('compares minor numbers as numbers and a newer major as later', () => {
    expect(isAtLeast({ major: 1, minor: 34 }, 1, 34)).toBe(true);
    expect(isAtLeast({ major: 1, minor: 100 }, 1, 34)).toBe(true);
    expect(isAtLeast({ major: 1, minor: 4 }, 1, 34)).toBe(false);
    expect(isAtLeast({ major: 1, minor: 33 }, 1, 34)).toBe(false);
    expect(isAtLeast({ major: 2, minor: 0 }, 1, 34)).toBe(true);
    expect(isAtLeast({ major: 0, minor: 99 }, 1, 34)).toBe(false);
  });
});
