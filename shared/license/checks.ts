import { licenseFingerprint, type ParsedLicense, type ParsedLicenseV3 } from './parse';
import type { LocalizedText } from './rejection';
import { licenseLimitKinds, type LicensePeriod } from './schema';
import { matchServerUrl, workspaceUrlOf, type ServerUrlMatch } from './server-url';

/**
 * What the wizard checks before a license reaches any node, against the target cluster
 * read live. Red blocks "Apply"; amber needs the admin's acknowledgement; green and info
 * only inform. The rules follow what Rocket.Chat 7 itself enforces (see server-url.ts
 * and the README's "What the wizard checks"), so a license the wizard passes is one Rocket.Chat accepts.
 */

export type CheckLevel = 'red' | 'amber' | 'green' | 'info';

export interface LicenseCheckItem {
  /** Stable for the same license and cluster, so an acknowledgement survives a re-check. */
  id: string;
  level: CheckLevel;
  message: LocalizedText;
  details: Record<string, unknown>;
}

export interface ClusterLicenseContext {
  clusterName: string;
  /** `Site_Url` from `rocketchat_settings`; undefined when it could not be read. */
  siteUrl: string | undefined;
  /** This computer's clock, epoch milliseconds. */
  now: number;
  /** Each node's clock (`date +%s`); NaN when it could not be read. */
  nodeClocks: { node: string; epochSeconds: number }[];
  /** Active users from MongoDB; undefined when they could not be counted. */
  activeUsers: number | undefined;
  /** The stored `Enterprise_License` and its status; undefined when none is stored. */
  currentLicense?: { fingerprint?: string; status: string; text?: string };
}

export const EXPIRY_WARNING_DAYS = 30;
/** `date +%s` has one-second resolution and is read over SSH: closer than this counts as agreeing. */
export const CLOCK_SKEW_TOLERANCE_SECONDS = 2;
const DAY_MS = 24 * 60 * 60 * 1000;

const text = (en: string, zh: string): LocalizedText => ({ en, 'zh-CN': zh });
const item = (id: string, level: CheckLevel, message: LocalizedText, details: Record<string, unknown> = {}): LicenseCheckItem => ({
  id,
  level,
  message,
  details,
});
const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const iso = (ms: number): string => new Date(ms).toISOString();

/** A clock difference in the largest unit that keeps it readable. */
function duration(seconds: number): LocalizedText {
  const [amount, en, zh] =
    seconds < 120 ? [seconds, 's', '秒']
    : seconds < 2 * 3600 ? [Math.round(seconds / 60), 'min', '分钟']
    : seconds < 2 * 86400 ? [Math.round(seconds / 3600), 'h', '小时']
    : [Math.round(seconds / 86400), 'days', '天'];
  return text(`${amount} ${en}`, `${amount} ${zh}`);
}

export function checkLicense(license: ParsedLicense, context: ClusterLicenseContext): LicenseCheckItem[] {
  const items: LicenseCheckItem[] = [];
  if (license.version === 3) {
    items.push(...checkSiteUrl(license, context.siteUrl));
    items.push(...checkValidity(license, context));
    items.push(...checkActiveUsers(license, context.activeUsers));
    items.push(...checkType(license));
  } else {
    items.push(
      item(
        'v2-opaque',
        'amber',
        text(
          `${license.notice.en} Whether it fits this cluster can only be seen after it is applied.`,
          `${license.notice['zh-CN']}只有在应用之后才能看出它是否适用于此集群。`,
        ),
        { encryptedBytes: license.encryptedBytes },
      ),
    );
  }
  items.push(...checkCurrentLicense(license, context.currentLicense));
  const signatureNotice = license.version === 3
    ? license.notice
    : text('Rocket.Chat decrypts and verifies the license itself when it is applied.', '应用许可证时由 Rocket.Chat 自行解密并验证。');
  items.push(item('signature-not-verified', 'info', signatureNotice));
  return items;
}

export interface ApplyDecision {
  allowed: boolean;
  /** Red items: nothing the admin can acknowledge. */
  blockedBy: string[];
  /** Amber items still waiting for the admin's acknowledgement. */
  unacknowledged: string[];
}

export function canApply(items: readonly LicenseCheckItem[], acknowledgedAmberIds: Iterable<string>): ApplyDecision {
  const acknowledged = new Set(acknowledgedAmberIds);
  const blockedBy = items.filter((check) => check.level === 'red').map((check) => check.id);
  const unacknowledged = items
    .filter((check) => check.level === 'amber' && !acknowledged.has(check.id))
    .map((check) => check.id);
  return { allowed: blockedBy.length === 0 && unacknowledged.length === 0, blockedBy, unacknowledged };
}

// --- Site URL --------------------------------------------------------------------------

function checkSiteUrl(license: ParsedLicenseV3, siteUrl: string | undefined): LicenseCheckItem[] {
  const entries = license.payload.validation.serverUrls;
  if (entries.length === 0) {
    return [item('site-url', 'green', text('The license is not tied to a site URL.', '此许可证不限定站点 URL。'))];
  }
  if (siteUrl === undefined) {
    return [
      item(
        'site-url-unread',
        'amber',
        text(
          "This cluster's Site_Url could not be read, so the license's site could not be checked.",
          '无法读取此集群的 Site_Url，因此无法检查许可证的站点。',
        ),
      ),
    ];
  }
  if (siteUrl === '') {
    return [
      item(
        'site-url-empty',
        'red',
        text(
          "This cluster's Site_Url is empty; Rocket.Chat invalidates a license when it does not know the site URL.",
          '此集群的 Site_Url 为空；Rocket.Chat 在不知道站点 URL 时会使许可证失效。',
        ),
      ),
    ];
  }
  const workspaceUrl = workspaceUrlOf(siteUrl);
  const problems = entries.flatMap((entry, index) => {
    const match = matchServerUrl(entry, siteUrl);
    return match.result === 'match' ? [] : [siteUrlProblem(entry, index, match, siteUrl, workspaceUrl, entries.length)];
  });
  if (problems.length > 0) return problems;
  return [
    item(
      'site-url',
      'green',
      text(
        `Site_Url ${siteUrl} matches the license (${entries.map((entry) => entry.value).join(', ')}).`,
        `Site_Url ${siteUrl} 与许可证匹配（${entries.map((entry) => entry.value).join('，')}）。`,
      ),
      { siteUrl, workspaceUrl, serverUrls: entries.map(({ value, type }) => ({ value, type })) },
    ),
  ];
}

function siteUrlProblem(
  entry: { value: string; type: string },
  index: number,
  match: Exclude<ServerUrlMatch, { result: 'match' }>,
  siteUrl: string,
  workspaceUrl: string,
  entryCount: number,
): LicenseCheckItem {
  const details = { siteUrl, workspaceUrl, entry: { value: entry.value, type: entry.type }, index };
  const id = `site-url:${index}`;
  const every = entryCount > 1
    ? text(' Rocket.Chat requires every server URL in a license to match.', 'Rocket.Chat 要求许可证中的每个服务器 URL 都匹配。')
    : text('', '');
  switch (match.result) {
    case 'mismatch':
      return item(
        id,
        'red',
        text(
          `The license is for ${entry.value}${entry.type === 'regex' ? ' (wildcard)' : ''}, but this cluster's Site_Url is ${siteUrl}; Rocket.Chat would reject it.${every.en}`,
          `此许可证适用于 ${entry.value}${entry.type === 'regex' ? '（通配符）' : ''}，但此集群的 Site_Url 为 ${siteUrl}；Rocket.Chat 会拒绝它。${every['zh-CN']}`,
        ),
        details,
      );
    case 'near-match':
      return item(
        id,
        'amber',
        text(
          `The license names ${entry.value}. It equals Site_Url only when its scheme or trailing slash is ignored; Rocket.Chat 7 compares it with ${workspaceUrl} as written and will probably reject it.`,
          `许可证中写的是 ${entry.value}。只有忽略其协议或末尾斜杠时才与 Site_Url 相同；Rocket.Chat 7 会按原样将其与 ${workspaceUrl} 比较，很可能会拒绝它。`,
        ),
        details,
      );
    case 'unchecked':
      return item(`${id}:unchecked`, 'amber', uncheckedSiteText(entry, match.reason), details);
  }
}

function uncheckedSiteText(entry: { value: string; type: string }, reason: Extract<ServerUrlMatch, { result: 'unchecked' }>['reason']): LocalizedText {
  switch (reason) {
    case 'hash':
      return text(
        'The license names its site by a hash, which could not be checked here; Rocket.Chat checks it when the license is applied.',
        '许可证以哈希值指定站点，此处无法检查；应用许可证时由 Rocket.Chat 检查。',
      );
    case 'bad-pattern':
    case 'unsafe-pattern':
      return text(
        `The license's site pattern ${entry.value} could not be checked (${reason === 'bad-pattern' ? 'it is not a valid pattern' : 'it is too complex to evaluate safely'}).`,
        `许可证的站点模式 ${entry.value} 无法检查（${reason === 'bad-pattern' ? '不是有效的模式' : '过于复杂，无法安全地求值'}）。`,
      );
    case 'unknown-type':
      return text(
        `The license names its site with an unknown kind of entry ("${entry.type}"), which could not be checked.`,
        `许可证使用未知类型（“${entry.type}”）指定站点，无法检查。`,
      );
  }
}

// --- Validity periods and clocks -------------------------------------------------------

type PeriodVerdict = 'valid' | 'not-yet-valid' | 'expired' | 'unreadable';

function periodVerdict(period: LicensePeriod, atMs: number): PeriodVerdict {
  const from = period.validFrom === undefined ? undefined : Date.parse(period.validFrom);
  const until = period.validUntil === undefined ? undefined : Date.parse(period.validUntil);
  if (Number.isNaN(from) || Number.isNaN(until)) return 'unreadable';
  if (from !== undefined && atMs < from) return 'not-yet-valid';
  if (until !== undefined && atMs > until) return 'expired';
  return 'valid';
}

/** What Rocket.Chat does when a period or limit fails: red only when it invalidates the license. */
function levelFor(behavior: string): CheckLevel {
  return behavior === 'invalidate_license' ? 'red' : 'amber';
}

function consequence(behavior: string, modules: string[] | undefined): LocalizedText {
  switch (behavior) {
    case 'invalidate_license':
      return text('Rocket.Chat would treat the license as invalid', 'Rocket.Chat 会将许可证视为无效');
    case 'start_fair_policy':
      return text('Rocket.Chat would start its fair-use policy', 'Rocket.Chat 会启动公平使用策略');
    case 'prevent_action':
      return text('Rocket.Chat would prevent adding more', 'Rocket.Chat 会阻止继续添加');
    case 'prevent_installation':
      return text('Rocket.Chat would prevent new installations', 'Rocket.Chat 会阻止新的安装');
    case 'disable_modules':
      return text(
        `Rocket.Chat would disable modules: ${(modules ?? []).join(', ') || '(none listed)'}`,
        `Rocket.Chat 会禁用以下模块：${(modules ?? []).join('，') || '（未列出）'}`,
      );
    default:
      return text(`Rocket.Chat would apply "${behavior}"`, `Rocket.Chat 会执行“${behavior}”`);
  }
}

function checkValidity(license: ParsedLicenseV3, context: ClusterLicenseContext): LicenseCheckItem[] {
  const periods = license.payload.validation.validPeriods;
  const items: LicenseCheckItem[] = [];
  periods.forEach((period, index) => {
    const verdict = periodVerdict(period, context.now);
    const result = consequence(period.invalidBehavior, period.modules);
    const details = { index, validFrom: period.validFrom, validUntil: period.validUntil, invalidBehavior: period.invalidBehavior, now: iso(context.now) };
    const from = period.validFrom === undefined ? Number.NaN : Date.parse(period.validFrom);
    const until = period.validUntil === undefined ? Number.NaN : Date.parse(period.validUntil);
    if (verdict === 'unreadable') {
      items.push(item(`period-unreadable:${index}`, 'amber', text(
        'A validity date in the license could not be read, so that period could not be checked.',
        '许可证中的一个有效期日期无法读取，因此无法检查该有效期。',
      ), details));
    } else if (verdict === 'expired') {
      const ago = Math.floor((context.now - until) / DAY_MS);
      items.push(item(`period-expired:${index}`, levelFor(period.invalidBehavior), text(
        `The license expired on ${day(until)} (${ago} days ago): ${result.en}.`,
        `许可证已于 ${day(until)} 过期（${ago} 天前）：${result['zh-CN']}。`,
      ), details));
    } else if (verdict === 'not-yet-valid') {
      items.push(item(`period-not-yet-valid:${index}`, levelFor(period.invalidBehavior), text(
        `The license is not valid before ${iso(from)}; until then ${result.en}.`,
        `许可证在 ${iso(from)} 之前无效；在此之前${result['zh-CN']}。`,
      ), details));
    } else if (!Number.isNaN(until) && until - context.now < EXPIRY_WARNING_DAYS * DAY_MS) {
      const left = Math.floor((until - context.now) / DAY_MS);
      items.push(item(`period-expiring:${index}`, 'amber', text(
        `The license expires on ${day(until)}, in ${left} days; plan its renewal.`,
        `许可证将于 ${day(until)} 过期，还剩 ${left} 天；请安排续期。`,
      ), details));
    }
  });
  if (items.length === 0) items.push(validNow(periods, context.now));
  items.push(...checkNodeClocks(periods, context));
  return items;
}

function validNow(periods: LicensePeriod[], now: number): LicenseCheckItem {
  const untils = periods.flatMap((period) => (period.validUntil === undefined ? [] : [Date.parse(period.validUntil)]));
  if (untils.length === 0) {
    return item('validity', 'green', text('The license is valid now and does not expire.', '许可证当前有效，且不会过期。'));
  }
  const until = Math.min(...untils);
  const left = Math.floor((until - now) / DAY_MS);
  return item(
    'validity',
    'green',
    text(`The license is valid now, until ${day(until)} (${left} days left).`, `许可证当前有效，有效期至 ${day(until)}（还剩 ${left} 天）。`),
    { validUntil: iso(until), daysLeft: left },
  );
}

/**
 * Each Rocket.Chat node judges the validity periods by its own clock, so a node whose
 * clock is off may refuse a license this computer sees as valid.
 */
function checkNodeClocks(periods: LicensePeriod[], context: ClusterLicenseContext): LicenseCheckItem[] {
  if (context.nodeClocks.length === 0) {
    return [item('node-clocks-unread', 'amber', text(
      "No node's clock could be read, so the validity dates could not be checked against the nodes.",
      '无法读取任何节点的时钟，因此无法按各节点的时间检查有效期。',
    ))];
  }
  const items: LicenseCheckItem[] = [];
  for (const { node, epochSeconds } of context.nodeClocks) {
    if (!Number.isFinite(epochSeconds)) {
      items.push(item(`node-clock-unread:${node}`, 'amber', text(
        `The clock of node ${node} could not be read, so the validity dates could not be checked there.`,
        `无法读取节点 ${node} 的时钟，因此无法在该节点上检查有效期。`,
      ), { node }));
      continue;
    }
    const nodeNow = epochSeconds * 1000;
    const skewSeconds = Math.round((nodeNow - context.now) / 1000);
    const direction = skewSeconds >= 0 ? text('ahead of', '快') : text('behind', '慢');
    const skew = duration(Math.abs(skewSeconds));
    const details = { node, nodeTime: iso(nodeNow), adminTime: iso(context.now), skewSeconds };
    // Only disagreements are news: what this computer sees is reported by checkValidity.
    const disagreement = periods
      .map((period) => ({ period, atNode: periodVerdict(period, nodeNow), here: periodVerdict(period, context.now) }))
      .find(({ atNode, here }) => atNode !== here && (atNode === 'not-yet-valid' || atNode === 'expired'));
    if (disagreement) {
      const { period, atNode } = disagreement;
      const seen = atNode === 'not-yet-valid'
        ? text(`not yet valid (valid from ${period.validFrom})`, `尚未生效（生效时间 ${period.validFrom}）`)
        : text(`expired (valid until ${period.validUntil})`, `已过期（有效期至 ${period.validUntil}）`);
      const result = consequence(period.invalidBehavior, period.modules);
      items.push(item(`node-clock:${node}`, levelFor(period.invalidBehavior), text(
        `Node ${node}'s clock reads ${iso(nodeNow)}, ${skew.en} ${direction.en} this computer; by that clock the license is ${seen.en}, so on ${node} ${result.en}. Fix the node's clock (NTP) first.`,
        `节点 ${node} 的时钟为 ${iso(nodeNow)}，比本机${direction['zh-CN']} ${skew['zh-CN']}；按该时钟许可证${seen['zh-CN']}，因此在 ${node} 上，${result['zh-CN']}。请先校准该节点的时钟（NTP）。`,
      ), { ...details, verdict: atNode, invalidBehavior: period.invalidBehavior }));
    } else if (Math.abs(skewSeconds) > CLOCK_SKEW_TOLERANCE_SECONDS) {
      items.push(item(`node-clock-skew:${node}`, 'amber', text(
        `Node ${node}'s clock is ${skew.en} ${direction.en} this computer. The license is still valid by it, but validity dates near the edges are judged differently there.`,
        `节点 ${node} 的时钟比本机${direction['zh-CN']} ${skew['zh-CN']}。按该时钟许可证仍然有效，但在有效期边界附近该节点的判断会不同。`,
      ), details));
    }
  }
  if (items.length === 0) {
    const count = context.nodeClocks.length;
    items.push(item('node-clocks', 'green', text(
      `The clocks of all ${count} nodes agree with this computer within ${CLOCK_SKEW_TOLERANCE_SECONDS} s.`,
      `全部 ${count} 个节点的时钟与本机相差均在 ${CLOCK_SKEW_TOLERANCE_SECONDS} 秒以内。`,
    ), { nodes: context.nodeClocks.map(({ node }) => node) }));
  }
  return items;
}

// --- Limits ----------------------------------------------------------------------------

/** Rocket.Chat's `validateLimit`: fair policy and prevent_action trigger on reaching the maximum, the rest on passing it. */
function limitTriggered(behavior: string, max: number, current: number): boolean {
  return behavior === 'start_fair_policy' || behavior === 'prevent_action' ? current >= max : current > max;
}

function checkActiveUsers(license: ParsedLicenseV3, activeUsers: number | undefined): LicenseCheckItem[] {
  const items: LicenseCheckItem[] = [];
  // A negative maximum means unlimited, as in Rocket.Chat.
  const limits = (license.payload.limits.activeUsers ?? []).filter(({ max }) => max >= 0);
  if (limits.length > 0 && activeUsers === undefined) {
    items.push(item('limit-activeUsers-uncounted', 'amber', text(
      "This cluster's active users could not be counted, so the license's user limit could not be checked.",
      '无法统计此集群的活跃用户数，因此无法检查许可证的用户数限制。',
    )));
  } else if (activeUsers !== undefined) {
    limits.forEach(({ max, behavior, modules }, index) => {
      if (!limitTriggered(behavior, max, activeUsers)) return;
      const result = consequence(behavior, modules);
      const reached = activeUsers === max ? text('has reached', '已达到') : text('is over', '已超过');
      items.push(item(`limit-activeUsers:${index}`, levelFor(behavior), text(
        `This cluster has ${activeUsers} active users and ${reached.en} the license's limit of ${max}: ${result.en}.`,
        `此集群有 ${activeUsers} 个活跃用户，${reached['zh-CN']}许可证的上限 ${max}：${result['zh-CN']}。`,
      ), { activeUsers, max, behavior }));
    });
    if (items.length === 0) {
      const lowest = limits.length === 0 ? undefined : Math.min(...limits.map(({ max }) => max));
      items.push(item('limit-activeUsers', 'green', lowest === undefined
        ? text(`${activeUsers} active users; the license sets no active-user limit.`, `${activeUsers} 个活跃用户；许可证未设置活跃用户上限。`)
        : text(`${activeUsers} active users, within the license's limit of ${lowest}.`, `${activeUsers} 个活跃用户，在许可证上限 ${lowest} 以内。`),
      { activeUsers, max: lowest }));
    }
  }
  const others = licenseLimitKinds
    .filter((kind) => kind !== 'activeUsers')
    .flatMap((kind) => (license.payload.limits[kind] ?? []).filter(({ max }) => max >= 0).map(({ max }) => `${kind} ≤ ${max}`));
  if (others.length > 0) {
    items.push(item('limits-not-counted', 'info', text(
      `Other limits in the license are not counted here: ${others.join(', ')}.`,
      `许可证中的其他限制此处不做统计：${others.join('，')}。`,
    ), { limits: others }));
  }
  return items;
}

// --- License type and the license in place ---------------------------------------------

function checkType(license: ParsedLicenseV3): LicenseCheckItem[] {
  const { trial, offline } = license.payload.information;
  const items: LicenseCheckItem[] = [];
  if (trial) {
    items.push(item('trial', 'amber', text(
      'This is a trial license: it is meant for evaluation and ends with its trial period.',
      '这是试用许可证：仅用于评估，试用期结束即失效。',
    )));
  }
  if (!offline) {
    items.push(item('not-offline', 'info', text(
      'This license is not marked as an offline license (information.offline is false).',
      '此许可证未标记为离线许可证（information.offline 为 false）。',
    )));
  }
  return items;
}

function checkCurrentLicense(license: ParsedLicense, current: ClusterLicenseContext['currentLicense']): LicenseCheckItem[] {
  if (current === undefined) {
    return [item('no-current-license', 'info', text('No license is stored on this cluster now.', '此集群当前未存储任何许可证。'))];
  }
  const currentFingerprint = current.fingerprint ?? (current.text === undefined ? undefined : licenseFingerprint(current.text));
  const details = { currentFingerprint, currentStatus: current.status, newFingerprint: license.fingerprint };
  if (currentFingerprint === license.fingerprint) {
    return current.status === 'Valid'
      ? [item('already-applied', 'info', text(
          'This license is already applied on this cluster, and Rocket.Chat reports it as Valid.',
          '此许可证已应用于此集群，Rocket.Chat 报告其状态为有效。',
        ), details)]
      : [item('same-as-current', 'amber', text(
          `This same license is already stored, and Rocket.Chat reports its status as ${current.status}. Applying it again will not change that unless its cause is fixed.`,
          `相同的许可证已经存储，Rocket.Chat 报告其状态为 ${current.status}。除非先解决其原因，否则再次应用也不会改变状态。`,
        ), details)];
  }
  return current.status === 'Valid'
    ? [item('replaces-valid-license', 'amber', text(
        'This replaces the license stored now, which Rocket.Chat reports as Valid. The current one is backed up first.',
        '此操作将替换当前存储的许可证（Rocket.Chat 报告其状态为有效）。当前许可证会先行备份。',
      ), details)]
    : [item('replaces-license', 'info', text(
        `This replaces the license stored now (status: ${current.status}). The current one is backed up first.`,
        `此操作将替换当前存储的许可证（状态：${current.status}）。当前许可证会先行备份。`,
      ), details)];
}
