import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { parseInventory } from '../../core/inventory/inventory-yaml';
import type { CliIO } from '../command';
import { labCommand } from './lab';

/** `switchboard lab`, run through the command object with a fake terminal (as cli.test.ts does). */

function terminal() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  stdout.on('data', (chunk: Buffer) => out.push(chunk.toString()));
  stderr.on('data', () => undefined);
  const controller = new AbortController();
  const io: CliIO = { stdout, stderr, env: {}, cwd: process.cwd(), signal: controller.signal };
  return { io, out: () => out.join(''), interrupt: () => controller.abort() };
}

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('switchboard lab', () => {
  it('lists the scenarios with one line each, labelled as simulations', async () => {
    const t = terminal();
    expect(await labCommand.run(['scenarios'], t.io)).toBe(0);
    expect(t.out()).toMatch(/^Rehearsal lab scenarios \(all SIMULATIONS\):\n/);
    expect(t.out()).toMatch(/^ {2}healthy {2,}\S/m);
    expect(t.out()).toMatch(/^ {2}rc-readonly {2,}Rocket\.Chat/m);

    const json = terminal();
    expect(await labCommand.run(['scenarios', '--json'], json.io)).toBe(0);
    const listed = JSON.parse(json.out()) as { simulation: boolean; scenarios: Array<{ name: string; description: string }> };
    expect(listed.simulation).toBe(true);
    expect(listed.scenarios.map((scenario) => scenario.name)).toEqual(expect.arrayContaining(['healthy', 'rc-readonly']));
    expect(listed.scenarios.every((scenario) => scenario.description.length > 0)).toBe(true);
  });

  it('start --json prints one line once everything listens, and stops on interrupt', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-cli-'));
    dirs.push(dir);
    const t = terminal();
    const running = labCommand.run(['start', '--scenario', 'rc-readonly', '--time-scale', '0.01', '--dir', dir, '--json'], t.io);
    await expect.poll(() => t.out(), { timeout: 30_000 }).toContain('\n');
    const lines = t.out().split('\n').filter((line) => line !== '');
    expect(lines).toHaveLength(1);
    const printed = JSON.parse(lines[0]!) as {
      simulation: boolean;
      inventory: string;
      knownHosts: string;
      mongoUrl: string;
      vaultPassphrase: string;
      files: string[];
      hosts: Array<{ name: string; cluster: string; roles: string[]; host: string; port: number; user: string; identityFile: string }>;
    };
    expect(printed).toMatchObject({ simulation: true, inventory: join(dir, 'inventory.yaml'), knownHosts: join(dir, 'known_hosts') });
    expect(printed.mongoUrl).toMatch(/^mongodb:\/\/127\.0\.0\.1:\d+\//);
    expect(printed.hosts.map((host) => host.name)).toEqual(['rc1', 'rc2', 'rc3', 'rc4', 'haproxy', 'mongodb']);
    expect(printed.hosts[0]).toMatchObject({ cluster: 'rocketchat', roles: ['rocketchat', 'presence'], host: '127.0.0.1', user: 'ops', identityFile: join(dir, 'id_ed25519') });
    expect(printed.files.filter((file) => existsSync(file))).toHaveLength(5);
    expect(parseInventory(readFileSync(printed.inventory, 'utf8')).clusters[0]).toMatchObject({ name: 'rocketchat', simulated: true });

    // OpenSSH reaches a host the line names while the lab runs.
    const rc1 = printed.hosts[0]!;
    const hostname = await new Promise<string>((resolve, reject) => {
      const child = spawn('ssh', [
        '-F', '/dev/null', '-o', 'BatchMode=yes', '-i', rc1.identityFile, '-o', `UserKnownHostsFile=${printed.knownHosts}`,
        '-o', 'StrictHostKeyChecking=yes', '-p', String(rc1.port), `${rc1.user}@${rc1.host}`, 'hostname',
      ], { env: { ...process.env, SSH_AUTH_SOCK: '' } });
      let stdout = '';
      child.stdout.on('data', (data: Buffer) => (stdout += data.toString('utf8')));
      child.on('error', reject);
      child.on('close', () => resolve(stdout));
    });
    expect(hostname).toBe('rc1\n');

    t.interrupt();
    expect(await running).toBe(0);
    expect(t.out().split('\n').filter((line) => line !== '')).toHaveLength(1);
  });

  it('start without --json says SIMULATION plainly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-cli-'));
    dirs.push(dir);
    const t = terminal();
    const running = labCommand.run(['start', '--scenario', 'rc-readonly', '--time-scale', '0.01', '--dir', dir], t.io);
    await expect.poll(() => t.out(), { timeout: 30_000 }).toContain('Press Ctrl+C');
    expect(t.out()).toMatch(/^SIMULATION: the Switchboard rehearsal lab is running scenario "rc-readonly"\./);
    expect(t.out()).toContain(join(dir, 'inventory.yaml'));
    t.interrupt();
    expect(await running).toBe(0);
    expect(t.out()).toContain('Lab stopped.');
  });

  it('refuses an unknown scenario or time scale before starting anything', async () => {
    await expect(labCommand.run(['start', '--scenario', 'nope'], terminal().io)).rejects.toThrow(/unknown scenario "nope"/);
    await expect(labCommand.run(['start', '--scenario', 'healthy', '--time-scale', '0'], terminal().io)).rejects.toThrow(/--time-scale/);
    await expect(labCommand.run(['start'], terminal().io)).rejects.toThrow(/--scenario NAME is required/);
    await expect(labCommand.run(['frob'], terminal().io)).rejects.toThrow(/unknown subcommand/);
  });
});
