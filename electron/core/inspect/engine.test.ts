import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/contract/errors';
import { shellQuote } from '../../../shared/shell/quote';
import type { Cluster, Host } from '../../../shared/inventory/schema';
import { genericProfile, hostProbes } from '../../../shared/stacks/profiles/generic';
import { raise, type FindingRule } from '../../../shared/stacks/findings';
import { valueOf, type ClusterSnapshot, type CommandProbe } from '../../../shared/stacks/profile';
import { createLogger } from '../log/logger';
import { hostScript, InspectEngine, type FindingSource } from './engine';
import type { HostRunner, RunResult } from '../hosts/host-runner';

const host = (name: string): Host => ({ name, address: '127.0.0.1', port: 22, user: 'ops', roles: ['generic'], auth: { method: 'agent' } });
const cluster: Cluster = { name: 'c1', environment: 'lab', stacks: ['generic'], hosts: [host('here'), host('gone'), host('full')] };

/** Swaps one probe's command in the script, whether it sits there plain or quoted for `sh -c`. */
function swap(script: string, from: string, to: string): string {
  return script.includes(shellQuote(from)) ? script.replace(shellQuote(from), shellQuote(to)) : script.replace(from, to);
}

/** Runs the probe script with this machine's real /bin/sh, as a host would. */
function localShell(argv: readonly string[]): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(argv[0]!, argv.slice(1), (error, stdout, stderr) => {
      resolve({ exitCode: error ? Number(error.code ?? 1) : 0, signal: null, stdout, stderr, stdoutTruncated: false, stderrTruncated: false });
    });
  });
}

const runner: HostRunner = {
  async run(_cluster, h, argv) {
    if (h.name === 'gone') throw new AppError('SSH_CONNECT', 'connect ECONNREFUSED 127.0.0.1:22');
    if (h.name === 'full') {
      // A host whose df reports a 95% full /var: the rest of the script is real.
      const fakeDf = "printf 'Filesystem 1024-blocks Used Available Capacity Mounted on\\n/dev/sda1 100 95 5 95%% /var\\n'";
      const script = swap(argv[2]!, 'df -P', fakeDf);
      return localShell([argv[0]!, argv[1]!, script]);
    }
    return localShell(argv);
  },
};

describe('InspectEngine', () => {
  it('probes every host in one script and parses the real output of this machine', async () => {
    const engine = new InspectEngine({ runner, profiles: [genericProfile], log: createLogger() });
    const { snapshot } = await engine.inspect(cluster);
    const here = snapshot.hosts.find((h) => h.host.name === 'here')!;
    expect(here.reach).toEqual({ ok: true });
    expect(valueOf(here, hostProbes.loadavg)?.threads).toBeGreaterThan(0);
    expect(valueOf(here, hostProbes.meminfo)?.totalBytes).toBeGreaterThan(0);
    expect(Math.abs(valueOf(here, hostProbes.clock)! - Date.now() / 1000)).toBeLessThan(5);
    expect(valueOf(here, hostProbes.disk)?.filesystems.length).toBeGreaterThan(0);
  });

  it('turns an unreachable host into a P1 finding with the error as evidence, and a full disk into a P2', async () => {
    const engine = new InspectEngine({ runner, profiles: [genericProfile], log: createLogger() });
    const { findings } = await engine.inspect(cluster);
    const unreachable = findings.find((f) => f.ruleId === 'host.unreachable');
    expect(unreachable).toMatchObject({ severity: 'P1', hosts: ['gone'], evidence: expect.stringContaining('ECONNREFUSED') });
    const disk = findings.find((f) => f.ruleId === 'host.disk-full');
    expect(disk).toMatchObject({ severity: 'P2', hosts: ['full'], params: { mount: '/var', percent: 95 } });
    expect(disk?.evidence).toContain('/dev/sda1 100 95 5 95% /var');
    expect(findings[0]?.severity).toBe('P1');
  });

  it('reports a clock off by minutes as skew', async () => {
    const skewed: HostRunner = {
      run: (_c, _h, argv) => localShell([argv[0]!, argv[1]!, swap(argv[2]!, 'date +%s', `echo ${Math.round(Date.now() / 1000) + 300}`)]),
    };
    const engine = new InspectEngine({ runner: skewed, profiles: [genericProfile], log: createLogger() });
    const { findings } = await engine.inspect({ ...cluster, hosts: [host('here')] });
    const skew = findings.find((f) => f.ruleId === 'host.clock-skew');
    expect(skew?.params.skew).toBeGreaterThan(290);
  });

  it('marks sections cut off by a vanished host as unknown, never as a negative fact', async () => {
    const cut: HostRunner = {
      run: async (c, h, argv) => {
        const result = await localShell(argv);
        return { ...result, stdout: result.stdout.slice(0, result.stdout.indexOf('host.clock') + 40) };
      },
    };
    const engine = new InspectEngine({ runner: cut, profiles: [genericProfile], log: createLogger() });
    const { snapshot } = await engine.inspect({ ...cluster, hosts: [host('here')] });
    const facts = snapshot.hosts[0]!.facts;
    expect(facts['host.loadavg']?.status).toBe('ok');
    expect(facts['host.disk']).toMatchObject({ status: 'unknown' });
  });
});

describe('host key refusals', () => {
  it('carry the fingerprints and the presented key into the finding, for the replace dialog', async () => {
    const changed: HostRunner = {
      run: async () => {
        throw new AppError('SSH_HOST_KEY_CHANGED', 'The ssh-ed25519 host key of [10.0.0.7]:2222 has changed', {
          host: '10.0.0.7',
          port: 2222,
          keyType: 'ssh-ed25519',
          expectedFingerprints: ['SHA256:old'],
          presentedFingerprint: 'SHA256:new',
          presentedPublicKey: 'AAAAC3Nz',
        });
      },
    };
    const engine = new InspectEngine({ runner: changed, profiles: [genericProfile], log: createLogger() });
    const { findings, snapshot } = await engine.inspect({ ...cluster, hosts: [host('moved')] });
    expect(snapshot.hosts[0]?.reach).toMatchObject({ ok: false, details: { presentedFingerprint: 'SHA256:new' } });
    expect(findings[0]).toMatchObject({
      ruleId: 'host.host-key-changed',
      severity: 'P1',
      params: { host: 'moved', address: '10.0.0.7', port: 2222, keyType: 'ssh-ed25519', knownFingerprints: 'SHA256:old', presentedFingerprint: 'SHA256:new', presentedPublicKey: 'AAAAC3Nz' },
    });
  });
});

describe('per-probe time limit', () => {
  // Two probes that may hang: the first runs under the per-probe limit, the last one is ended by the host's limit.
  const mayHang: CommandProbe<string> = { id: 'test.daemon', mayHang: true, command: () => 'sleep 30', parse: (output) => ({ status: 'ok', value: output }) };
  const profile = { ...genericProfile, probes: [mayHang, ...genericProfile.probes] };

  it('a probe that hangs becomes unknown with the reason; the others still parse', async () => {
    const engine = new InspectEngine({ runner: { run: (_c, _h, argv) => localShell(argv) }, profiles: [profile], log: createLogger(), limits: { probeTimeoutSeconds: 1 } });
    const { snapshot } = await engine.inspect({ ...cluster, hosts: [host('here')] });
    const facts = snapshot.hosts[0]!.facts;
    expect(facts['test.daemon']).toMatchObject({ status: 'unknown', reason: 'the probe did not finish within 1 s' });
    expect(facts['host.loadavg']?.status).toBe('ok');
    expect(facts['host.meminfo']?.status).toBe('ok');
    expect(facts['host.disk']?.status).toBe('ok');
  });
});

describe('hostScript', () => {
  it('puts the probes that may hang last, and only the very last one runs without a limit of its own', () => {
    const daemon: CommandProbe<string> = { id: 'test.daemon', mayHang: true, command: () => 'sleep 30', parse: (output) => ({ status: 'ok', value: output }) };
    const { nonce, script, sections } = hostScript({ cluster, host: host('here') }, [daemon, ...genericProfile.probes], 7);
    expect(sections.map((s) => [s.name, s.timeLimited])).toEqual([
      ['host.loadavg', false],
      ['host.meminfo', false],
      ['host.uptime', false],
      ['host.clock', false],
      ['test.daemon', true],
      ['host.disk', false],
    ]);
    expect(script).toContain(`@@SB-BEGIN ${nonce} test.daemon`);
    expect(script).toContain('sb_run 7 ');
  });
});

describe('finding sources', () => {
  const rule: FindingRule = { id: 'test.sourced', severity: 'P1', title: { en: 't', 'zh-CN': 't' }, why: { en: 'w', 'zh-CN': 'w' }, action: { en: 'a', 'zh-CN': 'a' }, fix: 'none' };

  it("adds each source's findings to the round and leaves out a source that fails", async () => {
    const log = createLogger({ minLevel: 'warn', sink: () => undefined });
    const seen: ClusterSnapshot[] = [];
    const fromJournal: FindingSource = async (c, snapshot) => {
      seen.push(snapshot);
      return [raise(rule, { cluster: c.name, subject: 'here', hosts: ['here'], evidence: 'from a journal' })];
    };
    const broken: FindingSource = () => Promise.reject(new Error('journal unreadable'));
    const engine = new InspectEngine({ runner, profiles: [genericProfile], log, findingSources: [broken, fromJournal] });
    const { findings } = await engine.inspect(cluster);
    expect(findings.find((f) => f.ruleId === 'test.sourced')).toMatchObject({ severity: 'P1', hosts: ['here'], evidence: 'from a journal' });
    expect(findings.map((f) => f.severity)).toEqual([...findings.map((f) => f.severity)].sort());
    expect(findings.some((f) => f.ruleId === 'host.unreachable')).toBe(true);
    expect(seen[0]?.hosts.map((h) => h.host.name)).toEqual(['here', 'gone', 'full']);
    expect(log.entries().some((entry) => entry.level === 'warn' && /finding source failed/.test(entry.message))).toBe(true);
  });
});
