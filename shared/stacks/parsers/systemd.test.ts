import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  parseSystemctlCat,
  parseSystemctlIsActive,
  parseSystemctlShow,
  parseSystemdTimestamp,
  systemdShowProperties,
} from './systemd';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/systemd/${name}`, import.meta.url), 'utf8');

describe('systemctl show', () => {
  it('reads every unit of a real multi-unit answer, in systemd key order', () => {
    const parsed = parseSystemctlShow(fixture('show-five-units.txt'), 0, { requiredProperties: systemdShowProperties, unitCount: 5 });
    expect(parsed.status).toBe('ok');
    if (parsed.status !== 'ok') return;
    const byId = Object.fromEntries(parsed.value.map((unit) => [unit.id, unit]));
    expect(byId['voms-server.service']).toMatchObject({
      activeState: 'active',
      subState: 'running',
      mainPid: 14157,
      nRestarts: 0,
      restart: 'always',
      unitFileState: 'enabled',
      execMainStartTimestamp: { raw: 'Thu 2026-11-26 00:26:32 UTC', epochMs: Date.UTC(2026, 10, 26, 0, 26, 32) },
    });
    expect(byId['voms-worker-consumer.service']).toMatchObject({ activeState: 'activating', subState: 'auto-restart', nRestarts: 3, result: 'exit-code' });
    expect(byId['voms-worker-consumer.service']?.mainPid).toBeUndefined();
    expect(byId['voms-worker-scheduler.service']).toMatchObject({ activeState: 'failed', restart: 'no', result: 'exit-code' });
    expect(byId['nats.service']?.execMainStartTimestamp).toBeUndefined();
    expect(byId['missing.service']).toMatchObject({ loadState: 'not-found', activeState: 'inactive' });
    expect(byId['missing.service']?.fragmentPath).toBeUndefined();
  });

  it('says unknown, not down, on a host without systemd', () => {
    expect(parseSystemctlShow(fixture('not-booted.txt'), 1)).toMatchObject({
      status: 'unknown',
      reason: 'System has not been booted with systemd',
      excerpt: expect.stringContaining('Failed to connect to bus'),
    });
  });

  it('refuses output cut in the middle, at any point', () => {
    const full = fixture('show-five-units.txt');
    for (const cut of [30, 200, full.indexOf('ActiveState=activating') + 14, full.length - 5]) {
      const parsed = parseSystemctlShow(full.slice(0, cut), 0, { requiredProperties: systemdShowProperties, unitCount: 5 });
      expect(parsed.status, `cut at ${cut}`).toBe('unknown');
    }
  });

  it('refuses a missing unit block when the caller says how many units it asked for', () => {
    const full = fixture('show-five-units.txt');
    const fourUnits = full.slice(0, full.lastIndexOf('\n\n') + 1);
    expect(parseSystemctlShow(fourUnits, 0, { unitCount: 5 })).toMatchObject({ status: 'unknown', reason: expect.stringContaining('expected 5 units') });
    expect(parseSystemctlShow(fourUnits, 0).status).toBe('ok');
  });

  it('refuses an ActiveState it does not know instead of guessing', () => {
    const odd = 'Id=x.service\nLoadState=loaded\nActiveState=exploded\nSubState=dead\n';
    expect(parseSystemctlShow(odd)).toMatchObject({ status: 'unknown', reason: expect.stringContaining('exploded') });
  });

  it('reads timestamps, keeping ambiguous zones as text', () => {
    expect(parseSystemdTimestamp('n/a')).toBeUndefined();
    expect(parseSystemdTimestamp('')).toBeUndefined();
    expect(parseSystemdTimestamp('Thu 2026-11-26 10:15:02 UTC')?.epochMs).toBe(Date.UTC(2026, 10, 26, 10, 15, 2));
    expect(parseSystemdTimestamp('Thu 2026-11-26 18:15:02 +0800')?.epochMs).toBe(Date.UTC(2026, 10, 26, 10, 15, 2));
    expect(parseSystemdTimestamp('Thu 2026-11-26 10:15:02.250000 UTC')?.epochMs).toBe(Date.UTC(2026, 10, 26, 10, 15, 2, 250));
    expect(parseSystemdTimestamp('Thu 2026-11-26 18:15:02 CST')).toEqual({ raw: 'Thu 2026-11-26 18:15:02 CST' });
  });
});

describe('systemctl is-active', () => {
  it('maps each line to its unit state and checks the exit status', () => {
    expect(parseSystemctlIsActive(fixture('is-active-five-units.txt'), 0, 5)).toEqual({
      status: 'ok',
      value: ['active', 'activating', 'failed', 'inactive', 'inactive'],
    });
    expect(parseSystemctlIsActive(fixture('is-active-activating.txt'), 3, 1)).toEqual({ status: 'ok', value: ['activating'] });
    expect(parseSystemctlIsActive(fixture('is-active-missing-unit.txt'), 3)).toEqual({ status: 'ok', value: ['inactive'] });
  });

  it('says unknown when the exit status contradicts the text or the tool is missing', () => {
    expect(parseSystemctlIsActive('active\n', 3).status).toBe('unknown');
    expect(parseSystemctlIsActive(fixture('not-booted.txt'), 1)).toMatchObject({ status: 'unknown', reason: 'System has not been booted with systemd' });
    expect(parseSystemctlIsActive('', 1)).toMatchObject({ status: 'unknown' });
    expect(parseSystemctlIsActive('active\nfai', undefined, 2).status).toBe('unknown');
  });
});

describe('systemctl cat', () => {
  it('applies a drop-in: Restart and a reset ExecStart', () => {
    const parsed = parseSystemctlCat(fixture('cat-with-drop-in.txt'), 0);
    expect(parsed.status).toBe('ok');
    if (parsed.status !== 'ok') return;
    expect(parsed.value.files).toEqual(['/etc/xdg/systemd/user/voms-server.service', '/etc/systemd/user/voms-server.service.d/override.conf']);
    expect(parsed.value.dropIns).toEqual(['/etc/systemd/user/voms-server.service.d/override.conf']);
    expect(parsed.value.restart).toBe('always');
    expect(parsed.value.restartSetIn).toBe('/etc/systemd/user/voms-server.service.d/override.conf');
    expect(parsed.value.execStart).toEqual(['/bin/sh /run/fixture/voms-server.sh']);
  });

  it('keeps the fragment alone when the drop-in is cut away', () => {
    const full = fixture('cat-with-drop-in.txt');
    const parsed = parseSystemctlCat(full.slice(0, full.indexOf('# /etc/systemd/user/voms-server.service.d')), 0);
    expect(parsed).toMatchObject({ status: 'ok', value: { restart: 'on-failure', dropIns: [] } });
  });

  it('defaults Restart to no and joins continued lines', () => {
    const text = '# /etc/systemd/system/voms-worker.service\n[Service]\nExecStart=/opt/voms/bin/worker \\\n  --queue consumer\n';
    expect(parseSystemctlCat(text)).toMatchObject({ status: 'ok', value: { restart: 'no', execStart: ['/opt/voms/bin/worker  --queue consumer'] } });
  });

  it('says unknown for a unit without files or a host without systemd', () => {
    expect(parseSystemctlCat(fixture('cat-missing-unit.txt'), 1)).toMatchObject({ status: 'unknown', reason: 'no unit file found for missing.service' });
    expect(parseSystemctlCat(fixture('not-booted.txt'), 1)).toMatchObject({ status: 'unknown', reason: 'System has not been booted with systemd' });
    expect(parseSystemctlCat('', 0)).toMatchObject({ status: 'unknown', reason: 'empty output' });
  });
});
