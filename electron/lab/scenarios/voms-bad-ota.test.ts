import { afterEach, describe, expect, test } from 'vitest';
import { shellCommand } from '../../../shared/shell/quote';
import { andThen, parseCurlResponse, parseSha256sum, parseSystemctlShow, parseTolerantHealth, type TolerantHealth } from '../../../shared/stacks/parsers';
import { genericProfile } from '../../../shared/stacks/profiles/generic';
import { judgeService, systemctlShowArgv } from '../../../shared/stacks/profiles/service';
import { curlCommand, localUrl } from '../../../shared/stacks/probes';
import { diagnose, pollCommand, startSystem, testContext, type SystemUnderTest } from '../systems/lab-system-testing';
import { VOMS_HOST } from '../systems/voms';
import { VOMS_HEALTH_PATH, VOMS_UNITS } from '../systems/voms/layout';
import { vomsBadOtaScenario } from './voms-bad-ota';

/** voms-bad-ota over real SSH: the crash loop as systemd and the health endpoint show it, the runbook's rollback, each variant. */

let sut: SystemUnderTest | undefined;

afterEach(async () => {
  await sut?.stop();
  sut = undefined;
});

async function start(variant?: string): Promise<SystemUnderTest> {
  sut = await startSystem(async (context) => (await vomsBadOtaScenario.build(context, { variant }))[0]!);
  return sut;
}

const healthCurl = curlCommand(localUrl(8181, VOMS_HEALTH_PATH));

function healthOf(output: { stdout: string; code: number | null }): TolerantHealth | undefined {
  const parsed = andThen(parseCurlResponse(output.stdout, output.code ?? undefined), (r) => parseTolerantHealth(r.body, r.status));
  return parsed.status === 'ok' ? parsed.value : undefined;
}

async function serverState(s: SystemUnderTest) {
  const show = await s.run(VOMS_HOST, shellCommand(systemctlShowArgv([VOMS_UNITS.server])));
  const parsed = parseSystemctlShow(show.stdout, show.code ?? undefined, { unitCount: 1 });
  if (parsed.status !== 'ok') throw new Error(parsed.reason);
  return parsed.value[0]!;
}

/** The crash loop: NRestarts keeps growing under Restart=on-failure, and the health answer is an error. */
async function expectCrashLoop(s: SystemUnderTest, atLeast: number): Promise<void> {
  await pollCommand(s, VOMS_HOST, 'systemctl show -p NRestarts --value voms-server', (r) => Number(r.stdout) >= atLeast);
  const unit = await serverState(s);
  expect(unit.restart).toBe('on-failure');
  expect(unit.nRestarts).toBeGreaterThanOrEqual(atLeast);
  const error = await pollCommand(s, VOMS_HOST, healthCurl, (r) => r.stdout.endsWith('500'));
  expect(healthOf(error)).toMatchObject({ overall: 'down', checks: { database: 'down' } });
  expect(healthOf(error)?.errors.database).toMatch(/migration 20250301120000_device_groups failed/);
}

/** Healthy, and still the same process after a couple of crash periods of the bad build. */
async function expectStaysHealthy(s: SystemUnderTest): Promise<void> {
  const healthy = await pollCommand(s, VOMS_HOST, healthCurl, (r) => r.stdout.endsWith('200'));
  expect(healthOf(healthy)).toMatchObject({ overall: 'ok', checks: { database: 'ok', redis: 'ok', nats: 'ok' } });
  const before = await serverState(s);
  const ticks = (text: string) => (text.match(/consumed \d+ messages/g) ?? []).length;
  const seen = ticks((await s.run(VOMS_HOST, 'journalctl -u voms-worker-consumer -n 500 --no-pager')).stdout);
  // Two consumer ticks are 60 lab seconds: the bad build would have crashed twice by then.
  await pollCommand(s, VOMS_HOST, 'journalctl -u voms-worker-consumer -n 500 --no-pager', (r) => ticks(r.stdout) >= seen + 2);
  expect(await serverState(s)).toMatchObject({
    activeState: 'active',
    subState: 'running',
    nRestarts: before.nRestarts,
    properties: { MainPID: before.properties.MainPID },
  });
}

const runbook = 'sudo systemctl stop voms-server && sudo cp /opt/voms/bin/server.bak /opt/voms/bin/server && sudo systemctl start voms-server';

describe('voms-bad-ota', () => {
  test('crash-loops with an error health answer; the runbook (stop, cp server.bak, start) restores 1.8.3', async () => {
    const s = await start();
    await expectCrashLoop(s, 3);
    const journal = await s.run(VOMS_HOST, 'journalctl -u voms-server -n 200 --no-pager');
    expect(journal.stdout).toContain('panic: runtime error: invalid memory address or nil pointer dereference');
    expect(journal.stdout).toMatch(/voms-server\.service: Main process exited, code=exited, status=2\/INVALIDARGUMENT/);
    // The loop goes on while we read: the last 200 lines hold some restart count of at least 3.
    const counts = [...journal.stdout.matchAll(/voms-server\.service: Scheduled restart job, restart counter is at (\d+)\./g)].map((m) => Number(m[1]));
    expect(Math.max(...counts)).toBeGreaterThanOrEqual(3);
    // Caddy in front answers with the server's error, or 502 while the server waits to restart.
    const proxied = await s.run(VOMS_HOST, `curl -s -o /dev/null -w '%{http_code}' http://localhost${VOMS_HEALTH_PATH}`);
    expect(['500', '502']).toContain(proxied.stdout);

    expect(await s.run(VOMS_HOST, runbook)).toMatchObject({ code: 0 });
    expect((await s.run(VOMS_HOST, '/opt/voms/bin/server --version')).stdout).toBe('voms-server 1.8.3\n');
    await expectStaysHealthy(s);

    // Restart=on-failure: an OTA client's clean exit leaves the server down (FIELD-NOTES §4).
    s.host(VOMS_HOST).services.exitMainProcess(VOMS_UNITS.server, 0);
    await pollCommand(s, VOMS_HOST, 'systemctl is-active voms-server', (r) => r.stdout === 'inactive\n');
  });

  test('backup-missing: there is no server.bak; the previous release directory rolls back instead', async () => {
    const s = await start('backup-missing');
    await expectCrashLoop(s, 2);
    const sums = await s.run(VOMS_HOST, 'sha256sum /opt/voms/bin/server /opt/voms/bin/server.bak');
    expect(parseSha256sum(sums.stdout + sums.stderr, sums.code ?? undefined)).toMatchObject({ status: 'ok', value: { missing: ['/opt/voms/bin/server.bak'] } });
    const copy = await s.run(VOMS_HOST, runbook);
    expect(copy).toMatchObject({ code: 1, stderr: "cp: cannot stat '/opt/voms/bin/server.bak': No such file or directory\n" });
    expect(await s.run(VOMS_HOST, 'sudo /opt/voms-release-prev/deploy.sh')).toMatchObject({ code: 0 });
    await expectStaysHealthy(s);
  });

  test('backup-bad: server.bak is another bad build (1.9.0-rc.2), so copying it back keeps the crash loop; the release rollback works', async () => {
    const s = await start('backup-bad');
    await expectCrashLoop(s, 2);
    const sums = await s.run(VOMS_HOST, 'sha256sum /opt/voms/bin/server /opt/voms/bin/server.bak');
    const parsed = parseSha256sum(sums.stdout, sums.code ?? undefined);
    expect(parsed.status === 'ok' && new Set(parsed.value.files.map((file) => file.sha256)).size).toBe(2);
    expect((await s.run(VOMS_HOST, '/opt/voms/bin/server.bak --version')).stdout).toBe('voms-server 1.9.0-rc.2\n');
    expect(await s.run(VOMS_HOST, runbook)).toMatchObject({ code: 0 });
    await expectCrashLoop(s, 2);
    const journal = await s.run(VOMS_HOST, 'journalctl -u voms-server -n 50 --no-pager');
    expect(journal.stdout).toContain('FATAL voms/internal/migrate: dirty database version 20250301120000. Fix and force version.');
    expect(await s.run(VOMS_HOST, 'sudo /opt/voms-release-prev/deploy.sh')).toMatchObject({ code: 0 });
    await expectStaysHealthy(s);
  });

  test('NRestarts as systemd keeps it: a restart of the running unit zeroes it, a stop that cancels a pending restart keeps it through the next start, reset-failed zeroes it', async () => {
    const s = await start();
    await expectCrashLoop(s, 3);
    // A stop of the running process is a stop for good: the start that follows (here restart's) begins a new count.
    const restartRunning = 'until [ "$(systemctl show -p SubState --value voms-server)" = running ]; do :; done; sudo systemctl restart voms-server && systemctl show -p NRestarts --value voms-server';
    expect(await s.run(VOMS_HOST, restartRunning)).toMatchObject({ code: 0, stdout: '0\n' });
    await expectCrashLoop(s, 3);
    // Stop while the restart is pending; one command, so that no round trip misses the RestartSec= window.
    const stop = 'until [ "$(systemctl show -p SubState --value voms-server)" = auto-restart ]; do :; done; sudo systemctl stop voms-server';
    expect(await s.run(VOMS_HOST, stop)).toMatchObject({ code: 0 });
    const stopped = await serverState(s);
    expect(stopped).toMatchObject({ activeState: 'inactive', subState: 'dead' });
    expect(stopped.nRestarts).toBeGreaterThanOrEqual(3);
    expect(await s.run(VOMS_HOST, 'sudo cp /opt/voms/bin/server.bak /opt/voms/bin/server && sudo systemctl start voms-server')).toMatchObject({ code: 0 });
    const kept = await serverState(s);
    expect(kept).toMatchObject({ activeState: 'active', nRestarts: stopped.nRestarts });
    // The good build, just started by hand, reads as crash-looping on the inherited count...
    expect(judgeService({ manager: 'systemd', unit: kept }, s.host(VOMS_HOST).clock.now()).condition).toBe('crash-looping');
    // ...until the count is cleared, which the OTA rollback does before its start.
    expect(await s.run(VOMS_HOST, 'sudo systemctl reset-failed voms-server')).toMatchObject({ code: 0 });
    const cleared = await serverState(s);
    expect(cleared).toMatchObject({ activeState: 'active', nRestarts: 0 });
    expect(judgeService({ manager: 'systemd', unit: cleared }, s.host(VOMS_HOST).clock.now()).condition).toBe('running');
  });

  test('clock-skew: the host is 5 minutes ahead, which the console sees; the rollback still works', async () => {
    const s = await start('clock-skew');
    const epoch = Number((await s.run(VOMS_HOST, 'date +%s')).stdout);
    expect(epoch - Date.now() / 1000).toBeGreaterThan(290);
    const { findings } = await diagnose(s, [genericProfile]);
    expect(findings.map((finding) => finding.ruleId)).toEqual(['host.clock-skew']);
    await expectCrashLoop(s, 2);
    expect(await s.run(VOMS_HOST, runbook)).toMatchObject({ code: 0 });
    await expectStaysHealthy(s);
    const reported = JSON.parse((await s.run(VOMS_HOST, `curl -s ${localUrl(8181, VOMS_HEALTH_PATH)}`)).stdout) as { status: string; time: string };
    expect(reported.status).toBe('ok');
    expect(Date.parse(reported.time) - Date.now()).toBeGreaterThan(290_000);
  });

  test('an unknown variant is refused', async () => {
    const { context, dispose } = testContext();
    try {
      await expect(vomsBadOtaScenario.build(context, { variant: 'nope' })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/no variant "nope"/) });
    } finally {
      dispose();
    }
  });
});
