import { setTimeout as delay } from 'node:timers/promises';
import type { Db } from 'mongodb';
import { AppError } from '../../../shared/contract/errors';
import type { LicenseVerification } from '../../../shared/contract/license';
import { findHost, type Cluster, type Host } from '../../../shared/inventory/schema';
import { licenseFingerprint, parseLicense, shortFingerprint } from '../../../shared/license/parse';
import type { ApplyParams, BackupParams, RestoreParams, VerifyParams } from '../../../shared/license/plan';
import { canonicalJson } from '../../../shared/license/verify';
import type { Check, Executor, StepContext } from '../ops/engine';
import type { CheckResult } from '../ops/gate';
import type { LicenseFiles } from './license-files';
import { readStoredLicense, writeStoredLicense } from './reader';
import { restError, type RocketChatRest } from './rocketchat-rest';
import type { LicenseVerifier } from './verifier';

/** The executors and checks a license operation adds (params: `shared/license/plan.ts`). */

export interface LicenseKindsDeps {
  cluster(name: string): Promise<Cluster>;
  db(cluster: Cluster): Promise<Db>;
  rest: RocketChatRest;
  files: LicenseFiles;
  verifier: LicenseVerifier;
  now?: () => Date;
  /** Between two verification rounds. */
  verifyIntervalMs?: number;
}


export function licenseKinds(deps: LicenseKindsDeps): { executors: Record<string, Executor>; checks: Record<string, Check> } {
  async function target(context: StepContext, hostName: string | undefined): Promise<{ cluster: Cluster; host: Host }> {
    const cluster = await deps.cluster(context.cluster);
    const host = hostName === undefined ? undefined : findHost(cluster, hostName);
    if (!host) throw new AppError('NOT_FOUND', `Cluster ${cluster.name} has no host "${hostName ?? '(none)'}" any more.`);
    return { cluster, host };
  }

  /** The staged license, refusing a file that changed since the plan was made. */
  async function staged(p: ApplyParams): Promise<string> {
    const text = await deps.files.readText(p.licensePath).catch((error: unknown) => {
      throw new AppError('NOT_FOUND', `The staged license ${p.licensePath} cannot be read: ${(error as Error).message}`);
    });
    const fingerprint = licenseFingerprint(text);
    if (fingerprint !== p.fingerprint) throw new AppError('CONFLICT', `The staged license ${p.licensePath} is ${shortFingerprint(fingerprint)}, not ${shortFingerprint(p.fingerprint)}: it changed since the plan was made.`);
    return text;
  }

  async function storedFingerprint(context: StepContext): Promise<{ fingerprint: string; status?: string }> {
    const stored = await readStoredLicense(await deps.db(await deps.cluster(context.cluster)));
    return { fingerprint: licenseFingerprint(stored.text), ...(stored.status ? { status: stored.status } : {}) };
  }

  /** Whether `licenses.info` on the node reports the staged license. */
  async function nodeRuns(context: StepContext, p: ApplyParams): Promise<{ ok: boolean; detail: string }> {
    const { cluster, host } = await target(context, p.host);
    const answer = await deps.rest.call(cluster, host, { method: 'GET', path: '/api/v1/licenses.info', signal: context.signal });
    if (answer.status !== 200) return { ok: false, detail: `licenses.info on ${host.name}: ${restError(answer)}` };
    const payload = (answer.body as { license?: { license?: unknown } } | undefined)?.license?.license;
    const parsed = parseLicense(await staged(p));
    const expected = parsed.ok && parsed.license.version === 3 ? canonicalJson(parsed.license.payload) : undefined;
    if (payload === undefined || payload === null) return { ok: false, detail: `${host.name} reports no license` };
    if (expected !== undefined && canonicalJson(payload) !== expected) return { ok: false, detail: `${host.name} reports another license` };
    return { ok: true, detail: `${host.name} runs license ${shortFingerprint(p.fingerprint)}` };
  }

  async function addThroughRest(context: StepContext, hostName: string | undefined, text: string): Promise<void> {
    const { cluster, host } = await target(context, hostName);
    context.output(`POST /api/v1/licenses.add on ${host.name} (license ${shortFingerprint(licenseFingerprint(text))})\n`);
    const answer = await deps.rest.call(cluster, host, { method: 'POST', path: '/api/v1/licenses.add', body: { license: text }, signal: context.signal });
    context.output(`${restError(answer)}\n`);
    if (answer.status !== 200) throw new AppError('UNAVAILABLE', `licenses.add on ${host.name} was refused: ${restError(answer)}`);
  }

  async function writeThroughMongo(context: StepContext, text: string): Promise<void> {
    const cluster = await deps.cluster(context.cluster);
    context.output(`MongoDB: rocketchat_settings Enterprise_License ← license ${shortFingerprint(licenseFingerprint(text))}\n`);
    await writeStoredLicense(await deps.db(cluster), text);
  }

  function describeVerification(result: LicenseVerification, nodes: readonly string[]): string {
    const width = Math.max(...nodes.map((n) => n.length), 4);
    return result.nodes
      .filter((node) => nodes.includes(node.node))
      .map((node) => `${node.node.padEnd(width)}  ${node.state.padEnd(7)}  ${node.detail}`)
      .join('\n');
  }

  const executors: Record<string, Executor> = {
    'license.backup': async (raw, context) => {
      const p = raw as unknown as BackupParams;
      const stored = await readStoredLicense(await deps.db(await deps.cluster(context.cluster)));
      await deps.files.writeBackup(p.backupPath, {
        cluster: context.cluster,
        createdAt: (deps.now?.() ?? new Date()).toISOString(),
        value: stored.text,
        ...(stored.status !== undefined ? { status: stored.status } : {}),
      });
      context.output(`Saved license ${shortFingerprint(licenseFingerprint(stored.text))} (status ${stored.status ?? 'none'}) to ${p.backupPath}\n`);
    },
    'license.apply': async (raw, context) => {
      const p = raw as unknown as ApplyParams;
      const text = await staged(p);
      if (p.method === 'rest') await addThroughRest(context, p.host, text);
      else await writeThroughMongo(context, text);
    },
    'license.restore': async (raw, context) => {
      const p = raw as unknown as RestoreParams;
      const backup = await deps.files.readBackup(p.backupPath);
      if (p.method === 'rest' && backup.value.trim() !== '') {
        try {
          await addThroughRest(context, p.host, backup.value);
          return;
        } catch (error) {
          // The value must be back even when the node refuses it: the database is what every node starts from.
          context.output(`${(error as Error).message}; writing it through MongoDB instead\n`);
        }
      }
      await writeThroughMongo(context, backup.value);
    },
    'license.verifyNodes': async (raw, context) => {
      const p = raw as unknown as VerifyParams;
      const cluster = await deps.cluster(context.cluster);
      const deadline = Date.now() + p.graceMs;
      let shown = '';
      for (;;) {
        const result = await deps.verifier.verify(cluster, { fingerprint: p.fingerprint, signal: context.signal });
        if (result.storedMatches === false) {
          throw new AppError('CONFLICT', `MongoDB no longer stores license ${shortFingerprint(p.fingerprint)}: someone or something replaced it during the verification.`);
        }
        const table = describeVerification(result, p.nodes);
        if (table !== shown) context.output(`${table}\n\n`);
        shown = table;
        const pending = result.nodes.filter((node) => p.nodes.includes(node.node) && node.state !== 'applied');
        if (pending.length === 0) {
          context.output(`All ${p.nodes.length} nodes run license ${shortFingerprint(p.fingerprint)}.\n`);
          return;
        }
        if (Date.now() >= deadline) {
          const stale = result.stale.filter((node) => p.nodes.includes(node));
          context.output(
            `After ${Math.round(p.graceMs / 1000)} s, ${pending.length} of ${p.nodes.length} nodes do not run it yet (${pending.map((n) => `${n.node}: ${n.state}`).join(', ')}).` +
              (stale.length > 0 ? ` Restart ${stale.join(', ')} to make them apply the stored license.\n` : '\n'),
          );
          return;
        }
        await delay(deps.verifyIntervalMs ?? 2000, undefined, { signal: context.signal });
      }
    },
  };

  const checks: Record<string, Check> = {
    'license.backupExists': async (raw): Promise<CheckResult> => {
      const p = raw as unknown as BackupParams;
      return (await deps.files.exists(p.backupPath)) ? { ok: true, detail: `${p.backupPath} exists` } : { ok: false, detail: `no backup at ${p.backupPath} yet` };
    },
    'license.applied': async (raw, context): Promise<CheckResult> => {
      const p = raw as unknown as ApplyParams;
      const stored = await storedFingerprint(context);
      if (stored.fingerprint !== p.fingerprint) return { ok: false, detail: `MongoDB stores license ${shortFingerprint(stored.fingerprint)}` };
      if (p.method === 'mongo') return { ok: true, detail: `MongoDB already stores license ${shortFingerprint(p.fingerprint)}` };
      return nodeRuns(context, p);
    },
    'license.accepted': async (raw, context): Promise<CheckResult> => {
      const p = raw as unknown as ApplyParams;
      const stored = await storedFingerprint(context);
      if (stored.fingerprint !== p.fingerprint) return { ok: false, detail: `MongoDB stores license ${shortFingerprint(stored.fingerprint)}, not ${shortFingerprint(p.fingerprint)}` };
      if (p.method === 'mongo') return { ok: true, detail: `MongoDB stores license ${shortFingerprint(p.fingerprint)}; nodes apply it when they start` };
      if (stored.status !== 'Valid') return { ok: false, detail: `Enterprise_License_Status is ${stored.status ?? 'not set'}: Rocket.Chat did not accept the license` };
      const node = await nodeRuns(context, p);
      return node.ok ? { ok: true, detail: `Enterprise_License_Status is Valid; ${node.detail}` } : node;
    },
  };

  return { executors, checks };
}
