import type { Db } from 'mongodb';
import type { AuditEntry } from '../../../shared/contract/audit';
import { AppError } from '../../../shared/contract/errors';
import type { ApplyMethod, LicenseBackup, LicenseCheckItemView, LicenseCheckResult, LicenseSummaryView, LicenseVerification } from '../../../shared/contract/license';
import type { Cluster } from '../../../shared/inventory/schema';
import type { LocalizedText } from '../../../shared/localized';
import { canApply, checkLicense, type ClusterLicenseContext, type LicenseCheckItem } from '../../../shared/license/checks';
import { licenseFingerprint, normalizeLicenseText, parseLicense, shortFingerprint, type ParsedLicense } from '../../../shared/license/parse';
import { LICENSE_FILE_PLAN_KIND, licenseFileHosts } from '../../../shared/license/file-plan';
import { DEFAULT_GRACE_SECONDS, LICENSE_PLAN_KIND, planLicense, type LicenseApplyMethod } from '../../../shared/license/plan';
import type { OpState } from '../../../shared/ops/state';
import type { AuditLog } from '../audit/audit-log';
import type { HostRunner } from '../hosts/host-runner';
import type { OperationEngine } from '../ops/engine';
import type { OutcomeAuditor } from '../ops/outcome-audit';
import { LicenseFileService } from './file-service';
import type { LicenseFiles } from './license-files';
import { countActiveUsers, readNodeClocks, readStoredLicense, rocketchatNodes, type StoredLicense } from './reader';
import { RocketChatRest } from './rocketchat-rest';
import type { LicenseVerifier } from './verifier';

const ACCEPT_TIMEOUT_SECONDS = 60;

export interface LicenseServiceDeps {
  clusters(): Promise<Cluster[]>;
  runner: HostRunner;
  db(cluster: Cluster): Promise<Db>;
  engine: OperationEngine;
  files: LicenseFiles;
  verifier: LicenseVerifier;
  audit?: AuditLog;
  now?: () => Date;
  /** How long the verification waits for nodes to pick the license up (tests use a short one). */
  graceSeconds?: number;
}

export interface ApplyInput {
  cluster: string;
  text: string;
  acknowledged?: readonly string[];
  method?: ApplyMethod | undefined;
  confirmName?: string | undefined;
  graceSeconds?: number | undefined;
}

type AuditInput = Omit<AuditEntry, 'id' | 'time' | 'actor'>;


function summaryOf(license: ParsedLicense): LicenseSummaryView {
  if (license.version === 2) return { version: 2, encryptedBytes: license.encryptedBytes };
  const { summary } = license;
  return {
    version: 3,
    type: summary.type,
    issuedTo: summary.issuedTo,
    serverUrls: summary.serverUrls,
    validPeriods: summary.validPeriods.map(({ validFrom, validUntil, invalidBehavior }) => ({
      ...(validFrom !== undefined ? { validFrom } : {}),
      ...(validUntil !== undefined ? { validUntil } : {}),
      invalidBehavior,
    })),
    modules: summary.modules,
    limits: Object.fromEntries(Object.entries(summary.limits).map(([kind, limits]) => [kind, limits ?? []])),
    createdAt: summary.createdAt,
  };
}

/** "offline license for chat.example.com until 2027-11-26": how steps and audit entries name a license. */
function describe(license: ParsedLicense): string {
  if (license.version === 2) return 'a legacy (v2) license';
  const until = license.summary.validPeriods.map((p) => p.validUntil).filter((d): d is string => d !== undefined).sort().at(-1);
  const sites = license.summary.serverUrls.map((u) => u.value).join(', ');
  return `${license.summary.type} license${sites ? ` for ${sites}` : ''}${until ? ` until ${until.slice(0, 10)}` : ''}`;
}

/** A cluster without Rocket.Chat nodes whose hosts take a license file (label `license.path`). */
function takesLicenseFile(cluster: Cluster): boolean {
  return rocketchatNodes(cluster).length === 0 && licenseFileHosts(cluster).length > 0;
}

/**
 * The offline license wizard's engine (issue 6): checks a license against the cluster read
 * live, applies it as a journaled operation (backup, apply, verify every node) and reverts to
 * a backup the same way. Nodes that stay on the old license are restarted through the
 * staged-restart feature, so the restart keeps its own order and gates.
 */
export class LicenseService {
  constructor(private readonly deps: LicenseServiceDeps) {
    this.fileStacks = new LicenseFileService(deps);
  }

  private readonly fileStacks: LicenseFileService;

  async check(clusterName: string, text: string): Promise<LicenseCheckResult> {
    const cluster = await this.cluster(clusterName);
    if (takesLicenseFile(cluster)) return this.fileStacks.check(cluster, text);
    const parsed = parseLicense(text);
    if (!parsed.ok) return { ok: false, rejection: parsed.rejection };
    const { items, methods, methodNotes, current } = await this.checkAgainst(cluster, parsed.license);
    const decision = canApply(items, []);
    return {
      ok: true,
      cluster: cluster.name,
      fingerprint: parsed.license.fingerprint,
      notice: parsed.license.notice,
      summary: summaryOf(parsed.license),
      items: items as LicenseCheckItemView[],
      blockedBy: decision.blockedBy,
      needsAcknowledgement: decision.unacknowledged,
      current,
      methods,
      methodNotes,
      nodes: rocketchatNodes(cluster).map((h) => h.name),
    };
  }

  async apply(input: ApplyInput): Promise<{ opId: string; backupId: string }> {
    const cluster = await this.confirmed(input.cluster, input.confirmName, 'apply a license to');
    if (takesLicenseFile(cluster)) return this.fileStacks.apply(cluster, input.text, input.acknowledged ?? []);
    const parsed = parseLicense(input.text);
    if (!parsed.ok) throw new AppError('INVALID_INPUT', `The license cannot be applied: ${parsed.rejection.message.en}`, { code: parsed.rejection.code });
    const { items, methods, stored } = await this.checkAgainst(cluster, parsed.license);
    const decision = canApply(items, input.acknowledged ?? []);
    if (!decision.allowed) {
      const reasons = [
        ...items.filter((i) => decision.blockedBy.includes(i.id)).map((i) => i.message.en),
        ...(decision.unacknowledged.length > 0 ? [`Not acknowledged: ${decision.unacknowledged.join(', ')}.`] : []),
      ];
      throw new AppError('CONFLICT', `The license was not applied: ${reasons.join(' ')}`, { blockedBy: decision.blockedBy, unacknowledged: decision.unacknowledged });
    }
    const method = this.methodOf(input.method, methods, cluster);
    return this.startOperation(cluster, {
      text: input.text,
      fingerprint: parsed.license.fingerprint,
      describe: describe(parsed.license),
      title: `Apply ${describe(parsed.license)} (${shortFingerprint(parsed.license.fingerprint)}) to ${cluster.name}`,
      method,
      stored: stored!,
      action: 'license.apply',
      graceSeconds: input.graceSeconds,
    });
  }

  async revert(input: { cluster: string; backupId: string; confirmName?: string | undefined; graceSeconds?: number | undefined }): Promise<{ opId: string; backupId: string }> {
    const cluster = await this.confirmed(input.cluster, input.confirmName, 'revert the license of');
    if (takesLicenseFile(cluster)) return this.fileStacks.revert(cluster, input.backupId);
    const backup = await this.deps.files.readBackup(this.deps.files.backupPath(cluster.name, input.backupId));
    const stored = await readStoredLicense(await this.deps.db(cluster));
    const empty = backup.value.trim() === '';
    const parsed = empty ? undefined : parseLicense(backup.value);
    const label = parsed?.ok ? describe(parsed.license) : empty ? 'no license' : 'the backed-up license';
    // Rocket.Chat's licenses.add cannot remove a license: going back to none is a database write.
    const method: LicenseApplyMethod = empty || RocketChatRest.credentialsProblem(cluster) !== undefined ? 'mongo' : 'rest';
    return this.startOperation(cluster, {
      text: backup.value,
      fingerprint: licenseFingerprint(backup.value),
      describe: label,
      title: `Revert ${cluster.name} to ${label} (backup of ${backup.createdAt})`,
      method,
      stored,
      action: 'license.revert',
      graceSeconds: input.graceSeconds,
    });
  }

  verify(clusterName: string, fingerprint?: string): Promise<LicenseVerification> {
    return this.cluster(clusterName).then((cluster) => this.deps.verifier.verify(cluster, fingerprint ? { fingerprint } : {}));
  }

  async backups(clusterName: string): Promise<LicenseBackup[]> {
    const cluster = await this.cluster(clusterName);
    return takesLicenseFile(cluster) ? this.fileStacks.backups(cluster) : this.deps.files.listBackups(cluster.name);
  }

  /** The audit entry of a finished license operation: fingerprint, method, and each node's result. */
  readonly outcomeAuditor: OutcomeAuditor = async (state: OpState): Promise<AuditInput | undefined> => {
    if ((state.plan.kind !== LICENSE_PLAN_KIND && state.plan.kind !== LICENSE_FILE_PLAN_KIND) || !state.finished) return undefined;
    const details = state.plan.details ?? {};
    const fingerprint = typeof details.fingerprint === 'string' ? details.fingerprint : undefined;
    const cluster = (await this.deps.clusters()).find((c) => c.name === state.cluster);
    const verification = cluster ? await this.deps.verifier.verify(cluster, fingerprint ? { fingerprint } : {}).catch((error: unknown) => (error as Error).message) : 'the cluster is no longer in the inventory';
    const outcome = state.finished.outcome === 'succeeded' ? 'ok' : state.finished.outcome;
    const nodes = typeof verification === 'string' ? verification : verification.nodes.map((n) => ({ node: n.node, state: n.state, detail: n.detail }));
    return {
      action: details.action === 'license.revert' ? 'license.revert' : 'license.apply',
      cluster: state.cluster,
      hosts: Array.isArray(details.nodes) ? (details.nodes as string[]) : [],
      outcome,
      summary: `${state.title}: ${state.finished.outcome}${typeof verification === 'string' ? '' : `; ${verification.nodes.filter((n) => n.state === 'applied').length} of ${verification.nodes.length} nodes run it`}`,
      details: { opId: state.id, ...details, nodes },
    };
  };

  private async startOperation(
    cluster: Cluster,
    op: {
      text: string;
      fingerprint: string;
      describe: string;
      title: string;
      method: LicenseApplyMethod;
      stored: StoredLicense;
      action: 'license.apply' | 'license.revert';
      graceSeconds?: number | undefined;
    },
  ): Promise<{ opId: string; backupId: string }> {
    const now = this.deps.now?.() ?? new Date();
    const nodes = rocketchatNodes(cluster).map((h) => h.name);
    const applyNode = op.method === 'rest' ? await this.reachableNode(cluster) : undefined;
    // What the fingerprint names: the text without the surrounding whitespace a file or a paste adds.
    const licensePath = await this.deps.files.stage(cluster.name, normalizeLicenseText(op.text), now);
    const backupPath = this.deps.files.backupPathFor(cluster.name, now);
    const backupId = backupPath.slice(backupPath.lastIndexOf('/') + 1);
    const current = op.stored.text.trim() === '' ? {} : { fingerprint: licenseFingerprint(op.stored.text) };
    const plan = planLicense({
      cluster: cluster.name,
      title: op.title,
      fingerprint: op.fingerprint,
      describe: op.describe,
      method: op.method,
      ...(applyNode !== undefined ? { applyNode } : {}),
      licensePath,
      backupPath,
      current: { ...current, ...(op.stored.status !== undefined ? { status: op.stored.status } : {}) },
      nodes,
      graceSeconds: op.graceSeconds ?? this.deps.graceSeconds ?? DEFAULT_GRACE_SECONDS,
      acceptTimeoutSeconds: ACCEPT_TIMEOUT_SECONDS,
    });
    plan.details = { ...plan.details, action: op.action, backupId };
    const opId = await this.deps.engine.start(plan, { onGateFailure: 'undo-and-stop' });
    await this.deps.audit?.append({
      action: op.action,
      cluster: cluster.name,
      hosts: nodes,
      outcome: 'started',
      summary: `Started: ${op.title}`,
      details: { opId, fingerprint: op.fingerprint, method: op.method, backupId, previousFingerprint: current.fingerprint ?? null, ...(applyNode ? { applyNode } : {}) },
    });
    return { opId, backupId };
  }

  /** The checks of `shared/license/checks.ts` against the cluster read now, and what a backup needs. */
  private async checkAgainst(
    cluster: Cluster,
    license: ParsedLicense,
  ): Promise<{ items: LicenseCheckItem[]; methods: ApplyMethod[]; methodNotes: LocalizedText[]; current: { fingerprint?: string; status?: string }; stored?: StoredLicense }> {
    const nodes = rocketchatNodes(cluster);
    if (nodes.length === 0) throw new AppError('INVALID_INPUT', `Cluster ${cluster.name} has no host with the role rocketchat: the license wizard applies Rocket.Chat licenses.`);
    let stored: StoredLicense | undefined;
    let activeUsers: number | undefined;
    let mongoProblem: string | undefined;
    try {
      const db = await this.deps.db(cluster);
      stored = await readStoredLicense(db);
      activeUsers = await countActiveUsers(db);
    } catch (error) {
      mongoProblem = (error as Error).message;
    }
    const context: ClusterLicenseContext = {
      clusterName: cluster.name,
      siteUrl: stored?.siteUrl,
      now: (this.deps.now?.() ?? new Date()).getTime(),
      nodeClocks: await readNodeClocks(this.deps.runner, cluster, nodes),
      activeUsers,
      ...(stored && stored.text.trim() !== '' ? { currentLicense: { fingerprint: licenseFingerprint(stored.text), status: stored.status ?? 'unknown' } } : {}),
    };
    const current = { ...(context.currentLicense?.fingerprint ? { fingerprint: context.currentLicense.fingerprint } : {}), ...(stored?.status ? { status: stored.status } : {}) };
    const items = checkLicense(license, context);
    if (mongoProblem !== undefined) {
      items.unshift({
        id: 'mongo-unreachable',
        level: 'red',
        message: {
          en: `MongoDB could not be read (${mongoProblem}): the current license cannot be backed up, so nothing will be applied.`,
          'zh-CN': `无法读取 MongoDB（${mongoProblem}）：无法备份当前许可证，因此不会应用任何更改。`,
        },
        details: {},
      });
    }
    const credentialsProblem = RocketChatRest.credentialsProblem(cluster);
    const methods: ApplyMethod[] = [...(credentialsProblem === undefined ? (['rest'] as const) : []), ...(mongoProblem === undefined ? (['mongo'] as const) : [])];
    const methodNotes =
      credentialsProblem === undefined
        ? []
        : [{ en: `licenses.add is not available: ${credentialsProblem}.`, 'zh-CN': `licenses.add 不可用：集群 ${cluster.name} 没有 Rocket.Chat 管理员凭据（rocketchat.adminUserId + authToken，或 adminUser + password）。` }];
    return { items, methods, methodNotes, current, ...(stored ? { stored } : {}) };
  }

  private methodOf(requested: ApplyMethod | undefined, methods: ApplyMethod[], cluster: Cluster): LicenseApplyMethod {
    const method = requested ?? methods[0];
    if (method === undefined) throw new AppError('UNAVAILABLE', `Cluster ${cluster.name} offers no way to apply a license: neither admin credentials nor MongoDB.`);
    if (method === 'file' || !methods.includes(method)) throw new AppError('INVALID_INPUT', `Cluster ${cluster.name} cannot take a license by ${method}; it can by: ${methods.join(', ') || 'nothing'}.`);
    return method;
  }

  /** The first Rocket.Chat node that answers its health check: `licenses.add` goes to it directly. */
  private async reachableNode(cluster: Cluster): Promise<string> {
    const verification = await this.deps.verifier.verify(cluster);
    const node = verification.nodes.find((n) => n.state !== 'down') ?? verification.nodes[0];
    if (!node || node.state === 'down') throw new AppError('UNAVAILABLE', `No Rocket.Chat node of ${cluster.name} answers: ${verification.nodes.map((n) => `${n.node}: ${n.detail}`).join('; ')}`);
    return node.node;
  }

  private async confirmed(clusterName: string, confirmName: string | undefined, what: string): Promise<Cluster> {
    const cluster = await this.cluster(clusterName);
    if (cluster.environment === 'production' && confirmName !== cluster.name) {
      throw new AppError('INVALID_INPUT', `Cluster ${cluster.name} is production: type its name to ${what} it.`);
    }
    return cluster;
  }

  private async cluster(name: string): Promise<Cluster> {
    const cluster = (await this.deps.clusters()).find((c) => c.name === name);
    if (!cluster) throw new AppError('NOT_FOUND', `No cluster named "${name}"`);
    return cluster;
  }
}
