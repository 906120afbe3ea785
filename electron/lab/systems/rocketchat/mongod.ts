import { labBinary } from '../../host/lab-binary';
import type { LabHost } from '../../host/lab-host';
import type { ProcessBehaviour, ProcessContext } from '../../host/process';
import type { LabMongoServer } from '../../mongo/server';

/**
 * The MongoDB host: a `mongod` unit (MongoDB 7.0.14, the version of the field incident) whose
 * process IS the lab MongoDB's listener. Stopping the unit closes the port the nodes and the
 * console connect to, starting it opens it again on the same port with the data kept, so
 * "start MongoDB first" can be rehearsed. mongod logs to its file, not the journal.
 */

export const MONGOD_VERSION = '7.0.14';
const LOG_FILE = '/var/log/mongodb/mongod.log';

export function installMongod(host: LabHost, server: LabMongoServer, port: number, sinceMs: number): void {
  host.vfs.writeFile('/usr/bin/mongod', labBinary({ program: 'mongod', version: MONGOD_VERSION, versionOutput: `db version v${MONGOD_VERSION}` }), { mode: 0o755 });
  host.vfs.writeFile(
    '/etc/mongod.conf',
    [
      'storage:',
      '  dbPath: /var/lib/mongodb',
      'systemLog:',
      '  destination: file',
      '  logAppend: true',
      `  path: ${LOG_FILE}`,
      'net:',
      `  port: ${port}`,
      '  bindIp: 127.0.0.1',
      'processManagement:',
      '  timeZoneInfo: /usr/share/zoneinfo',
      'replication:',
      '  replSetName: rs01',
      '',
    ].join('\n'),
  );
  host.vfs.mkdir('/var/lib/mongodb', { parents: true });
  host.vfs.mkdir('/var/log/mongodb', { parents: true });
  host.vfs.writeFile(LOG_FILE, '');

  const log = (ctx: ProcessContext, component: string, id: number, msg: string, attr: Record<string, unknown> = {}): void => {
    const line = { t: { $date: new Date(ctx.clock.now()).toISOString().replace('Z', '+00:00') }, s: 'I', c: component, id, ctx: 'initandlisten', msg, attr };
    const previous = host.vfs.readFile(LOG_FILE);
    host.vfs.writeFile(LOG_FILE, Buffer.concat([previous, Buffer.from(`${JSON.stringify(line)}\n`)]));
  };

  const behaviour: ProcessBehaviour = {
    start(ctx) {
      if (ctx.resumed) {
        ctx.ready();
        return;
      }
      log(ctx, 'CONTROL', 4615611, 'MongoDB starting', { pid: ctx.pid, port, dbPath: '/var/lib/mongodb', architecture: '64-bit', host: host.name });
      ctx.after(1_500, () => {
        server.start(port).then(
          () => {
            if (ctx.signal.aborted) return;
            log(ctx, 'NETWORK', 23016, 'Waiting for connections', { port, ssl: 'off' });
            ctx.ready();
          },
          () => {
            log(ctx, 'STORAGE', 22943, 'Failed to set up listener', { error: { code: 9001, codeName: 'SocketException', errmsg: 'Address already in use' } });
            // mongod's exit code for "address in use".
            ctx.exit(48);
          },
        );
      });
    },
    stop(ctx) {
      log(ctx, 'CONTROL', 23377, 'Received signal', { signal: 15, error: 'Terminated' });
      void server.stop().then(() => {
        log(ctx, 'CONTROL', 20565, 'Now exiting');
        ctx.exit(0);
      });
    },
  };

  host.services.install({
    name: 'mongod',
    unitText: [
      '[Unit]',
      'Description=MongoDB Database Server',
      'Documentation=https://docs.mongodb.org/manual',
      'After=network-online.target',
      'Wants=network-online.target',
      '',
      '[Service]',
      'User=mongodb',
      'Group=mongodb',
      'Environment="MONGODB_CONFIG_OVERRIDE_NOFORK=1"',
      'ExecStart=/usr/bin/mongod --config /etc/mongod.conf',
      'RuntimeDirectory=mongodb',
      '',
      '[Install]',
      'WantedBy=multi-user.target',
      '',
    ].join('\n'),
    behaviour,
  });
  host.services.bootstrap('mongod', sinceMs);
}
