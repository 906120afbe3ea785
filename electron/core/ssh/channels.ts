import type { Client, ClientChannel, SFTPWrapper } from 'ssh2';

/** Runs an ssh2 call that takes a callback and may also throw synchronously ("Not connected"). */
function promisify<T>(start: (callback: (error: Error | undefined, value: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    try {
      start((error, value) => (error ? reject(error) : resolve(value)));
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
}

export function openExecChannel(client: Client, command: string): Promise<ClientChannel> {
  return promisify((callback) => client.exec(command, callback));
}

export function openSftpChannel(client: Client): Promise<SFTPWrapper> {
  return promisify((callback) => client.sftp(callback));
}

/** A direct-tcpip channel from the server to `host:port` (what ProxyJump and -L use). */
export function openForwardChannel(
  client: Client,
  host: string,
  port: number,
  origin: { address: string; port: number } = { address: '127.0.0.1', port: 0 },
): Promise<ClientChannel> {
  return promisify((callback) => client.forwardOut(origin.address, origin.port, host, port, callback));
}
