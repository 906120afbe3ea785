import { describe, expect, it } from 'vitest';
import { confirmationTail, hostKeyFileFor, parsePublicKeyLine, sha256Fingerprint } from './fingerprint';

// Made with ssh-keygen -t ed25519 / -t ecdsa; fingerprints as `ssh-keygen -lf` printed them.
const ed25519 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINQXFnlsA+aPeb5UFo9fYvCLZWeYHe2vI/4xrvZ3vr4j vec';
const ed25519Fingerprint = 'SHA256:V8t4rhI3q3inGXPIQG4JJe8r/+m8BhsNc/oiabhhM14';
const ecdsa =
  'ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBDTjHnhy7ewzh11Hyu6diaayoUOCc+fymcVHSaZasp/G1d3xOoFYKbOttUAzj8pwcEaZ7fO3vy6dbt14Ykdx0PI= vec';
const ecdsaFingerprint = 'SHA256:yTaPf+85Dt+aEH+1A0U/aR/YMfSl36CQVd3bCtTPj6o';

describe('parsePublicKeyLine', () => {
  it('reads a .pub line, a known_hosts line and ssh-keyscan output', () => {
    const blob = ed25519.split(' ')[1];
    expect(parsePublicKeyLine(ed25519)).toEqual({ keyType: 'ssh-ed25519', publicKey: blob });
    expect(parsePublicKeyLine(`[10.0.0.5]:2222 ${ed25519}\n`)).toEqual({ keyType: 'ssh-ed25519', publicKey: blob });
    expect(parsePublicKeyLine(`  db-1 ${ecdsa.split(' ').slice(0, 2).join(' ')}`)?.keyType).toBe('ecdsa-sha2-nistp256');
  });

  it('refuses text that is not a key, and a blob whose inner type differs from the line', () => {
    expect(parsePublicKeyLine('hello world')).toBeUndefined();
    expect(parsePublicKeyLine('ssh-ed25519 not-base64!')).toBeUndefined();
    expect(parsePublicKeyLine(`ssh-rsa ${ed25519.split(' ')[1]}`)).toBeUndefined();
  });
});

describe('sha256Fingerprint', () => {
  it('prints what ssh-keygen -lf prints', async () => {
    expect(await sha256Fingerprint(parsePublicKeyLine(ed25519)!.publicKey)).toBe(ed25519Fingerprint);
    expect(await sha256Fingerprint(parsePublicKeyLine(ecdsa)!.publicKey)).toBe(ecdsaFingerprint);
  });
});

describe('helpers', () => {
  it('asks for the last eight characters of the fingerprint', () => {
    expect(confirmationTail(ed25519Fingerprint)).toBe('iabhhM14');
  });
  it('names the host key file of each key type', () => {
    expect(hostKeyFileFor('ssh-ed25519')).toBe('/etc/ssh/ssh_host_ed25519_key.pub');
    expect(hostKeyFileFor('ecdsa-sha2-nistp384')).toBe('/etc/ssh/ssh_host_ecdsa_key.pub');
    expect(hostKeyFileFor('rsa-sha2-512')).toBe('/etc/ssh/ssh_host_rsa_key.pub');
  });
});
