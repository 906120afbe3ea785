import { afterEach, describe, expect, test, vi } from 'vitest';
import { LabClock } from './clock';
import { labBinary } from './lab-binary';
import { LabHost } from './lab-host';
import type { Unit } from './services';
import type { RestartPolicy } from './unit-file';

/** The service manager's state machine and Restart= semantics, driven through the host's commands. */

const good = labBinary({ program: 'voms-server', version: '1.8.3', startLines: ['Version: 1.8.3'], readyLines: ['Server is ready'] });
const previous = labBinary({ program: 'voms-server', version: '1.8.2' });

let host: LabHost;

function voms(restart: RestartPolicy, options: { type?: 'simple' | 'notify'; binary?: Buffer } = {}): LabHost {
  host = new LabHost({ name: 'voms-1', clock: new LabClock({ timeScale: 0.01 }) });
  host.vfs.mkdir('/opt/voms/bin', { parents: true });
  host.vfs.writeFile('/opt/voms/bin/server', options.binary ?? good, { mode: 0o755 });
  host.vfs.writeFile('/opt/voms/bin/server.bak', previous, { mode: 0o755 });
  host.services.install({
    name: 'voms-server', description: 'VOMS server', execStart: '/opt/voms/bin/server', restart, type: options.type,
  });
  return host;
}

afterEach(async () => {
  await host?.stop();
  vi.useRealTimers();
});

async function show(properties: string): Promise<Record<string, string>> {
  const { stdout } = await host.run(`systemctl show voms-server -p ${properties}`);
  return Object.fromEntries(stdout.trim().split('\n').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
}

describe('Restart= on an OTA-triggered exit (status 0)', () => {
  test('Restart=on-failure leaves the unit inactive', async () => {
    voms('on-failure').services.bootstrap('voms-server', host.clock.now() - 60_000);
    host.services.exitMainProcess('voms-server', 0);
    expect(await host.run('systemctl is-active voms-server')).toMatchObject({ code: 3, stdout: 'inactive\n' });
    expect(await show('SubState,Result,NRestarts')).toEqual({ Result: 'success', NRestarts: '0', SubState: 'dead' });
    expect((await host.run('journalctl -u voms-server -n 1 -o cat')).stdout).toBe('voms-server.service: Deactivated successfully.\n');
  });

  test('Restart=always brings it back', async () => {
    voms('always').services.bootstrap('voms-server', host.clock.now() - 60_000);
    const oldPid = (await show('MainPID')).MainPID;
    host.services.exitMainProcess('voms-server', 0);
    await host.services.waitFor('voms-server', (unit) => unit.activeState === 'active');
    const after = await show('MainPID,NRestarts,ActiveState');
    expect(after.ActiveState).toBe('active');
    expect(after.NRestarts).toBe('1');
    expect(after.MainPID).not.toBe(oldPid);
    expect((await host.run('journalctl -u voms-server -o cat')).stdout).toContain(
      'voms-server.service: Deactivated successfully.\n' +
      'voms-server.service: Scheduled restart job, restart counter is at 1.\n' +
      'Stopped voms-server.service - VOMS server.\n' +
      'Started voms-server.service - VOMS server.\n' +
      'Version: 1.8.3\n',
    );
  });

  test('Restart=on-failure restarts after a crash (non-zero status)', async () => {
    voms('on-failure').services.bootstrap('voms-server', host.clock.now() - 60_000);
    host.services.exitMainProcess('voms-server', 2);
    await host.services.waitFor('voms-server', (unit) => unit.nRestarts === 1 && unit.activeState === 'active');
    expect((await host.run('journalctl -u voms-server -o cat')).stdout).toContain(
      'voms-server.service: Main process exited, code=exited, status=2/INVALIDARGUMENT\n' +
      "voms-server.service: Failed with result 'exit-code'.\n",
    );
  });
});

describe('the runbook rollback', () => {
  test('copying over a running binary fails with ETXTBSY; stop, cp, start works', async () => {
    voms('on-failure').services.bootstrap('voms-server', host.clock.now() - 60_000);
    const busy = await host.run('cp /opt/voms/bin/server.bak /opt/voms/bin/server');
    expect(busy).toMatchObject({ code: 1, stderr: "cp: cannot create regular file '/opt/voms/bin/server': Text file busy\n" });
    const rollback = await host.run(
      'systemctl stop voms-server && cp /opt/voms/bin/server.bak /opt/voms/bin/server && systemctl start voms-server && systemctl is-active voms-server',
    );
    expect(rollback).toMatchObject({ code: 0, stdout: 'active\n', stderr: '' });
    expect(host.services.unit('voms-server').process?.context.manifest?.version).toBe('1.8.2');
    expect(host.vfs.sha256('/opt/voms/bin/server')).toBe(host.vfs.sha256('/opt/voms/bin/server.bak'));
  });

  test('a truncated binary fails at exec with 203/EXEC', async () => {
    voms('no', { binary: good.subarray(0, 4096) });
    expect((await host.run('systemctl start voms-server')).code).toBe(0);
    await host.services.waitFor('voms-server', (unit) => unit.activeState === 'failed');
    const journal = (await host.run('journalctl -u voms-server -o cat')).stdout;
    expect(journal).toContain('voms-server.service: Failed to execute /opt/voms/bin/server: Exec format error\n');
    expect(journal).toContain('voms-server.service: Main process exited, code=exited, status=203/EXEC\n');
    expect((await show('ExecMainStatus,Result')).ExecMainStatus).toBe('203');
  });

  test('a notify service that dies before it is ready fails the start job', async () => {
    voms('no', {
      type: 'notify',
      binary: labBinary({ program: 'voms-server', version: '1.9.0', crash: { afterMs: 200, status: 1 } }),
    });
    const result = await host.run('systemctl start voms-server');
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'Job for voms-server.service failed because the control process exited with error code.\n' +
      'See "systemctl status voms-server.service" and "journalctl -xeu voms-server.service" for details.\n',
    );
    expect(await show('ActiveState,Result')).toEqual({ ActiveState: 'failed', Result: 'exit-code' });
  });
});

describe('unit files', () => {
  test('a drop-in needs daemon-reload; then Restart= and systemctl cat reflect it', async () => {
    voms('on-failure');
    await host.run('mkdir -p /etc/systemd/system/voms-server.service.d && printf "[Service]\\nRestart=always\\n" > /etc/systemd/system/voms-server.service.d/override.conf');
    expect(await show('Restart,NeedDaemonReload')).toEqual({ Restart: 'on-failure', NeedDaemonReload: 'yes' });
    const warned = await host.run('systemctl start voms-server');
    expect(warned.stderr).toBe("Warning: The unit file, source configuration file or drop-ins of voms-server.service changed on disk. Run 'systemctl daemon-reload' to reload units.\n");
    await host.run('systemctl daemon-reload');
    expect(await show('Restart,NeedDaemonReload')).toEqual({ Restart: 'always', NeedDaemonReload: 'no' });
    const cat = await host.run('systemctl cat voms-server');
    expect(cat.stdout).toMatch(/^# \/etc\/systemd\/system\/voms-server\.service\n\[Unit\]\n/);
    expect(cat.stdout).toContain('\n\n# /etc/systemd/system/voms-server.service.d/override.conf\n[Service]\nRestart=always\n');
  });

  test('is-enabled, unknown units and list-units', async () => {
    voms('on-failure').services.bootstrap('voms-server', host.clock.now() - 60_000);
    expect(await host.run('systemctl is-enabled voms-server')).toMatchObject({ code: 0, stdout: 'enabled\n' });
    expect(await host.run('systemctl is-active nope')).toMatchObject({ code: 3, stdout: 'inactive\n' });
    expect(await host.run('systemctl start nope')).toMatchObject({ code: 5, stderr: 'Failed to start nope.service: Unit nope.service not found.\n' });
    expect((await host.run('systemctl show nope -p LoadState,ActiveState')).stdout).toBe('LoadState=not-found\nActiveState=inactive\n');
    expect((await host.run('systemctl list-units --type=service --no-legend --plain')).stdout).toBe('voms-server.service loaded active running VOMS server\n');
  });
});

/**
 * A stop during an automatic restart, at each point of the restart: the lab clock runs on
 * vitest's fake timers (time scale 1), stepped one timer at a time, so each window is hit exactly.
 */
describe('a stop wins over an automatic restart', () => {
  const unitName = 'voms-server.service';
  const label = 'voms-server.service - VOMS server';
  const restartSec = 1000;
  const crashing = labBinary({
    program: 'voms-server', version: '1.9.0', startLines: ['Version: 1.9.0'],
    crash: { afterMs: 200, status: 2, lines: ['panic: runtime error: invalid memory address or nil pointer dereference'] },
  });
  /** `activeState/subState` at every 'change' event. */
  let changes: string[];

  function crashLoop(type: 'simple' | 'notify' = 'simple', binary = crashing): Unit {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
    host = new LabHost({ name: 'voms-1', clock: new LabClock({ timeScale: 1 }) });
    host.vfs.mkdir('/opt/voms/bin', { parents: true });
    host.vfs.writeFile('/opt/voms/bin/server', binary, { mode: 0o755 });
    host.services.install({
      name: 'voms-server', description: 'VOMS server', execStart: '/opt/voms/bin/server', restart: 'on-failure', restartSec: '1s', type,
    });
    changes = [];
    host.services.on('change', (unit: Unit) => changes.push(`${unit.activeState}/${unit.subState}`));
    return host.services.unit(unitName);
  }

  /** Fires the lab's timers one at a time (letting promise continuations run between them) until `predicate` holds. */
  async function runUntil(predicate: () => boolean): Promise<void> {
    for (let fired = 0; ; fired++) {
      await vi.advanceTimersByTimeAsync(0);
      if (predicate()) return;
      if (fired > 200 || vi.getTimerCount() === 0) throw new Error('the awaited state never came');
      await vi.advanceTimersToNextTimerAsync();
    }
  }

  async function show(): Promise<Record<string, string>> {
    const { stdout } = await host.run(`systemctl show ${unitName} -p ActiveState,SubState,Result,MainPID,NRestarts`);
    return Object.fromEntries(stdout.trim().split('\n').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
  }

  async function journal(): Promise<string[]> {
    return (await host.run(`journalctl -u ${unitName} -o cat --no-pager`)).stdout.trimEnd().split('\n');
  }

  /** Journal lines after the last one equal to `line`. */
  async function journalAfter(line: string): Promise<string[]> {
    const lines = await journal();
    expect(lines).toContain(line);
    return lines.slice(lines.lastIndexOf(line) + 1);
  }

  /** Nothing is left to happen: no timer is pending, and a minute later the unit is still down. */
  async function expectStaysDown(state: Record<string, string>): Promise<void> {
    expect(vi.getTimerCount()).toBe(0);
    const lines = (await journal()).length;
    vi.advanceTimersByTime(60 * restartSec);
    expect(await show()).toEqual(state);
    expect(host.services.unit(unitName).running).toBe(false);
    expect((await journal()).length).toBe(lines);
  }

  test('when the restart job is queued (activating, before exec): inactive, nothing spawned, counter flushed by the next start', async () => {
    const unit = crashLoop();
    void host.services.start(unitName);
    await runUntil(() => unit.nRestarts === 1 && unit.activeState === 'activating' && unit.subState === 'start');
    expect(unit.mainPid).toBe(0);
    changes = [];

    expect(await host.services.stop(unitName)).toBe('done');
    const stopped = { ActiveState: 'inactive', SubState: 'dead', Result: 'success', MainPID: '0', NRestarts: '1' };
    expect(await show()).toEqual(stopped);
    expect(changes).toEqual(['inactive/dead']);
    expect(await journalAfter(`${unitName}: Scheduled restart job, restart counter is at 1.`)).toEqual([
      `Stopped ${label}.`,
      `${unitName}: Deactivated successfully.`,
      `Stopped ${label}.`,
    ]);
    await expectStaysDown(stopped);

    // An explicit start after the unit died for good begins a new count (systemd's flush_n_restarts).
    const started = host.services.start(unitName);
    expect(unit.nRestarts).toBe(0);
    await runUntil(() => unit.activeState === 'active');
    expect(await started).toBe('done');
    expect(await journalAfter(`Stopped ${label}.`)).toEqual([`Started ${label}.`, 'Version: 1.9.0']);
    await runUntil(() => unit.nRestarts === 1);
    expect((await journal()).filter((line) => line === `${unitName}: Scheduled restart job, restart counter is at 1.`)).toHaveLength(2);
  });

  test('while waiting out RestartSec (activating auto-restart): inactive with the failure result and the counter kept', async () => {
    const unit = crashLoop();
    void host.services.start(unitName);
    await runUntil(() => unit.nRestarts === 1 && unit.subState === 'auto-restart');
    changes = [];

    expect(await host.services.stop(unitName)).toBe('done');
    const stopped = { ActiveState: 'inactive', SubState: 'dead', Result: 'exit-code', MainPID: '0', NRestarts: '1' };
    expect(await show()).toEqual(stopped);
    expect(changes).toEqual(['inactive/dead']);
    expect(await journalAfter(`${unitName}: Failed with result 'exit-code'.`)).toEqual([`Stopped ${label}.`]);
    await expectStaysDown(stopped);

    // systemd 252 leaves NRestarts alone here: this stop did not end the unit through a death, so no flush.
    const started = host.services.start(unitName);
    await runUntil(() => unit.activeState === 'active');
    expect(await started).toBe('done');
    expect(await show()).toMatchObject({ ActiveState: 'active', NRestarts: '1' });
    await runUntil(() => unit.nRestarts === 2);
    expect(await journal()).toContain(`${unitName}: Scheduled restart job, restart counter is at 2.`);
  });

  test('while a notify service is activating after an automatic restart: signalled without "Stopping", no "Started" after', async () => {
    const slow = labBinary({ program: 'voms-server', version: '1.9.0', crash: { afterMs: 2000, status: 1 } });
    const unit = crashLoop('notify', slow);
    void host.services.start(unitName);
    await runUntil(() => unit.nRestarts === 1 && unit.running);
    expect(unit.activeState).toBe('activating');
    changes = [];

    const stopping = host.services.stop(unitName);
    await runUntil(() => unit.activeState === 'inactive');
    expect(await stopping).toBe('done');
    const stopped = { ActiveState: 'inactive', SubState: 'dead', Result: 'success', MainPID: '0', NRestarts: '1' };
    expect(await show()).toEqual(stopped);
    expect(changes).toEqual(['deactivating/stop-sigterm', 'inactive/dead']);
    expect(await journalAfter(`${unitName}: Scheduled restart job, restart counter is at 1.`)).toEqual([
      `Stopped ${label}.`,
      `Starting ${label}...`,
      `${unitName}: Deactivated successfully.`,
      `Stopped ${label}.`,
    ]);
    await expectStaysDown(stopped);
  });

  test('a start during auto-restart waits for the automatic restart; a stop then cancels both', async () => {
    const unit = crashLoop();
    void host.services.start(unitName);
    await runUntil(() => unit.subState === 'auto-restart');

    const waited = host.services.start(unitName);
    expect(unit.subState).toBe('auto-restart');
    await runUntil(() => unit.activeState === 'active');
    expect(await waited).toBe('done');
    expect(unit.nRestarts).toBe(1);

    await runUntil(() => unit.nRestarts === 1 && unit.subState === 'auto-restart');
    const cancelled = host.services.start(unitName);
    expect(await host.services.stop(unitName)).toBe('done');
    expect(await cancelled).toBe('failed');
    await expectStaysDown({ ActiveState: 'inactive', SubState: 'dead', Result: 'exit-code', MainPID: '0', NRestarts: '1' });
  });

  test('a start refused by the start limit keeps NRestarts; reset-failed clears it', async () => {
    const unit = crashLoop();
    void host.services.start(unitName);
    await runUntil(() => unit.result === 'start-limit-hit');
    expect(await host.services.start(unitName)).toBe('failed');
    expect(await show()).toEqual({ ActiveState: 'failed', SubState: 'failed', Result: 'start-limit-hit', MainPID: '0', NRestarts: '5' });
    expect(vi.getTimerCount()).toBe(0);
    host.services.resetFailed(unitName);
    expect(await show()).toEqual({ ActiveState: 'inactive', SubState: 'dead', Result: 'success', MainPID: '0', NRestarts: '0' });
  });

  test('a restart inside the exec window starts exactly one process', async () => {
    const unit = crashLoop();
    void host.services.start(unitName);
    await runUntil(() => unit.nRestarts === 1 && unit.subState === 'start');

    const restarted = host.services.restart(unitName);
    await runUntil(() => unit.activeState === 'active');
    expect(await restarted).toBe('done');
    const pid = unit.mainPid;
    expect(await journalAfter(`${unitName}: Deactivated successfully.`)).toEqual([`Stopped ${label}.`, `Started ${label}.`, 'Version: 1.9.0']);
    expect(vi.getTimerCount()).toBe(1);
    expect(unit.mainPid).toBe(pid);
    expect(unit.nRestarts).toBe(0);
  });
});
