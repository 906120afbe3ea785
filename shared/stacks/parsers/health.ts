import { healthWord, jsonObjectBody, type HealthWord } from './http';
import { ok, unknown, type Parsed } from './result';
import { isRecord } from './text';

/** What a health endpoint said about itself. */
export interface HealthAnswer {
  healthy: boolean;
  /** The reasons or error text the endpoint gave when not healthy. */
  reasons: string[];
}

/** VerneMQ `GET :8888/health`: 200 `{"status":"OK"}` or 503 `{"status":"DOWN","reasons":[…]}`. */
export function parseVernemqHealth(body: string, httpStatus: number): Parsed<HealthAnswer> {
  const object = jsonObjectBody(body);
  if (typeof object === 'string') return unknown(`HTTP ${httpStatus}: ${object}`, body);
  const word = healthWord(object.status);
  const reasons = Array.isArray(object.reasons) ? object.reasons.filter((reason): reason is string => typeof reason === 'string') : [];
  if (httpStatus === 200 && word === 'ok') return ok({ healthy: true, reasons: [] });
  if (httpStatus === 503 && word === 'down') return ok({ healthy: false, reasons });
  return unknown(`unexpected health answer (HTTP ${httpStatus})`, body);
}

/** NATS `GET :8222/healthz`: 200 `{"status":"ok"}` or 503 `{"status":"unavailable","error":"…"}`. */
export function parseNatsHealthz(body: string, httpStatus: number): Parsed<HealthAnswer> {
  const object = jsonObjectBody(body);
  if (typeof object === 'string') return unknown(`HTTP ${httpStatus}: ${object}`, body);
  const word = healthWord(object.status);
  if (httpStatus === 200 && word === 'ok') return ok({ healthy: true, reasons: [] });
  if (httpStatus >= 500 && word === 'down') {
    return ok({ healthy: false, reasons: typeof object.error === 'string' ? [object.error] : [] });
  }
  return unknown(`unexpected healthz answer (HTTP ${httpStatus})`, body);
}

export interface NatsJetStream {
  enabled: boolean;
  streams?: number;
  consumers?: number;
  messages?: number;
  bytes?: number;
  memory?: number;
  storage?: number;
  apiErrors?: number;
  /** Present when JetStream runs clustered. */
  metaCluster?: { name?: string; leader?: string; clusterSize?: number };
}

/** NATS `GET :8222/jsz`. */
export function parseNatsJsz(body: string, httpStatus: number): Parsed<NatsJetStream> {
  if (httpStatus !== 200) return unknown(`HTTP ${httpStatus}`, body);
  const object = jsonObjectBody(body);
  if (typeof object === 'string') return unknown(object, body);
  if (typeof object.server_id !== 'string') return unknown('no server_id: not a /jsz answer', body);
  if (object.disabled === true) return ok({ enabled: false });
  const jetStream: NatsJetStream = { enabled: true };
  for (const key of ['streams', 'consumers', 'messages', 'bytes', 'memory', 'storage'] as const) {
    const value = object[key];
    if (typeof value === 'number') jetStream[key] = value;
  }
  if (isRecord(object.api) && typeof object.api.errors === 'number') jetStream.apiErrors = object.api.errors;
  if (isRecord(object.meta_cluster)) {
    const meta = object.meta_cluster;
    jetStream.metaCluster = {};
    if (typeof meta.name === 'string') jetStream.metaCluster.name = meta.name;
    if (typeof meta.leader === 'string' && meta.leader !== '') jetStream.metaCluster.leader = meta.leader;
    if (typeof meta.cluster_size === 'number') jetStream.metaCluster.clusterSize = meta.cluster_size;
  }
  return ok(jetStream);
}

export interface TolerantHealth {
  overall: HealthWord;
  /** Each named check's state, when the endpoint lists checks. */
  checks: Record<string, HealthWord | 'unknown'>;
  /** Error text of checks that are not ok, by check name. */
  errors: Record<string, string>;
}

/**
 * A health endpoint whose exact shape is not known (VOMS `/api/v1/public/system/health`):
 * accepts `{status|state|health: "ok"|"healthy"|"up"|…}` or `{healthy: true}`, with an optional
 * `checks` map or array. A word it does not know makes the whole answer unknown.
 */
export function parseTolerantHealth(body: string, httpStatus: number): Parsed<TolerantHealth> {
  const object = jsonObjectBody(body);
  if (typeof object === 'string') return unknown(`HTTP ${httpStatus}: ${object}`, body);
  const statusValue = object.status ?? object.state ?? object.health ?? object.healthy ?? object.ok;
  const overall = healthWord(statusValue);
  if (overall === undefined) return unknown(`no health status word in the answer (HTTP ${httpStatus})`, body);
  const health: TolerantHealth = { overall, checks: {}, errors: {} };
  const checks = object.checks ?? object.components ?? object.details;
  const entries: Array<[string, unknown]> = Array.isArray(checks)
    ? checks.filter(isRecord).map((check) => [String(check.name ?? check.id ?? ''), check])
    : isRecord(checks)
      ? Object.entries(checks)
      : [];
  for (const [name, check] of entries) {
    if (name === '') continue;
    const word = healthWord(isRecord(check) ? (check.status ?? check.state ?? check.healthy) : check);
    health.checks[name] = word ?? 'unknown';
    if (isRecord(check) && word !== 'ok') {
      const error = check.error ?? check.message ?? check.msg;
      if (typeof error === 'string') health.errors[name] = error;
    }
  }
  // A 5xx with an "ok" body contradicts itself; trust neither.
  if (httpStatus >= 500 && overall === 'ok') return unknown(`HTTP ${httpStatus} with an "ok" body`, body);
  return ok(health);
}
