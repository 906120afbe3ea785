import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  parseDfPosix,
  parseDockerInspect,
  parseDockerPs,
  parseEpochSeconds,
  parseLoadavg,
  parseMeminfo,
  parseProcUptime,
  parseSha256sum,
  parseStat,
  parseUptimeText,
} from './host';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const lines = (name: string) => fixture(name).trimEnd().split('\n');

describe('df -P', () => {
  it('reads real output, with a space in a mount point and a nearly full disk', () => {
    const parsed = parseDfPosix(fixture('host/df-P.txt'), 0);
    expect(parsed.status).toBe('ok');
    if (parsed.status !== 'ok') return;
    expect(parsed.value.filesystems.map((fs) => fs.mountedOn)).toEqual(['/', '/dev/shm', '/tmp/sbsd/mnt/data volume', '/tmp/sbsd/mnt/full']);
    expect(parsed.value.filesystems[3]).toEqual({
      filesystem: 'tmpfs',
      sizeBytes: 1024 * 1024,
      usedBytes: 940 * 1024,
      availableBytes: 84 * 1024,
      capacityPercent: 92,
      mountedOn: '/tmp/sbsd/mnt/full',
    });
    expect(parsed.value.errors).toEqual([]);
  });

  it('says unknown for a missing path or a cut header', () => {
    expect(parseDfPosix(fixture('host/df-missing-path.txt'), 1)).toMatchObject({ status: 'unknown', reason: 'df: /nonexistent: No such file or directory' });
    expect(parseDfPosix(fixture('host/df-P.txt').slice(0, 30), 0).status).toBe('unknown');
    expect(parseDfPosix('tmpfs 100 5 95 5% /run\n').status).toBe('unknown');
  });
});

describe('/proc files and uptime', () => {
  it('reads loadavg, meminfo and /proc/uptime', () => {
    expect(parseLoadavg(fixture('host/proc-loadavg.txt'))).toEqual({ status: 'ok', value: { load1: 1.69, load5: 0.85, load15: 0.41, runnable: 5, threads: 142 } });
    const meminfo = parseMeminfo(fixture('host/proc-meminfo.txt'));
    expect(meminfo).toMatchObject({ status: 'ok', value: { totalBytes: 24684084 * 1024, availableBytes: 23925752 * 1024 } });
    if (meminfo.status === 'ok') expect(meminfo.value.fields.HugePages_Total).toBe(0);
    expect(parseProcUptime(lines('host/proc-uptime-variants.txt')[3]!)).toEqual({ status: 'ok', value: { uptimeSeconds: 267255.03, idleSeconds: 1245.43 } });
  });

  it('refuses a cut meminfo and garbage', () => {
    expect(parseMeminfo('MemFree:        22801468 kB\n')).toMatchObject({ status: 'unknown', reason: 'no MemTotal (truncated?)' });
    expect(parseLoadavg(fixture('shell/dash-not-found.txt'))).toMatchObject({ status: 'unknown', reason: 'command not found: vmq-admin' });
    expect(parseProcUptime('')).toMatchObject({ status: 'unknown' });
  });

  it('reads every real uptime form and agrees with /proc/uptime to the minute', () => {
    const texts = lines('host/uptime-variants.txt');
    const procs = lines('host/proc-uptime-variants.txt');
    expect(texts).toHaveLength(5);
    texts.forEach((text, index) => {
      const parsed = parseUptimeText(text);
      expect(parsed.status, text).toBe('ok');
      const proc = parseProcUptime(procs[index]!);
      if (parsed.status !== 'ok' || proc.status !== 'ok') return;
      expect(Math.abs(parsed.value.uptimeSeconds - proc.value.uptimeSeconds), text).toBeLessThan(60);
      expect(parsed.value).toMatchObject({ users: 0, load: [1.24, 1.49, 0.78] });
    });
  });

  it('reads date +%s and refuses anything else', () => {
    expect(parseEpochSeconds(fixture('host/date-epoch.txt'), 0)).toEqual({ status: 'ok', value: 1795652804 });
    expect(parseEpochSeconds('Thu Nov 26 00:25:21 UTC 2026\n', 0).status).toBe('unknown');
    expect(parseEpochSeconds('', 0).status).toBe('unknown');
  });
});

describe('docker', () => {
  it('reads docker ps JSON lines', () => {
    const parsed = parseDockerPs(fixture('host/docker-ps-json.txt'), 0);
    expect(parsed).toMatchObject({ status: 'ok', value: [{ id: '30a73eea432e', image: 'nginx:alpine', names: ['bar'], state: 'running', status: 'Up 8 seconds' }, { names: ['foo'] }] });
    expect(parseDockerPs('', 0)).toEqual({ status: 'ok', value: [] });
    expect(parseDockerPs('{"ID":"1","Image":"x","Status":"Up 3 hours (unhealthy)","State":"running"}\n', 0)).toMatchObject({ value: [{ health: 'unhealthy' }] });
  });

  it('says unknown when the daemon is down or the output is cut', () => {
    expect(parseDockerPs(fixture('host/docker-ps-no-daemon.txt'), 1)).toMatchObject({ status: 'unknown', reason: 'Cannot connect to the Docker daemon' });
    expect(parseDockerPs(fixture('host/docker-ps-json.txt').slice(0, 500), 0).status).toBe('unknown');
  });

  it('reads docker inspect as object or array, keeping state and never the environment', () => {
    const object = fixture('host/docker-inspect-api-object.json');
    const expected = {
      name: 'railshello_web_1',
      image: 'faraday/rails_hello',
      status: 'running',
      running: true,
      restarting: false,
      exitCode: 0,
      health: { status: 'healthy', failingStreak: 0 },
      restartCount: 0,
    };
    expect(parseDockerInspect(object, 0)).toMatchObject({ status: 'ok', value: [expected] });
    expect(parseDockerInspect(`[${object}]\n`, 0)).toMatchObject({ status: 'ok', value: [expected] });
    const parsed = parseDockerInspect(object, 0);
    expect(JSON.stringify(parsed)).not.toContain('SOME_PASSWORD');
    expect(parsed.status === 'ok' && parsed.value[0]?.finishedAt).toBeUndefined();
  });

  it('never echoes a cut inspect output, which may hold secrets', () => {
    const object = fixture('host/docker-inspect-api-object.json');
    const cut = parseDockerInspect(object.slice(0, object.indexOf('SOME_PASSWORD') + 30), 0);
    expect(cut.status).toBe('unknown');
    expect(JSON.stringify(cut)).not.toContain('secret');
    expect(parseDockerInspect(fixture('host/docker-inspect-no-daemon.txt'), 1)).toMatchObject({ status: 'unknown', reason: 'Cannot connect to the Docker daemon' });
    expect(parseDockerInspect('[]\nError: No such object: voms-server\n', 1)).toMatchObject({ status: 'unknown', reason: 'no such container: voms-server' });
  });
});

describe('file facts', () => {
  it('reads sha256sum digests and reports the missing file as a fact', () => {
    expect(parseSha256sum(fixture('host/sha256sum.txt'), 0)).toEqual({
      status: 'ok',
      value: {
        files: [
          { path: '/tmp/sbsd/payload.bin', sha256: '9eb5ad1a42378f65e2e8947ad86d0e92dd9e6771e97bda56711903ddbde019b4' },
          { path: '/etc/hostname', sha256: '427f93cafd9cc19be6eec03e590c9c6cdf9f688a5eaf21fa8d72351e2b15fd05' },
        ],
        missing: [],
      },
    });
    expect(parseSha256sum(fixture('host/sha256sum-missing.txt'), 1)).toEqual({ status: 'ok', value: { files: [], missing: ['/opt/voms/bin/server.bak'] } });
    expect(parseSha256sum('9eb5ad1a42378f65e2e8947ad86d0e92dd9e6771e97bda5671', 0).status).toBe('unknown');
  });

  it('reads stat lines and missing files', () => {
    const parsed = parseStat(fixture('host/stat.txt'), 0);
    expect(parsed).toMatchObject({
      status: 'ok',
      value: { files: [{ sizeBytes: 3, mode: '755', owner: 'root', group: 'root', modifiedEpochSeconds: 1795652133, path: '/etc/hostname' }, {}, {}], missing: [] },
    });
    expect(parseStat(fixture('host/stat-missing.txt'), 1)).toEqual({ status: 'ok', value: { files: [], missing: ['/opt/voms/bin/server.bak'] } });
    expect(parseStat(fixture('shell/bash-command-not-found.txt'), 127).status).toBe('unknown');
  });
});
