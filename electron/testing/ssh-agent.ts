import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runOk, signalTree, waitFor } from './process';

export interface SshAgent {
  socket: string;
  pid: number;
  /** ssh-add a private key file (unencrypted) to this agent. */
  add(privateKeyPath: string): Promise<void>;
  stop(): Promise<void>;
}

/** Starts a real ssh-agent in the foreground on a private socket. */
export async function startSshAgent(): Promise<SshAgent> {
  const dir = await mkdtemp(join(tmpdir(), 'sb-agent-'));
  const socket = join(dir, 'agent.sock');
  const child = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
  const pid = child.pid;
  if (pid === undefined) throw new Error('ssh-agent did not start');
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exit.then(() => (exited = true));
  await waitFor(() => exited || existsSync(socket), 'the ssh-agent socket');
  if (exited) throw new Error('ssh-agent exited at start');
  return {
    socket,
    pid,
    add: async (privateKeyPath) => {
      await runOk('ssh-add', ['-q', privateKeyPath], { env: { ...process.env, SSH_AUTH_SOCK: socket } });
    },
    stop: async () => {
      if (!exited) {
        signalTree(pid, 'SIGTERM');
        await exit;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
