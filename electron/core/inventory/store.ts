import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { AppError } from '../../../shared/contract/errors';
import {
  emptyInventory,
  findCluster,
  nameSchema,
  type Cluster,
  type Inventory,
} from '../../../shared/inventory/schema';
import { describeIssues, validateCluster, validateInventory } from '../../../shared/inventory/validate';
import { parseInventory, serializeInventory } from './inventory-yaml';

export const INVENTORY_FILE = 'inventory.yaml';

export type InventoryChange =
  | { kind: 'saved'; name: string; previousName?: string }
  | { kind: 'deleted'; name: string };

export interface InventoryStoreOptions {
  /** Called after every change that reached the disk. */
  onChange?: (change: InventoryChange, inventory: Inventory) => void;
  /** Replaceable for tests that make a write fail. */
  serialize?: (inventory: Inventory) => string;
}

/**
 * The app's saved inventory: one YAML file in the data directory, replaced atomically
 * (write-file-atomic writes a temporary file and renames it), so a crash or a failed
 * write leaves the previous version intact. Mutations are queued, one at a time.
 * A file that does not parse is never overwritten: every call fails until it is fixed.
 */
export class InventoryStore {
  readonly file: string;
  private current: Inventory | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly serialize: (inventory: Inventory) => string;

  constructor(
    dataDir: string,
    private readonly options: InventoryStoreOptions = {},
  ) {
    this.file = join(dataDir, INVENTORY_FILE);
    this.serialize = options.serialize ?? serializeInventory;
  }

  async inventory(): Promise<Inventory> {
    if (!this.current) this.current = await this.load();
    return this.current;
  }

  async list(): Promise<Cluster[]> {
    return (await this.inventory()).clusters;
  }

  async get(name: string): Promise<Cluster> {
    const cluster = findCluster(await this.inventory(), name);
    if (!cluster) throw new AppError('NOT_FOUND', `No cluster named "${name}"`);
    return cluster;
  }

  /**
   * Creates a cluster, or replaces the one named `previousName` (which may be a rename).
   * Without `previousName` an existing name is a conflict, so two windows cannot
   * silently overwrite each other's new cluster.
   */
  save(input: unknown, previousName?: string): Promise<Cluster> {
    return this.mutate(async (inventory) => {
      const cluster = checked(input);
      const clusters = [...inventory.clusters];
      const clash = clusters.findIndex((c) => c.name === cluster.name);
      if (previousName === undefined) {
        if (clash >= 0) throw new AppError('CONFLICT', `A cluster named "${cluster.name}" already exists`);
        clusters.push(cluster);
      } else {
        const index = clusters.findIndex((c) => c.name === previousName);
        if (index < 0) throw new AppError('NOT_FOUND', `No cluster named "${previousName}"`);
        if (clash >= 0 && clash !== index) throw new AppError('CONFLICT', `A cluster named "${cluster.name}" already exists`);
        clusters[index] = cluster;
      }
      const change: InventoryChange =
        previousName !== undefined && previousName !== cluster.name
          ? { kind: 'saved', name: cluster.name, previousName }
          : { kind: 'saved', name: cluster.name };
      return { next: { ...inventory, clusters }, result: cluster, change };
    });
  }

  /** Copies a cluster under a new name (default: the first free "NAME-copy", "NAME-copy-2", ...). */
  duplicate(name: string, newName?: string): Promise<Cluster> {
    return this.mutate(async (inventory) => {
      const source = findCluster(inventory, name);
      if (!source) throw new AppError('NOT_FOUND', `No cluster named "${name}"`);
      const taken = new Set(inventory.clusters.map((c) => c.name));
      const targetName = newName ?? freeCopyName(name, taken);
      if (taken.has(targetName)) throw new AppError('CONFLICT', `A cluster named "${targetName}" already exists`);
      const copy = checked({ ...structuredClone(source), name: targetName });
      return {
        next: { ...inventory, clusters: [...inventory.clusters, copy] },
        result: copy,
        change: { kind: 'saved', name: copy.name },
      };
    });
  }

  delete(name: string): Promise<Cluster> {
    return this.mutate(async (inventory) => {
      const target = findCluster(inventory, name);
      if (!target) throw new AppError('NOT_FOUND', `No cluster named "${name}"`);
      return {
        next: { ...inventory, clusters: inventory.clusters.filter((c) => c !== target) },
        result: target,
        change: { kind: 'deleted', name },
      };
    });
  }

  private mutate<T>(
    step: (inventory: Inventory) => Promise<{ next: Inventory; result: T; change: InventoryChange }>,
  ): Promise<T> {
    const run = this.queue.then(async () => {
      const { next, result, change } = await step(await this.inventory());
      const whole = validateInventory(next);
      if (!whole.ok) throw new AppError('INVALID_INPUT', describeIssues(whole.issues), { issues: whole.issues });
      await this.write(whole.value);
      this.current = whole.value;
      this.options.onChange?.(change, whole.value);
      return result;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async write(inventory: Inventory): Promise<void> {
    const text = this.serialize(inventory);
    try {
      await mkdir(dirname(this.file), { recursive: true, mode: 0o700 });
      await writeFileAtomic(this.file, text, { mode: 0o600 });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      throw new AppError('UNAVAILABLE', `Cannot save the inventory to ${this.file} (${code})`);
    }
  }

  private async load(): Promise<Inventory> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      if (code === 'ENOENT') return emptyInventory();
      throw new AppError('UNAVAILABLE', `Cannot read the inventory ${this.file} (${code})`);
    }
    if (text.trim() === '') return emptyInventory();
    return parseInventory(text, this.file);
  }
}

function checked(input: unknown): Cluster {
  const result = validateCluster(input);
  if (!result.ok) throw new AppError('INVALID_INPUT', describeIssues(result.issues), { issues: result.issues });
  return result.value;
}

function freeCopyName(name: string, taken: ReadonlySet<string>): string {
  for (let n = 1; ; n++) {
    const suffix = n === 1 ? '-copy' : `-copy-${n}`;
    const candidate = `${name.slice(0, 64 - suffix.length)}${suffix}`;
    if (!taken.has(candidate) && nameSchema.safeParse(candidate).success) return candidate;
  }
}
