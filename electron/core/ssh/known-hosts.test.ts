import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair, type KeyPair } from '../../testing/keys';
import { runOk } from '../../testing/process';
import { fingerprintOf, parsePublicKey, type HostKey } from './host-key';
import { KnownHostsStore } from './known-hosts';
import { hostFieldMatches, knownHostsName, parseKnownHosts } from './known-hosts-format';

let dir: string;
let pairA: KeyPair;
let pairB: KeyPair;
let keyA: HostKey;
let keyB: HostKey;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sb-known-hosts-'));
  [pairA, pairB] = await Promise.all([generateKeyPair(dir, 'a'), generateKeyPair(dir, 'b')]);
  keyA = parsePublicKey(pairA.publicLine);
  keyB = parsePublicKey(pairB.publicLine);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function bare(pair: KeyPair): string {
  return pair.publicLine.split(' ').slice(0, 2).join(' ');
}

describe('fingerprints', () => {
  it('match what ssh-keygen -l prints', async () => {
    const printed = await runOk('ssh-keygen', ['-l', '-E', 'sha256', '-f', pairA.publicPath]);
    expect(printed.split(' ')[1]).toBe(fingerprintOf(keyA.blob));
    expect(fingerprintOf(keyA.blob)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });
});

describe('known_hosts matching', () => {
  it('uses [host]:port for non-default ports and the bare name for 22', () => {
    expect(knownHostsName('Example.COM', 22)).toBe('example.com');
    expect(knownHostsName('10.0.0.1', 2222)).toBe('[10.0.0.1]:2222');
    expect(hostFieldMatches('example.com', 'example.com', 22)).toBe(true);
    expect(hostFieldMatches('example.com', 'example.com', 2222)).toBe(false);
    expect(hostFieldMatches('[example.com]:2222', 'example.com', 2222)).toBe(true);
  });

  it('handles comma lists, wildcards and negation', () => {
    expect(hostFieldMatches('db1,db2,10.0.0.5', 'db2', 22)).toBe(true);
    expect(hostFieldMatches('*.example.com', 'node1.example.com', 22)).toBe(true);
    expect(hostFieldMatches('node?.example.com', 'node12.example.com', 22)).toBe(false);
    expect(hostFieldMatches('*.example.com,!bad.example.com', 'bad.example.com', 22)).toBe(false);
    expect(hostFieldMatches('a.b+c', 'aXb+c', 22)).toBe(false);
  });

  it('matches hashed entries written by ssh-keygen -H', async () => {
    const path = join(dir, 'hashed');
    await writeFile(path, `[127.0.0.1]:2222 ${bare(pairA)}\nexample.com ${bare(pairA)}\n`);
    await runOk('ssh-keygen', ['-H', '-f', path]);
    const entries = parseKnownHosts(await readFile(path, 'utf8'));
    expect(entries).toHaveLength(2);
    expect(entries.every((entry) => entry.hosts.startsWith('|1|'))).toBe(true);
    expect(entries.filter((entry) => hostFieldMatches(entry.hosts, '127.0.0.1', 2222))).toHaveLength(1);
    expect(entries.filter((entry) => hostFieldMatches(entry.hosts, 'example.com', 22))).toHaveLength(1);
    expect(entries.filter((entry) => hostFieldMatches(entry.hosts, 'example.org', 22))).toHaveLength(0);
  });

  it('skips comments, @cert-authority and malformed lines; keeps @revoked', () => {
    const entries = parseKnownHosts(
      [
        '# a comment',
        '',
        `@cert-authority *.example.com ${bare(pairA)}`,
        `@revoked bad.example.com ${bare(pairB)}`,
        'garbage',
        'host ssh-ed25519 not*base64',
        `good.example.com ${bare(pairA)} trailing comment`,
      ].join('\n'),
    );
    expect(entries.map((e) => [e.hosts, e.revoked, e.line])).toEqual([
      ['bad.example.com', true, 4],
      ['good.example.com', false, 7],
    ]);
  });
});

describe('KnownHostsStore', () => {
  it('reports trusted, unknown and changed keys, trusting the user file read-only', async () => {
    const userFile = join(dir, 'user_known_hosts');
    await writeFile(userFile, `[10.1.1.1]:2200 ${bare(pairA)}\n`);
    await runOk('ssh-keygen', ['-H', '-f', userFile]);
    const before = await readFile(userFile, 'utf8');
    const store = new KnownHostsStore({ storePath: join(dir, 'store1', 'known_hosts'), trustedPaths: [userFile] });

    expect((await store.check('10.1.1.1', 2200, keyA)).status).toBe('trusted');
    expect(await store.check('10.1.1.2', 2200, keyA)).toEqual({ status: 'unknown', knownTypes: [] });
    const changed = await store.check('10.1.1.1', 2200, keyB);
    expect(changed).toEqual({
      status: 'changed',
      expected: [{ keyType: 'ssh-ed25519', fingerprint: fingerprintOf(keyA.blob), source: `${userFile}:1` }],
    });
    expect(await readFile(userFile, 'utf8')).toBe(before);
  });

  it('adds idempotently and replaces only by explicit call, overriding the user file', async () => {
    const userFile = join(dir, 'user_known_hosts_2');
    await writeFile(userFile, `[10.2.2.2]:22022 ${bare(pairA)}\n`);
    const storePath = join(dir, 'store2', 'known_hosts');
    const store = new KnownHostsStore({ storePath, trustedPaths: [userFile] });

    await store.add('10.9.9.9', 22, keyA);
    await store.add('10.9.9.9', 22, keyA);
    expect((await readFile(storePath, 'utf8')).trim().split('\n')).toEqual([`10.9.9.9 ${bare(pairA)}`]);

    expect((await store.check('10.2.2.2', 22022, keyB)).status).toBe('changed');
    await store.replace('10.2.2.2', 22022, keyB);
    expect((await store.check('10.2.2.2', 22022, keyB)).status).toBe('trusted');
    // The old key, still in the user's file, is no longer trusted for this host.
    expect((await store.check('10.2.2.2', 22022, keyA)).status).toBe('changed');

    await store.replace('10.9.9.9', 22, keyB);
    const lines = (await readFile(storePath, 'utf8')).trim().split('\n');
    expect(lines).toEqual([`[10.2.2.2]:22022 ${bare(pairB)}`, `10.9.9.9 ${bare(pairB)}`]);
  });

  it('refuses a key listed as @revoked', async () => {
    const storePath = join(dir, 'store3');
    await writeFile(storePath, `@revoked * ${bare(pairB)}\n`);
    const store = new KnownHostsStore({ storePath });
    expect((await store.check('anything', 22, keyB)).status).toBe('revoked');
    expect((await store.check('anything', 22, keyA)).status).toBe('unknown');
  });

  it('keeps every line when many approvals write at once', async () => {
    const storePath = join(dir, 'store4');
    const store = new KnownHostsStore({ storePath });
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.add(`10.0.0.${i}`, 22, keyA)));
    expect((await readFile(storePath, 'utf8')).trim().split('\n')).toHaveLength(20);
  });
});
