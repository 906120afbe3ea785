import type { z } from 'zod';
import { clusterSchema, inventorySchema, type Cluster, type Inventory } from './schema';

export interface InventoryIssue {
  /** Where, written as in the file: `clusters[0].hosts[2].address`. */
  path: string;
  message: string;
}

export type Validation<T> = { ok: true; value: T } | { ok: false; issues: InventoryIssue[] };

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

export function toIssues(error: z.ZodError): InventoryIssue[] {
  return error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
}

/** One line per issue, `path: message`, as shown by the CLI and in error messages. */
export function describeIssues(issues: readonly InventoryIssue[]): string {
  return issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message)).join('\n');
}

export function validateInventory(data: unknown): Validation<Inventory> {
  const parsed = inventorySchema.safeParse(data);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, issues: toIssues(parsed.error) };
}

/** For the cluster form: the same rules as the file, with paths relative to the cluster (`hosts[2].address`). */
export function validateCluster(data: unknown): Validation<Cluster> {
  const parsed = clusterSchema.safeParse(data);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, issues: toIssues(parsed.error) };
}
