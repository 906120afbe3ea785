import { describe, expect, it } from 'vitest';
import { canonicalJson, nodeVerdict, staleNodes } from './verify';

describe('nodeVerdict', () => {
  it('a node that runs the expected license and is not restricted is applied', () => {
    expect(nodeVerdict({ node: 'rc1', reached: true, healthy: true, license: 'expected', restriction: 'removed' })).toMatchObject({ state: 'applied', readOnly: false });
  });

  it('a node whose own log says it is restricted is stale, whatever licenses.info says', () => {
    expect(nodeVerdict({ node: 'rc2', reached: true, healthy: true, license: 'expected', restriction: 'applied' })).toMatchObject({ state: 'stale', readOnly: true });
  });

  it('a node on another license or none is stale: it applies the stored one when it starts again', () => {
    expect(nodeVerdict({ node: 'rc3', reached: true, healthy: true, license: 'other' }).state).toBe('stale');
    expect(nodeVerdict({ node: 'rc3', reached: true, healthy: true, license: 'none' }).detail).toContain('no license');
  });

  it('an unreachable or unhealthy node is down, never stale (a restart is not the answer)', () => {
    expect(nodeVerdict({ node: 'rc4', reached: false, reachError: 'connect ECONNREFUSED', license: 'unknown' })).toMatchObject({ state: 'down', detail: 'not reachable: connect ECONNREFUSED' });
    expect(nodeVerdict({ node: 'rc4', reached: true, healthy: false, healthDetail: 'MongoDB not reachable', license: 'expected' }).state).toBe('down');
  });

  it('without licenses.info, only the log can tell: removed is applied, silence is unknown', () => {
    expect(nodeVerdict({ node: 'rc1', reached: true, license: 'unknown', restriction: 'removed' }).state).toBe('applied');
    expect(nodeVerdict({ node: 'rc1', reached: true, license: 'unknown', licenseDetail: 'no credentials' })).toMatchObject({ state: 'unknown', detail: expect.stringContaining('no credentials') });
  });

  it('staleNodes lists only the stale ones, in order', () => {
    const nodes = [
      nodeVerdict({ node: 'rc1', reached: true, license: 'expected' }),
      nodeVerdict({ node: 'rc2', reached: true, license: 'other' }),
      nodeVerdict({ node: 'rc3', reached: false, license: 'unknown' }),
      nodeVerdict({ node: 'rc4', reached: true, license: 'none' }),
    ];
    expect(staleNodes(nodes)).toEqual(['rc2', 'rc4']);
  });
});

describe('canonicalJson', () => {
  it('compares objects by content whatever the key order, and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, 1], c: null } })).toBe(canonicalJson({ a: { c: null, d: [2, 1] }, b: 1 }));
    expect(canonicalJson({ a: [1, 2] })).not.toBe(canonicalJson({ a: [2, 1] }));
  });
});
