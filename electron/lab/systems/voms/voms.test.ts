import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { shellCommand } from '../../../../shared/shell/quote';
import {
  andThen,
  parseCurlResponse,
  parseJournalJson,
  parseNatsHealthz,
  parseNatsJsz,
  parseSha256sum,
  parseSystemctlShow,
  parseTolerantHealth,
} from '../../../../shared/stacks/parsers';
import { systemctlShowArgv } from '../../../../shared/stacks/profiles/service';
import { curlCommand, localUrl } from '../../../../shared/stacks/probes';
import { pollCommand, startSystem, type SystemUnderTest } from '../lab-system-testing';
import { buildVoms, VOMS_HOST } from '.';
import { VOMS_HEALTH_PATH, VOMS_UNITS } from './layout';

/** The healthy VOMS host over real SSH: the console's reads parse, and dependencies show in health. */

let sut: SystemUnderTest;
const units = Object.values(VOMS_UNITS);

beforeAll(async () => {
  sut = await startSystem((context) => buildVoms(context, { ota: 'none' }));
});

afterAll(async () => {
  await sut?.stop();
});

const run = (command: string) => sut.run(VOMS_HOST, command);
const http = async (port: number, path: string) => {
  const result = await run(curlCommand(localUrl(port, path)));
  return parseCurlResponse(result.stdout, result.code ?? undefined);
};
const health = async () => andThen(await http(8181, VOMS_HEALTH_PATH), (response) => parseTolerantHealth(response.body, response.status));

describe('healthy VOMS lab', () => {
  test('systemctl show, journalctl, health, NATS and sha256sum all parse', async () => {
    const show = await run(shellCommand(systemctlShowArgv(units)));
    const states = parseSystemctlShow(show.stdout, show.code ?? undefined, { unitCount: units.length });
    if (states.status !== 'ok') throw new Error(states.reason);
    expect(states.value.map((unit) => [unit.id, unit.activeState, unit.subState])).toEqual(units.map((unit) => [unit, 'active', 'running']));
    expect(states.value.find((unit) => unit.id === VOMS_UNITS.server)?.restart).toBe('always');

    for (const unit of units) {
      const journal = await run(shellCommand(['journalctl', '-u', unit, '-n', '200', '-o', 'json', '--no-pager']));
      expect(parseJournalJson(journal.stdout, journal.code ?? undefined), unit).toMatchObject({ status: 'ok' });
    }
    expect(await health()).toEqual({ status: 'ok', value: { overall: 'ok', checks: { database: 'ok', redis: 'ok', nats: 'ok' }, errors: {} } });
    expect(andThen(await http(8222, '/healthz'), (r) => parseNatsHealthz(r.body, r.status))).toEqual({ status: 'ok', value: { healthy: true, reasons: [] } });
    expect(andThen(await http(8222, '/jsz'), (r) => parseNatsJsz(r.body, r.status))).toMatchObject({ status: 'ok', value: { enabled: true, streams: 1, consumers: 2 } });
    const sums = await run('sha256sum /opt/voms/bin/server /opt/voms/bin/server.bak');
    const parsed = parseSha256sum(sums.stdout, sums.code ?? undefined);
    expect(parsed.status === 'ok' && new Set(parsed.value.files.map((file) => file.sha256)).size).toBe(2);
    expect((await run('/opt/voms/bin/server --version')).stdout).toBe('voms-server 1.8.3\n');
  });

  test('Caddy proxies to the server; health degrades while a dependency is down; workers complain without NATS', async () => {
    const proxied = await run(`curl -s -i http://localhost${VOMS_HEALTH_PATH}`);
    expect(proxied.stdout).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(proxied.stdout.toLowerCase()).toContain('via: 1.1 caddy');

    await run('sudo systemctl stop redis');
    expect(await health()).toMatchObject({
      status: 'ok',
      value: { overall: 'degraded', checks: { redis: 'down' }, errors: { redis: 'dial tcp 127.0.0.1:6379: connect: connection refused' } },
    });
    expect(await run('redis-cli ping')).toMatchObject({ code: 1, stderr: 'Could not connect to Redis at 127.0.0.1:6379: Connection refused\n' });
    await run('sudo systemctl start redis');
    expect(await run('redis-cli ping')).toMatchObject({ code: 0, stdout: 'PONG\n' });
    expect(await run('pg_isready')).toMatchObject({ code: 0, stdout: '/var/run/postgresql:5432 - accepting connections\n' });

    await run('sudo systemctl stop nats');
    expect((await http(8222, '/healthz')).status).toBe('unknown');
    await pollCommand(sut, VOMS_HOST, 'journalctl -u voms-worker-consumer -n 5 --no-pager', (r) => r.stdout.includes('nats: no servers available for connection'));
    await run('sudo systemctl start nats');
    await pollCommand(sut, VOMS_HOST, 'journalctl -u voms-worker-consumer -n 1 --no-pager', (r) => r.stdout.includes('consumed'));
    await pollCommand(sut, VOMS_HOST, curlCommand(localUrl(8181, VOMS_HEALTH_PATH)), (r) => r.stdout.endsWith('200'));
  });

  test('with Restart=always an OTA exit (status 0) restarts the server', async () => {
    const before = (await run('systemctl show -p MainPID --value voms-server')).stdout;
    sut.host(VOMS_HOST).services.exitMainProcess(VOMS_UNITS.server, 0);
    const after = await pollCommand(sut, VOMS_HOST, 'systemctl show -p NRestarts,ActiveState,SubState voms-server', (r) => r.stdout.includes('NRestarts=1'));
    expect(after.stdout).toContain('ActiveState=active');
    expect((await run('systemctl show -p MainPID --value voms-server')).stdout).not.toBe(before);
    await pollCommand(sut, VOMS_HOST, curlCommand(localUrl(8181, VOMS_HEALTH_PATH)), (r) => r.stdout.endsWith('200'));
  });
});
