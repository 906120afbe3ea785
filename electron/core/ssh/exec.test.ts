import { randomInt } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/contract/errors';
import { generateKeyPair, type KeyPair } from '../../testing/keys';
import { pgrep, waitFor } from '../../testing/process';
import { createPoolFixture, targetOf, type PoolFixture } from '../../testing/ssh-pool-fixture';
import { startSshd, type Sshd } from '../../testing/sshd';
import { ensureTestUser, type TestUser } from '../../testing/test-user';
import { exec } from './exec';
import { parsePublicKey } from './host-key';
import type { SshTarget } from './target';

let user: TestUser;
let clientKey: KeyPair;
let server: Sshd;
let stingy: Sshd;
const fixtures: PoolFixture[] = [];

async function fixture(options: Parameters<typeof createPoolFixture>[0] = {}): Promise<PoolFixture> {
  const created = await createPoolFixture({ trust: [server, stingy], ...options });
  fixtures.push(created);
  return created;
}

function target(on: Sshd = server): SshTarget {
  return targetOf(on, user.name, { identityFiles: [clientKey.privatePath], agent: false });
}

async function failure(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => new Error('expected a failure'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

/** Markers of the long-running remote processes this file starts (for cleanup if a test fails). */
const markers: string[] = [];

function uniqueMarker(): string {
  const marker = `3600.${randomInt(1e9, 9e9)}`;
  markers.push(marker);
  return marker;
}

/** A sleep whose command line is unique to this test, so pgrep finds exactly its processes. */
function uniqueSleep(): { marker: string; argv: string[] } {
  const marker = uniqueMarker();
  return { marker, argv: ['sh', '-c', 'echo started; sleep "$1" & wait', 'sh', marker] };
}

beforeAll(async () => {
  user = await ensureTestUser();
  server = await startSshd({ maxSessions: 10 });
  clientKey = await generateKeyPair(server.dir, 'client');
  await server.addAuthorizedKey(clientKey.publicLine);
  stingy = await startSshd({ maxSessions: 2, authorizedKeys: [clientKey.publicLine] });
});

afterAll(async () => {
  await Promise.all(fixtures.map((f) => f.close()));
  await Promise.all([server?.stop(), stingy?.stop()]);
  // Only after a failed test: a session process outlives its sshd once its connection is gone.
  for (const marker of markers) {
    for (const pid of await pgrep(marker)) process.kill(pid, 'SIGKILL');
  }
});

describe('exec', () => {
  it('passes hostile arguments through the remote shell unchanged', async () => {
    const f = await fixture();
    const hostile = [
      `it's "quoted"`,
      '$(touch /tmp/sb-pwned)',
      '`id`',
      'a; rm -rf /tmp/nothing',
      'two\nlines',
      '$HOME ${PATH} $1',
      '* ? [a-z]',
      'back\\slash',
      '--not-an-option',
      '-n',
      'ünïcödé 中文 🚀',
      '',
      ' leading and trailing ',
      '|&<>(){}#!~',
    ];
    const result = await exec(f.pool, target(), ['printf', '%s\\n', ...hostile]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe(hostile.map((value) => `${value}\n`).join(''));
    expect(result.stderr).toBe('');
    const leftBehind = await exec(f.pool, target(), ['test', '-e', '/tmp/sb-pwned']);
    expect(leftBehind.exitCode).toBe(1);
  });

  it('streams output, reports exit codes and signals, honours cwd and stdin', async () => {
    const f = await fixture();
    const chunks: string[] = [];
    const errChunks: string[] = [];
    const result = await exec(f.pool, target(), ['sh', '-c', 'echo out; echo err >&2; exit 3'], {
      onStdout: (chunk) => chunks.push(chunk.toString()),
      onStderr: (chunk) => errChunks.push(chunk.toString()),
    });
    expect(result).toMatchObject({ exitCode: 3, signal: null, stdout: 'out\n', stderr: 'err\n' });
    expect(chunks.join('')).toBe('out\n');
    expect(errChunks.join('')).toBe('err\n');

    const killed = await exec(f.pool, target(), ['sh', '-c', 'kill -KILL $$']);
    expect(killed).toMatchObject({ exitCode: null, signal: 'KILL' });

    expect((await exec(f.pool, target(), ['pwd'], { cwd: '/tmp' })).stdout).toBe('/tmp\n');
    expect((await exec(f.pool, target(), ['cat'], { stdin: 'from stdin\n' })).stdout).toBe('from stdin\n');
    expect((await exec(f.pool, target(), ['pwd'], { cwd: '/does/not/exist' })).exitCode).not.toBe(0);
  });

  it('caps output and marks it truncated', async () => {
    const f = await fixture();
    const result = await exec(f.pool, target(), ['head', '-c', '200000', '/dev/zero'], { maxOutputBytes: 1000 });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toHaveLength(1000);
    expect(result.stdoutTruncated).toBe(true);
    expect(result.stderrTruncated).toBe(false);
  });

  it('reuses one connection for sequential and concurrent commands', async () => {
    const f = await fixture();
    const before = server.log().split('\n').filter((line) => line.includes('Accepted publickey')).length;
    for (let i = 0; i < 3; i++) await exec(f.pool, target(), ['true']);
    await Promise.all(Array.from({ length: 5 }, () => exec(f.pool, target(), ['true'])));
    const after = server.log().split('\n').filter((line) => line.includes('Accepted publickey')).length;
    expect(after - before).toBe(1);
    expect(f.pool.stats()[0]?.connections).toHaveLength(1);
  });

  it('runs 50 concurrent commands on one host with MaxSessions 10', async () => {
    const f = await fixture();
    let peak = 0;
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        exec(f.pool, target(), ['sh', '-c', 'sleep 0.2; echo "$1"', 'sh', String(i)]).then((result) => {
          peak = Math.max(peak, ...f.pool.stats().flatMap((s) => s.connections.map((c) => c.activeSessions)));
          return result;
        }),
      ),
    );
    expect(results.map((r) => r.stdout)).toEqual(Array.from({ length: 50 }, (_, i) => `${i}\n`));
    expect(peak).toBeLessThanOrEqual(8);
    const [stats] = f.pool.stats();
    expect(stats?.connections).toHaveLength(1);
    expect(stats?.connections[0]?.sessionCap).toBe(8);
  });

  it('opens another connection when the server refuses sessions (MaxSessions 2)', async () => {
    const f = await fixture();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => exec(f.pool, target(stingy), ['sh', '-c', 'sleep 0.2; echo "$1"', 'sh', String(i)])),
    );
    expect(results.map((r) => r.stdout)).toEqual(Array.from({ length: 20 }, (_, i) => `${i}\n`));
    const [stats] = f.pool.stats();
    expect(stats?.connections.length).toBeGreaterThan(1);
    expect(Math.min(...(stats?.connections ?? []).map((c) => c.sessionCap))).toBeLessThanOrEqual(2);
    expect(f.log.read().some((entry) => entry.event === 'session-limit')).toBe(true);
  });
});

describe('timeout and cancel', () => {
  it('cancels a running command and the remote processes are gone afterwards', async () => {
    const f = await fixture();
    const { marker, argv } = uniqueSleep();
    const controller = new AbortController();
    let started!: () => void;
    const startedPromise = new Promise<void>((resolve) => (started = resolve));
    const running = failure(
      exec(f.pool, target(), argv, { signal: controller.signal, onStdout: (c) => c.includes('started') && started() }),
    );
    await startedPromise;
    await waitFor(async () => (await pgrep(marker)).length >= 2, 'the remote shell and its sleep');
    controller.abort();
    expect((await running).code).toBe('CANCELLED');
    await waitFor(async () => (await pgrep(marker)).length === 0, 'the remote processes to be gone');
    // The connection is still good.
    expect((await exec(f.pool, target(), ['echo', 'after'])).stdout).toBe('after\n');
  });

  it('times out, kills the remote process group, and reports TIMEOUT', async () => {
    const f = await fixture();
    const { marker, argv } = uniqueSleep();
    let sawStart = false;
    const error = await failure(exec(f.pool, target(), argv, { timeoutMs: 1500, onStdout: () => (sawStart = true) }));
    expect(error.code).toBe('TIMEOUT');
    expect(error.details).toMatchObject({ timeoutMs: 1500, program: 'sh' });
    expect(sawStart).toBe(true);
    await waitFor(async () => (await pgrep(marker)).length === 0, 'the remote processes to be gone');
  });

  it('kills a process that ignores SIGTERM', async () => {
    const f = await fixture();
    const marker = uniqueMarker();
    const controller = new AbortController();
    const running = failure(
      exec(f.pool, target(), ['sh', '-c', 'trap "" TERM; echo started; sleep "$1" & wait', 'sh', marker], {
        signal: controller.signal,
        onStdout: () => controller.abort(),
      }),
    );
    expect((await running).code).toBe('CANCELLED');
    await waitFor(async () => (await pgrep(marker)).length === 0, 'the stubborn processes to be gone');
  });

  it('fails fast with CANCELLED when the signal is already aborted', async () => {
    const f = await fixture();
    const error = await failure(exec(f.pool, target(), ['true'], { signal: AbortSignal.abort() }));
    expect(error.code).toBe('CANCELLED');
  });
});

describe('lost connections', () => {
  it('reports SSH_DISCONNECTED when sshd dies mid-command, and reconnects once it is back', async () => {
    const victim = await startSshd({ authorizedKeys: [clientKey.publicLine] });
    try {
      const f = await fixture({ trust: [victim], options: { reconnectBackoff: { initialMs: 50, maxMs: 200 } } });
      const running = failure(
        exec(f.pool, target(victim), ['sh', '-c', 'echo started; sleep 60'], { onStdout: () => void victim.crash() }),
      );
      const error = await running;
      expect(error.code).toBe('SSH_DISCONNECTED');

      // While the host is down: a typed connect error, not a crash.
      expect((await failure(exec(f.pool, target(victim), ['true']))).code).toBe('SSH_CONNECT');

      await victim.restart();
      await waitFor(
        async () => (await exec(f.pool, target(victim), ['true']).then(() => true, () => false)),
        'a successful exec after the restart',
      );
      expect((await exec(f.pool, target(victim), ['echo', 'back'])).stdout).toBe('back\n');
      expect(f.log.read().some((entry) => entry.event === 'closed' && entry.message === 'connection lost')).toBe(true);
      expect(f.log.read().some((entry) => entry.event === 'reconnect')).toBe(true);
    } finally {
      await victim.stop();
    }
  });

  it('detects a connection that stops answering (keepalive) and replaces it', async () => {
    const proxy = await startFreezableProxy(server.port);
    try {
      const f = await fixture({ options: { keepaliveIntervalMs: 100, keepaliveCountMax: 2 } });
      await f.store.add('127.0.0.1', proxy.port, parsePublicKey(server.hostKey.publicLine));
      const viaProxy: SshTarget = { ...target(), port: proxy.port };
      expect((await exec(f.pool, viaProxy, ['echo', 'one'])).stdout).toBe('one\n');
      proxy.freeze();
      await waitFor(() => f.pool.stats().every((s) => s.connections.length === 0), 'the dead connection to be dropped', {
        timeoutMs: 10_000,
      });
      expect(f.log.read().some((entry) => /stopped answering|Keepalive/i.test(entry.message))).toBe(true);
      expect((await exec(f.pool, viaProxy, ['echo', 'two'])).stdout).toBe('two\n');
    } finally {
      await proxy.close();
    }
  });

  it('closes connections left unused for the idle time', async () => {
    const f = await fixture({ options: { idleTimeoutMs: 200 } });
    await exec(f.pool, target(), ['true']);
    expect(f.pool.stats()[0]?.connections).toHaveLength(1);
    await waitFor(() => f.pool.stats().every((s) => s.connections.length === 0), 'the idle connection to close');
    expect(f.log.read().some((entry) => entry.event === 'idle')).toBe(true);
  });
});

/** A TCP relay to sshd that can stop relaying while keeping sockets open (a silent network). */
async function startFreezableProxy(targetPort: number): Promise<{ port: number; freeze(): void; close(): Promise<void> }> {
  const frozen = new Set<Socket>();
  const sockets = new Set<Socket>();
  const relay: Server = createServer((inbound) => {
    const outbound = connect(targetPort, '127.0.0.1');
    sockets.add(inbound).add(outbound);
    inbound.pipe(outbound);
    outbound.pipe(inbound);
    for (const socket of [inbound, outbound]) {
      socket.on('error', () => socket.destroy());
      socket.on('close', () => {
        inbound.destroy();
        outbound.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  const address = relay.address();
  if (typeof address !== 'object' || !address) throw new Error('proxy has no port');
  return {
    port: address.port,
    freeze: () => {
      for (const socket of sockets) {
        socket.unpipe();
        socket.pause();
        frozen.add(socket);
      }
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => relay.close(() => resolve()));
    },
  };
}
