import ssh2 from 'ssh2';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { generateEd25519KeyPair } from './keys';

const parses = (key: string): boolean => !(ssh2.utils.parseKey(key) instanceof Error);

afterEach(() => {
  vi.restoreAllMocks();
});

describe('generateEd25519KeyPair', () => {
  test('every pair parses, though ssh2 draws a malformed one about once in 256', () => {
    // 2000 raw draws contain a malformed pair with probability 1 - (255/256)^2000 > 99.9 %.
    for (let i = 0; i < 2000; i++) {
      const pair = generateEd25519KeyPair('lab@test');
      expect(parses(pair.private) && parses(pair.public)).toBe(true);
      expect(pair.public).toMatch(/^ssh-ed25519 \S+ lab@test$/);
    }
  });

  test('a malformed draw is replaced by the next one', () => {
    // A good pair drawn beforehand, so the second draw is known to parse (a real one fails 1 in 256).
    const good = generateEd25519KeyPair();
    const generate = vi
      .spyOn(ssh2.utils, 'generateKeyPairSync')
      .mockReturnValueOnce({ private: 'not a key', public: 'ssh-ed25519 AAAA' })
      .mockReturnValueOnce(good);
    const pair = generateEd25519KeyPair();
    expect(generate).toHaveBeenCalledTimes(2);
    expect(pair.private).toBe(good.private);
  });

  test('gives up after a bounded number of malformed draws', () => {
    const generate = vi.spyOn(ssh2.utils, 'generateKeyPairSync').mockReturnValue({ private: 'not a key', public: 'ssh-ed25519 AAAA' });
    expect(() => generateEd25519KeyPair()).toThrow(/malformed ed25519 keys/);
    expect(generate.mock.calls.length).toBeGreaterThan(1);
    expect(generate.mock.calls.length).toBeLessThanOrEqual(10);
  });
});
