import { mkdir, rename, writeFile } from 'node:fs/promises';
import { run, runOk } from './process';

/**
 * A local account for sshd tests, with a plain /bin/sh so no rc file runs or prints.
 * Its password doubles as its sudo password; it is deliberately hostile to shells,
 * so a test that finds it in a log or command line proves a leak.
 */
export const TEST_USER = {
  name: 'sbtest',
  password: `Pw'$(id)\`x\`;"q" 秘密`,
  shell: '/bin/sh',
} as const;

export interface TestUser {
  name: string;
  password: string;
  uid: number;
  gid: number;
  home: string;
}

function requireRoot(): void {
  if (process.getuid?.() !== 0) throw new Error('The sshd test harness must run as root (it creates a local test user)');
}

/** Creates the test user if missing (safe to call from parallel test files) and sets its password. */
export async function ensureTestUser(): Promise<TestUser> {
  requireRoot();
  const { name, password, shell } = TEST_USER;
  if ((await run('id', ['-u', name])).code !== 0) {
    const created = await run('useradd', ['--create-home', '--shell', shell, name]);
    // 9: created meanwhile by another test process.
    if (created.code !== 0 && created.code !== 9) throw new Error(`useradd failed: ${created.stderr.trim()}`);
  }
  await runOk('chpasswd', [], { input: `${name}:${password}\n` });
  const [uid, gid] = await Promise.all([runOk('id', ['-u', name]), runOk('id', ['-g', name])]);
  const home = (await runOk('getent', ['passwd', name])).split(':')[5] ?? `/home/${name}`;
  return { name, password, uid: Number(uid.trim()), gid: Number(gid.trim()), home };
}

/** A sudoers rule letting the test user run anything as root, with its password (no NOPASSWD). */
export async function ensureSudoRequiresPassword(user: string = TEST_USER.name): Promise<void> {
  requireRoot();
  if ((await run('which', ['sudo'])).code !== 0) throw new Error('sudo is not installed (apt-get install -y sudo)');
  await mkdir('/etc/sudoers.d', { recursive: true });
  const rule = [
    `Defaults:${user} !lecture, timestamp_timeout=0, passwd_tries=1`,
    `${user} ALL=(ALL:ALL) ALL`,
    '',
  ].join('\n');
  const path = '/etc/sudoers.d/switchboard-test';
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, rule, { mode: 0o440 });
  await runOk('visudo', ['-c', '-q', '-f', temporary]);
  await rename(temporary, path);
}
