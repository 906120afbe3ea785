import { describe, expect, test } from 'vitest';
import { humanDuration, LabClock, strftime, systemdRelative, systemdTimestamp } from './clock';
import { labBinary, readLabBinary } from './lab-binary';
import { formatTimespan, parseTimespan, parseUnitConfig } from './unit-file';

describe('time formats', () => {
  const at = Date.UTC(2026, 10, 26, 10, 15, 2, 345);

  test("systemd's timestamp and relative forms", () => {
    expect(systemdTimestamp(at)).toBe('Thu 2026-11-26 10:15:02 UTC');
    expect(systemdTimestamp(at, { name: 'CST', offsetMinutes: 480 })).toBe('Thu 2026-11-26 18:15:02 CST');
    expect(systemdRelative(0)).toBe('now');
    expect(systemdRelative(1500)).toBe('1s ago');
    expect(systemdRelative(90_000)).toBe('1min 30s ago');
    expect(systemdRelative(10 * 60_000)).toBe('10min ago');
    expect(systemdRelative(3 * 3_600_000 + 5 * 60_000)).toBe('3h 5min ago');
    expect(systemdRelative(26 * 3_600_000)).toBe('1 day 2h ago');
    expect(systemdRelative(3 * 86_400_000)).toBe('3 days ago');
    expect(systemdRelative(8 * 86_400_000)).toBe('1 week 1 day ago');
  });

  test("systemd's time spans", () => {
    expect(formatTimespan(100)).toBe('100ms');
    expect(formatTimespan(90_000)).toBe('1min 30s');
    expect(formatTimespan(1500)).toBe('1.500000s');
    expect(formatTimespan(1202.4, 1)).toBe('1.202s');
    expect(formatTimespan(Infinity)).toBe('infinity');
    expect(parseTimespan('5')).toBe(5000);
    expect(parseTimespan('1min 30s')).toBe(90_000);
    expect(parseTimespan('100ms')).toBe(100);
  });

  test("docker's human durations and strftime", () => {
    expect(humanDuration(500)).toBe('Less than a second');
    expect(humanDuration(75_000)).toBe('About a minute');
    expect(humanDuration(3 * 3_600_000 + 60_000)).toBe('3 hours');
    expect(humanDuration(3 * 86_400_000)).toBe('3 days');
    expect(strftime('%a %b %e %H:%M:%S %Z %Y|%s|%3N|%F %T', at)).toBe('Thu Nov 26 10:15:02 UTC 2026|1795688102|345|2026-11-26 10:15:02');
  });

  test('a lab clock scales delays and sees nominal time inside timer chains', async () => {
    const clock = new LabClock({ timeScale: 0.001 });
    expect(clock.scaled(10_000)).toBe(10);
    const seen: number[] = [];
    await new Promise<void>((resolve) => {
      const start = clock.labNow();
      clock.timer(1000, () => {
        seen.push(clock.labNow() - start);
        clock.timer(1000, () => {
          seen.push(clock.labNow() - start);
          resolve();
        });
      });
    });
    // The second timer was scheduled at the first one's due time: exactly 1000 lab ms later.
    expect(seen[1]! - seen[0]!).toBeCloseTo(1000, 6);
    expect(seen[0]).toBeGreaterThanOrEqual(1000);
    expect(clock.forHost({ skewMs: 300_000 }).now() - clock.now()).toBeGreaterThanOrEqual(299_000);
  });
});

describe('unit files and lab binaries', () => {
  test('drop-ins override the unit file; ExecStart is split into argv', () => {
    const config = parseUnitConfig('voms-server.service', [
      '[Unit]\nDescription=VOMS server\nStartLimitBurst=3\n[Service]\nExecStart=/opt/voms/bin/server --config "/opt/voms/config production.json"\nRestart=on-failure\nRestartSec=5s\n',
      '[Service]\nRestart=always\n',
    ]);
    expect(config).toMatchObject({
      description: 'VOMS server',
      execStart: ['/opt/voms/bin/server', '--config', '/opt/voms/config production.json'],
      restart: 'always',
      restartMs: 5000,
      startLimitBurst: 3,
      startLimitIntervalMs: 10_000,
    });
  });

  test('a lab binary carries its manifest; a truncated copy is not runnable', () => {
    const binary = labBinary({ program: 'voms-server', version: '1.9.0', crash: { afterMs: 300, status: 1 } });
    expect(binary.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
    expect(readLabBinary(binary)).toMatchObject({ program: 'voms-server', version: '1.9.0', crash: { status: 1 } });
    expect(labBinary({ program: 'voms-server', version: '1.9.0', crash: { afterMs: 300, status: 1 } }).equals(binary)).toBe(true);
    expect(readLabBinary(binary.subarray(0, binary.length - 1))).toBeUndefined();
    expect(readLabBinary(Buffer.from('#!/bin/sh\necho hi\n'))).toBeUndefined();
  });
});
