import { describe, expect, it } from 'vitest';
import { imageTag, sameVersion, versionParts, versionSkew } from './versions';

describe('versions', () => {
  it('reads the numeric parts of the versions the systems print', () => {
    expect(versionParts('7.0')).toEqual([7, 0]);
    expect(versionParts('7.0.3')).toEqual([7, 0, 3]);
    expect(versionParts('v2.1.2-20250120')).toEqual([2, 1, 2]);
    expect(versionParts('latest')).toBeUndefined();
  });

  it('takes the tag of an image reference, not a registry port or a digest', () => {
    expect(imageTag('rocketchat/rocket.chat:7.0.3')).toBe('7.0.3');
    expect(imageTag('registry.local:5000/rocketchat/presence-service:7.1.0@sha256:abcd')).toBe('7.1.0');
    expect(imageTag('registry.local:5000/rocketchat/presence-service')).toBeUndefined();
  });

  it('compares on the parts every version carries', () => {
    expect(versionSkew([
      { host: 'a', version: '7.0', source: '/api/info' },
      { host: 'b', version: '7.0.3', source: 'image tag' },
    ])).toBeUndefined();
    const skew = versionSkew([
      { host: 'a', version: '7.0', source: '/api/info' },
      { host: 'b', version: '7.1.0', source: 'log banner' },
      { host: 'c', version: '7.0', source: '/api/info' },
    ]);
    expect(skew?.distinct).toEqual(['7.0', '7.1.0']);
    expect(versionSkew([{ host: 'a', version: '7.0', source: 'x' }])).toBeUndefined();
    expect(sameVersion('v2.1.2-20250120', 'v2.1.2-20250201')).toBe(true);
    expect(sameVersion('7.1', '7.0.3')).toBe(false);
    expect(sameVersion('latest', '7.0')).toBeUndefined();
  });
});
