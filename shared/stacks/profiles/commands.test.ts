import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster, Host } from '../../inventory/schema';
import { allProfiles } from '../catalog';

/**
 * Every probe command line, run by a real /bin/sh against stub programs that record the argv they
 * receive: labels and wrapper arguments full of shell syntax must arrive as single, intact
 * arguments and never run anything.
 */

let dir: string;
let canary: string;
let log: string;
let bin: string;

const programs = ['curl', 'socat', 'systemctl', 'docker', 'kubectl', 'journalctl', 'tail', 'sha256sum', 'stat', 'grep', 'head', 'cat', 'vmq-admin', 'vernemq', 'pg_isready', 'redis-cli'];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sb-probe-commands-'));
  canary = join(dir, 'pwned');
  log = join(dir, 'argv.log');
  bin = join(dir, 'bin');
  execFileSync('mkdir', [bin]);
  for (const program of programs) {
    // One record per call, written in one go (the two ends of a pipeline run at once); socat also
    // records the line it was fed (the runtime API command).
    const stdin = program === 'socat' ? `IFS= read -r line; record="$record$(printf 'stdin:%s\\037' "$line")"\n` : '';
    writeFileSync(join(bin, program), `#!/bin/sh\nrecord=$(printf '%s\\037' "\${0##*/}" "$@")\n${stdin}printf '%s\\036' "$record" >> "$SB_LOG"\n`);
    chmodSync(join(bin, program), 0o755);
  }
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function hostile(name: string): string {
  return `/tmp/${name} a'b"c$(touch ${canary})\`touch ${canary}\`;touch ${canary}|&<>*?`;
}

const labelKeys = [
  'rocketchat.logFile',
  'haproxy.socket',
  'wukongim.config',
  'wukongim.logFile',
  'vernemq.config',
  'vernemq.root',
  'voms.binary',
  'voms.backup',
  'voms.logFile',
];

function hosts(): Host[] {
  const labels = Object.fromEntries(labelKeys.map((key) => [key, hostile(key)]));
  const base = { port: 22, user: 'ops', auth: { method: 'agent' as const }, labels };
  return [
    { ...base, name: 'all-systemd', address: '10.0.0.1', roles: ['rocketchat', 'haproxy', 'mongodb', 'presence', 'wukongim', 'vernemq', 'voms', 'postgresql', 'redis', 'nats', 'caddy'] },
    {
      ...base,
      name: 'wrapped',
      address: '10.0.0.2',
      roles: ['vernemq', 'wukongim', 'rocketchat'],
      labels: { ...labels, 'vernemq.logFile': '' },
      services: [
        { name: 'vernemq', kind: 'wrapped', wrapper: ['kubectl', 'exec', '-n', hostile('namespace'), 'vernemq-0', '--'] },
        { name: 'wukongim', kind: 'wrapped', wrapper: ['ssh', hostile('inner')], unit: 'wukongim' },
        { name: 'rocketchat', kind: 'docker', container: 'rc1' },
      ],
    },
    {
      ...base,
      name: 'escaped-units',
      address: '10.0.0.3',
      roles: ['wukongim', 'voms', 'postgresql'],
      labels: {},
      // The inventory allows systemd's escapes (backslash) and instance names (@) in unit names.
      services: [
        { name: 'wukongim', kind: 'systemd', unit: 'wk\\x2dnode@1001.service' },
        { name: 'postgresql', kind: 'systemd', unit: 'postgresql@15-main' },
      ],
    },
  ];
}

function records(): string[][] {
  if (!existsSync(log)) return [];
  return readFileSync(log, 'utf8')
    .split('\u001e')
    .filter((record) => record !== '')
    .map((record) => record.split('\u001f').slice(0, -1));
}

describe('probe command lines', () => {
  it('pass hostile labels and wrapper arguments as single arguments, and run none of them', () => {
    const all = hosts();
    const cluster: Cluster = { name: 'c', environment: 'lab', stacks: ['generic', 'rocketchat', 'presence', 'wukongim', 'vernemq', 'voms'], hosts: all };
    let ran = 0;
    for (const host of all) {
      for (const probe of allProfiles.flatMap((profile) => profile.probes)) {
        const command = probe.command({ cluster, host });
        if (command === undefined) continue;
        ran += 1;
        try {
          execFileSync('/bin/sh', ['-c', command], { env: { PATH: `${bin}:/usr/bin:/bin`, SB_LOG: log }, input: '', stdio: ['pipe', 'ignore', 'ignore'] });
        } catch {
          // Stubs and real tools (env, sh) may exit non-zero; only what they received matters.
        }
      }
    }
    expect(ran).toBeGreaterThan(40);
    expect(existsSync(canary)).toBe(false);
    const argv = records();
    const received = (value: string) => argv.some((args) => args.some((arg) => arg.includes(value)));
    for (const key of labelKeys) expect(received(hostile(key)), key).toBe(true);
    expect(argv.some((args) => args[0] === 'socat' && args.includes(`UNIX-CONNECT:${hostile('haproxy.socket')}`) && args.includes('stdin:show stat'))).toBe(true);
    expect(argv.some((args) => args[0] === 'kubectl' && args[1] === 'logs' && args[3] === hostile('namespace'))).toBe(true);
    expect(argv.some((args) => args[0] === 'kubectl' && args[1] === 'exec' && args[3] === hostile('namespace') && args.includes('vmq-admin cluster show --format=json 2>/dev/null || vmq-admin cluster show'))).toBe(true);
    expect(argv.some((args) => args[0] === 'grep' && args.at(-1) === hostile('vernemq.config'))).toBe(true);
    expect(argv.some((args) => args[0] === 'cat' && args[1] === `${hostile('vernemq.root')}/releases/start_erl.data`)).toBe(true);
    expect(argv.some((args) => args[0] === 'stat' && args.at(-2) === hostile('voms.binary') && args.at(-1) === hostile('voms.backup'))).toBe(true);
    expect(argv.some((args) => args[0] === 'systemctl' && args.at(-1) === 'wk\\x2dnode@1001.service')).toBe(true);
    expect(argv.some((args) => args[0] === 'journalctl' && args[2] === 'wk\\x2dnode@1001.service')).toBe(true);
    expect(argv.some((args) => args[0] === 'systemctl' && args.includes('postgresql@15-main'))).toBe(true);
  });
});
