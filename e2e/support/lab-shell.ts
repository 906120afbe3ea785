import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'ssh2';

/** An SSH session on one lab host, for a spec to look at (or act on) the host as an admin at a terminal would. */
export interface LabShell {
  /** Runs a command and answers its standard output once the channel closes. */
  run(command: string): Promise<string>;
  close(): void;
}

/** Commands on a lab host over SSH (the lab's own key and known_hosts, strict checking). */
export async function labShell(dir: string, port: number): Promise<LabShell> {
  const client = new Client();
  const knownKeys = readFileSync(join(dir, 'known_hosts'), 'utf8');
  await new Promise<void>((resolve, reject) => {
    client.once('ready', () => resolve());
    client.once('error', reject);
    client.connect({
      host: '127.0.0.1',
      port,
      username: 'ops',
      privateKey: readFileSync(join(dir, 'id_ed25519')),
      hostVerifier: (key: Buffer) => knownKeys.includes(key.toString('base64')),
    });
  });
  return {
    run: (command) =>
      new Promise((resolve, reject) => {
        client.exec(command, (error, channel) => {
          if (error) return reject(error);
          let out = '';
          channel.on('data', (chunk: Buffer) => (out += chunk.toString()));
          channel.stderr.resume();
          channel.on('close', () => resolve(out));
        });
      }),
    close: () => client.end(),
  };
}
