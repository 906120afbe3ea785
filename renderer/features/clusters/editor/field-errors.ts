import { AppError } from '../../../../shared/contract/errors';
import type { InventoryIssue } from '../../../../shared/inventory/validate';
import { formatPath } from '../../../../shared/inventory/validate';

/** Validation messages keyed by the field they belong to (`name`, `hosts[1].address`, `mongo.url`). */
export type FieldErrors = Record<string, string[]>;

/** Lists whose problems are shown once, next to the list, whichever element is wrong. */
const LIST_FIELDS = new Set(['stacks', 'roles', 'jump']);

/**
 * The field a problem belongs to, from any of the path styles that reach the form:
 * the schema's own (`hosts[0].address`), the dispatcher's (`cluster.hosts.0.address`)
 * and the whole-inventory check's (`clusters[2].hosts[0].address`).
 */
export function fieldKey(path: string): string {
  const parts: Array<string | number> = path
    .split(/[.[\]]/)
    .filter((part) => part !== '')
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part.replace(/^"|"$/g, '')));
  if (parts[0] === 'cluster') parts.shift();
  else if (parts[0] === 'clusters' && typeof parts[1] === 'number') parts.splice(0, 2);
  const last = parts.length - 1;
  if (typeof parts[last] === 'number' && LIST_FIELDS.has(String(parts[last - 1]))) parts.pop();
  return formatPath(parts);
}

export function groupIssues(issues: readonly InventoryIssue[]): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of issues) {
    const key = fieldKey(issue.path);
    (errors[key] ??= []).push(issue.message);
  }
  return errors;
}

const issueShape = (value: unknown): value is InventoryIssue =>
  typeof value === 'object' && value !== null && typeof (value as InventoryIssue).message === 'string';

/** The per-field problems an INVALID_INPUT error from the main process carries, if any. */
export function issuesOfError(error: unknown): InventoryIssue[] {
  if (!(error instanceof AppError) || error.code !== 'INVALID_INPUT') return [];
  const issues = error.details?.issues;
  if (!Array.isArray(issues)) return [];
  return issues.filter(issueShape).map((issue) => ({ path: String(issue.path ?? ''), message: issue.message }));
}

/** Messages whose field the form does not show, so they are listed above the buttons instead. */
export function unplacedMessages(errors: FieldErrors, shownFields: ReadonlySet<string>): string[] {
  return Object.entries(errors)
    .filter(([key]) => !shownFields.has(key))
    .flatMap(([key, messages]) => messages.map((message) => (key ? `${key}: ${message}` : message)));
}

const HOST_FIELDS = ['name', 'address', 'port', 'user', 'roles', 'auth', 'auth.method', 'auth.identityFile', 'auth.password', 'jump'];
const CLUSTER_FIELDS = [
  'name',
  'environment',
  'stacks',
  'hosts',
  'mongo.url',
  'mongo.username',
  'mongo.password',
  'mongo.tunnelVia',
  'rocketchat.adminUser',
  'rocketchat.adminUserId',
  'rocketchat.authToken',
  'rocketchat.siteUrl',
];

/** Every field key the cluster editor shows a message next to. */
export function editorFieldKeys(hostCount: number): Set<string> {
  const keys = new Set(CLUSTER_FIELDS);
  for (let index = 0; index < hostCount; index++) {
    for (const field of HOST_FIELDS) keys.add(`hosts[${index}].${field}`);
  }
  return keys;
}
