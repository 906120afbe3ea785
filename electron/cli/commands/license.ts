import { open, readFile, stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { LicenseCheckResult, LicenseVerification } from '../../../shared/contract/license';
import { checkLicenseFileBytes, LICENSE_SAMPLE_BYTES } from '../../../shared/license/input';
import { decodeUtf8 } from '../../../shared/license/encoding';
import { DEFAULT_GRACE_SECONDS, MAX_GRACE_SECONDS } from '../../../shared/license/plan';
import { ExitCode, UsageError, type CliCommand, subcommandOf } from '../command';
import { connectionOptions, connectionUsage, loadClusters, openHosts } from '../context';
import { openOperations, waitForOperation } from '../operations';
import { progressPrinter } from './restart';

const usage = `Usage: switchboard license check --inventory FILE --cluster NAME --file LICENSE [--json]
       switchboard license apply --inventory FILE --cluster NAME --file LICENSE --yes
                                 [--ack ID,…|--ack-all] [--method rest|mongo] [--grace S]
                                 [--restart-stale] [--confirm NAME] [--json]

Offline license for a Rocket.Chat cluster (FIELD-NOTES §1). "check" parses the license and
compares it with the cluster read live: Site_Url, validity by this computer's and each node's
clock, active users against the limits, the license stored now. Nothing changes.
"apply" runs the same checks, then, as a journaled operation: backs up Enterprise_License to
the data directory, applies the license (licenses.add on one node directly, or a MongoDB
write with --method mongo), and verifies every node directly. Nodes still on the old license
are listed; --restart-stale restarts them one at a time through the staged restart (drain in
HAProxy, restart, health gate, ready) and verifies again.
Red checks block; amber checks must be acknowledged by id (--ack) or all at once (--ack-all).
Exit codes: 0 valid for this cluster / applied on every node; 2 blocked, refused, or a node
does not run the license; 1 usage.

Options:
  --inventory FILE   the inventory
  --cluster NAME     the cluster
  --file LICENSE     the license file (text, at most 1 MB)
  --json             print the check (or the final verification) as JSON
  --yes              apply without asking (required by "apply")
  --ack ID[,ID…]     acknowledge these amber checks
  --ack-all          acknowledge every amber check (they are printed first)
  --method M         rest (default when admin credentials exist) or mongo
  --grace S          seconds the verification waits for nodes (default ${DEFAULT_GRACE_SECONDS})
  --restart-stale    restart the nodes that did not pick the license up, then verify again
  --confirm NAME     the cluster's name, required for a production cluster
  --journal DIR      where operation journals live (default: DATA_DIR/operations)
${connectionUsage}

Secrets (the Rocket.Chat admin token, MongoDB password) come from the vault:
set SWITCHBOARD_VAULT_PASSPHRASE.`;

/** The license file as text, refused with the wizard's one-line reasons before it is read whole. */
async function readLicenseFile(path: string): Promise<string> {
  const size = await stat(path).then(
    (s) => s.size,
    (error: unknown) => {
      throw new UsageError(`cannot read ${path}: ${(error as Error).message}`);
    },
  );
  const handle = await open(path, 'r');
  let sample: Uint8Array;
  try {
    const buffer = Buffer.alloc(Math.min(size, LICENSE_SAMPLE_BYTES));
    await handle.read(buffer, 0, buffer.length, 0);
    sample = buffer;
  } finally {
    await handle.close();
  }
  const early = checkLicenseFileBytes({ size, sample });
  if (!early.ok) throw new LicenseRefused(early.rejection.message.en);
  const bytes = await readFile(path);
  const complete = checkLicenseFileBytes(bytes);
  if (!complete.ok) throw new LicenseRefused(complete.rejection.message.en);
  const text = decodeUtf8(bytes);
  if (text === undefined) throw new LicenseRefused('The file is not UTF-8 text.');
  return text;
}

/** A license refused before it reached anything: exit 2, with the reason. */
class LicenseRefused extends Error {}

function formatCheck(result: Extract<LicenseCheckResult, { ok: true }>): string {
  const mark = { red: 'FAIL', amber: 'WARN', green: 'ok  ', info: 'info' } as const;
  const summary = result.summary;
  const lines = [`License ${result.fingerprint.slice(0, 12)}… for cluster ${result.cluster}`];
  if (summary.version === 3) {
    lines.push(
      `  type:        ${summary.type}`,
      `  issued to:   ${[summary.issuedTo.name, summary.issuedTo.company].filter(Boolean).join(', ') || '(not named)'}`,
      `  server URLs: ${summary.serverUrls.map((u) => `${u.value} (${u.type})`).join(', ') || '(any)'}`,
      ...summary.validPeriods.map((p, i) => `  period ${i}:    ${p.validFrom ?? '…'} → ${p.validUntil ?? '…'} (${p.invalidBehavior})`),
      `  modules:     ${summary.modules.join(', ') || '(none)'}`,
      ...Object.entries(summary.limits).map(([kind, limits]) => `  limit:       ${kind} ${limits.map((l) => `max ${l.max} (${l.behavior})`).join(', ')}`),
    );
  } else if (summary.version === 2) {
    lines.push(`  legacy v2 license (${summary.encryptedBytes} encrypted bytes): its contents are read by Rocket.Chat only`);
  } else {
    lines.push(`  license file: ${summary.bytes} bytes, sha256 ${summary.sha256}`);
  }
  lines.push(`  ${result.notice.en}`, `  now stored:  ${result.current.fingerprint ? `${result.current.fingerprint.slice(0, 12)}…` : 'no license'} (status ${result.current.status ?? 'none'})`, '');
  for (const item of result.items) lines.push(`[${mark[item.level]}] ${item.id}: ${item.message.en}`);
  lines.push('', `Apply by: ${result.methods.join(', ') || 'nothing'}${result.methodNotes.length ? ` (${result.methodNotes.map((n) => n.en).join(' ')})` : ''}`);
  lines.push(
    result.blockedBy.length > 0
      ? `BLOCKED by: ${result.blockedBy.join(', ')}`
      : result.needsAcknowledgement.length > 0
        ? `Valid for this cluster; acknowledge before applying: ${result.needsAcknowledgement.join(', ')}`
        : 'Valid for this cluster.',
  );
  return lines.join('\n');
}

function formatVerification(verification: LicenseVerification): string {
  const width = Math.max(4, ...verification.nodes.map((n) => n.node.length));
  const yesNo = (value: boolean | undefined) => (value === undefined ? '?' : value ? 'yes' : 'no');
  return [
    `${'NODE'.padEnd(width)}  STATE    LICENSE   READ-ONLY  HEALTHY  DETAIL`,
    ...verification.nodes.map((n) => `${n.node.padEnd(width)}  ${n.state.padEnd(7)}  ${n.license.padEnd(8)}  ${yesNo(n.readOnly).padEnd(9)}  ${yesNo(n.healthy).padEnd(7)}  ${n.detail}`),
    `Enterprise_License_Status: ${verification.status ?? 'not set'}; air-gap days left: ${verification.airGappedDays ?? 'not set'}`,
  ].join('\n');
}

export const licenseCommand: CliCommand = {
  name: 'license',
  summary: 'Check or apply an offline Rocket.Chat license on every node',
  usage,
  async run(argv, io) {
    const [subcommand, rest] = subcommandOf(argv, ['check', 'apply'] as const);
    const { values } = parseArgs({
      args: rest,
      options: {
        inventory: { type: 'string' },
        cluster: { type: 'string' },
        file: { type: 'string' },
        json: { type: 'boolean' },
        yes: { type: 'boolean' },
        ack: { type: 'string' },
        'ack-all': { type: 'boolean' },
        method: { type: 'string' },
        grace: { type: 'string' },
        'restart-stale': { type: 'boolean' },
        confirm: { type: 'string' },
        journal: { type: 'string' },
        ...connectionOptions,
      },
      strict: true,
    });
    if (!values.cluster) throw new UsageError('--cluster NAME is required');
    if (!values.file) throw new UsageError('--file LICENSE is required');
    if (subcommand === 'apply' && !values.yes) throw new UsageError('license apply changes the cluster: add --yes (read "license check" first)');
    if (values.method !== undefined && values.method !== 'rest' && values.method !== 'mongo') throw new UsageError('--method is rest or mongo');
    const graceSeconds = values.grace === undefined ? undefined : Number(values.grace);
    if (graceSeconds !== undefined && !(Number.isInteger(graceSeconds) && graceSeconds >= 0 && graceSeconds <= MAX_GRACE_SECONDS)) throw new UsageError(`--grace takes whole seconds, 0 to ${MAX_GRACE_SECONDS}`);

    let text: string;
    try {
      text = await readLicenseFile(values.file);
    } catch (error) {
      if (!(error instanceof LicenseRefused)) throw error;
      io.stderr.write(`REFUSED: ${error.message} Nothing was changed.\n`);
      return ExitCode.problem;
    }

    const clusters = await loadClusters(io, values.inventory, values.cluster);
    const hosts = await openHosts(io, values, clusters);
    const operations = openOperations(io, values, clusters, hosts, subcommand === 'apply' ? progressPrinter(io) : undefined);
    const service = operations.license;
    try {
      const result = await service.check(values.cluster, text);
      if (!result.ok) {
        if (values.json) io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        io.stderr.write(`REFUSED: ${result.rejection.message.en} Nothing was changed.\n`);
        return ExitCode.problem;
      }
      const blocked = result.blockedBy.length > 0;
      if (subcommand === 'check' || blocked) {
        if (values.json) io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        else io.stdout.write(`${formatCheck(result)}\n`);
        if (blocked && subcommand === 'apply') io.stderr.write('Nothing was changed.\n');
        return blocked ? ExitCode.problem : ExitCode.ok;
      }
      io.stderr.write(`${formatCheck(result)}\n\n`);
      const acknowledged = values['ack-all'] ? result.needsAcknowledgement : (values.ack ?? '').split(',').map((id) => id.trim()).filter((id) => id !== '');
      const missing = result.needsAcknowledgement.filter((id) => !acknowledged.includes(id));
      if (missing.length > 0) {
        io.stderr.write(`Not applied: acknowledge ${missing.join(', ')} with --ack (or --ack-all). Nothing was changed.\n`);
        return ExitCode.problem;
      }
      const applied = await service.apply({
        cluster: values.cluster,
        text,
        acknowledged,
        method: values.method as 'rest' | 'mongo' | undefined,
        confirmName: values.confirm,
        graceSeconds,
      });
      io.stderr.write(`Operation ${applied.opId} started; backup ${applied.backupId}.\n`);
      const { status: state } = await waitForOperation(operations.engine, applied.opId, io);
      io.stderr.write(`Operation ${applied.opId}: ${state}\n`);
      let verification = await service.verify(values.cluster, result.fingerprint);
      if (state === 'succeeded' && values['restart-stale'] && verification.stale.length > 0) {
        io.stderr.write(`Restarting ${verification.stale.join(', ')}, one at a time with gates.\n`);
        const { opId } = await operations.restart.start(values.cluster, { nodes: verification.stale, roles: ['rocketchat'], maxUnavailable: 1, gateTimeoutSeconds: 300, onGateFailure: 'stop' }, values.confirm);
        io.stderr.write(`Operation ${opId}: ${(await waitForOperation(operations.engine, opId, io)).status}\n`);
        verification = await service.verify(values.cluster, result.fingerprint);
      }
      if (values.json) io.stdout.write(`${JSON.stringify({ opId: applied.opId, backupId: applied.backupId, status: state, verification }, null, 2)}\n`);
      else io.stdout.write(`${formatVerification(verification)}\n`);
      const everyNode = verification.nodes.every((n) => n.state === 'applied');
      if (!everyNode && verification.stale.length > 0 && !values['restart-stale']) io.stderr.write(`${verification.stale.join(', ')} still run the old license: restart them (--restart-stale, or the app's staged restart).\n`);
      return state === 'succeeded' && everyNode ? ExitCode.ok : ExitCode.problem;
    } finally {
      await operations.close();
      await hosts.close();
    }
  },
};
