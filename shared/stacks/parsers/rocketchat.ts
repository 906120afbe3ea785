import { errorMessage, jsonObjectBody } from './http';
import { parseTolerantHealth, type HealthAnswer, type TolerantHealth } from './health';
import { ok, unknown, type Parsed } from './result';
import { isRecord, tryParseJson } from './text';

export interface RocketChatInfo {
  version: string;
  /** Without the `get-server-info` permission Rocket.Chat cuts the version to major.minor. */
  precision: 'major.minor' | 'full';
  commit?: string;
}

/** `GET /api/info`: `{"version":"7.0","success":true}`, or `{"info":{"version":"7.0.3",…}}` with auth. */
export function parseRocketChatInfo(body: string, httpStatus: number): Parsed<RocketChatInfo> {
  if (httpStatus !== 200) return unknown(`HTTP ${httpStatus}`, body);
  const object = jsonObjectBody(body);
  if (typeof object === 'string') return unknown(object, body);
  const info = isRecord(object.info) ? object.info : undefined;
  const version = info !== undefined ? info.version : object.version;
  if (typeof version !== 'string' || !/^\d+\.\d+/.test(version)) return unknown('no version in /api/info', body);
  const result: RocketChatInfo = { version, precision: /^\d+\.\d+$/.test(version) ? 'major.minor' : 'full' };
  if (info !== undefined && isRecord(info.commit) && typeof info.commit.hash === 'string') result.commit = info.commit.hash;
  return ok(result);
}

/** `GET /health` (before 7.11): 200 `ok`, or 500 when the node is unhealthy. */
export function parseRocketChatHealth(body: string, httpStatus: number): Parsed<HealthAnswer> {
  const text = body.trim();
  if (httpStatus === 200) {
    if (/^ok$/i.test(text)) return ok({ healthy: true, reasons: [] });
    const object = jsonObjectBody(body);
    if (typeof object !== 'string' && (object.status === 'ok' || object.success === true)) return ok({ healthy: true, reasons: [] });
    return unknown('HTTP 200 without "ok"', body);
  }
  if (httpStatus === 500) {
    const message = errorMessage(body);
    if (message !== undefined) return ok({ healthy: false, reasons: [message] });
  }
  return unknown(`unexpected health answer (HTTP ${httpStatus})`, body);
}

/** `GET /livez` and `/readyz` (7.11+): `{status, checks}`; the shape of checks varies. */
export function parseRocketChatProbe(body: string, httpStatus: number): Parsed<TolerantHealth> {
  return parseTolerantHealth(body, httpStatus);
}

export interface RocketChatLicense {
  /** A license is applied (`license.license` present). */
  hasLicense: boolean;
  version?: string;
  trial: boolean;
  offline?: boolean;
  tags: string[];
  activeModules: string[];
  serverUrls: string[];
  /** The latest `validUntil` of the license's valid periods (ISO text). */
  validUntil?: string;
  /** Limits whose `preventedActions` flag is set (the workspace is past them). */
  preventedActions: string[];
  limits: Record<string, { max: number; value?: number }>;
}

/**
 * `GET /api/v1/licenses.info` (authenticated). Only facts about the license are kept; the
 * license text itself is never part of this answer.
 */
export function parseRocketChatLicensesInfo(body: string, httpStatus: number): Parsed<RocketChatLicense> {
  if (httpStatus === 401 || httpStatus === 403) return unknown(`not authorised (HTTP ${httpStatus}): check the admin credentials`, body);
  if (httpStatus !== 200) return unknown(`HTTP ${httpStatus}`, body);
  const object = jsonObjectBody(body);
  if (typeof object === 'string') return unknown(object, body);
  if (object.success !== true || !isRecord(object.license)) return unknown('not a licenses.info answer', body);
  const info = object.license;
  if (!Array.isArray(info.activeModules) || !isRecord(info.limits)) return unknown('licenses.info without activeModules or limits', body);

  const license = isRecord(info.license) ? info.license : undefined;
  const information = license !== undefined && isRecord(license.information) ? license.information : undefined;
  const validation = license !== undefined && isRecord(license.validation) ? license.validation : undefined;
  const result: RocketChatLicense = {
    hasLicense: license !== undefined,
    trial: info.trial === true,
    tags: Array.isArray(info.tags) ? info.tags.filter(isRecord).map((tag) => String(tag.name ?? '')).filter((name) => name !== '') : [],
    activeModules: info.activeModules.filter((module): module is string => typeof module === 'string'),
    serverUrls: [],
    preventedActions: isRecord(info.preventedActions)
      ? Object.entries(info.preventedActions)
          .filter(([, prevented]) => prevented === true)
          .map(([limit]) => limit)
      : [],
    limits: {},
  };
  if (license !== undefined && typeof license.version === 'string') result.version = license.version;
  if (information !== undefined && typeof information.offline === 'boolean') result.offline = information.offline;
  if (validation !== undefined) {
    if (Array.isArray(validation.serverUrls)) {
      result.serverUrls = validation.serverUrls.filter(isRecord).map((url) => String(url.value ?? '')).filter((url) => url !== '');
    }
    if (Array.isArray(validation.validPeriods)) {
      const untils = validation.validPeriods
        .filter(isRecord)
        .map((period) => period.validUntil)
        .filter((until): until is string => typeof until === 'string')
        .sort();
      const latest = untils[untils.length - 1];
      if (latest !== undefined) result.validUntil = latest;
    }
  }
  for (const [name, limit] of Object.entries(info.limits)) {
    if (!isRecord(limit) || typeof limit.max !== 'number') continue;
    result.limits[name] = typeof limit.value === 'number' ? { max: limit.max, value: limit.value } : { max: limit.max };
  }
  return ok(result);
}

export type RocketChatSetting =
  | { id: 'Enterprise_License_Status'; value: 'Valid' | 'Invalid' }
  | { id: 'Cloud_Workspace_AirGapped_Restrictions_Remaining_Days'; value: number };

/**
 * A `rocketchat_settings` document as printed by mongosh `--json` or the driver's EJSON, for the
 * two settings the console reads. Other settings (the license text above all) are refused, so
 * their values never travel through here.
 */
export function parseRocketChatSetting(text: string): Parsed<RocketChatSetting> {
  const parsed = tryParseJson(text.trim());
  if (parsed === undefined || !isRecord(parsed.value)) return unknown('not a settings document', describeShape(text));
  const document = parsed.value;
  if (document._id === 'Enterprise_License_Status') {
    if (document.value === 'Valid' || document.value === 'Invalid') return ok({ id: 'Enterprise_License_Status', value: document.value });
    return unknown('Enterprise_License_Status is neither Valid nor Invalid', JSON.stringify({ _id: document._id, value: document.value }));
  }
  if (document._id === 'Cloud_Workspace_AirGapped_Restrictions_Remaining_Days') {
    const days = ejsonNumber(document.value);
    if (days !== undefined && Number.isInteger(days)) return ok({ id: 'Cloud_Workspace_AirGapped_Restrictions_Remaining_Days', value: days });
    return unknown('the remaining days are not a whole number', JSON.stringify({ _id: document._id, value: document.value }));
  }
  return unknown('not a setting this parser reads', JSON.stringify({ _id: document._id }));
}

/** A number in relaxed (`-1`) or canonical (`{"$numberInt":"-1"}`) Extended JSON. */
function ejsonNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (!isRecord(value)) return undefined;
  const wrapped = value.$numberInt ?? value.$numberLong ?? value.$numberDouble;
  if (typeof wrapped !== 'string' || !/^-?\d+(\.\d+)?$/.test(wrapped)) return undefined;
  return Number(wrapped);
}

/** For refused documents: only the field names, never the values (one of them may be a license). */
function describeShape(text: string): string {
  const parsed = tryParseJson(text.trim());
  return parsed !== undefined && isRecord(parsed.value) ? `fields: ${Object.keys(parsed.value).join(', ')}` : `${text.length} characters that are not a JSON object`;
}
