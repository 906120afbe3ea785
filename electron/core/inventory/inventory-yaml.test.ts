import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/contract/errors';
import { parseInventory, serializeInventory } from './inventory-yaml';

const example = readFileSync(new URL('./fixtures/example-inventory.yaml', import.meta.url), 'utf8');

function errorOf(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an error');
}

describe('inventory YAML', () => {
  it('reads the documented example and writes it back unchanged in meaning', () => {
    const inventory = parseInventory(example);
    expect(inventory.clusters.map((c) => c.name)).toEqual(['chat-prod', 'mqtt-k8s', 'lab-demo']);
    const chat = inventory.clusters[0];
    expect(chat?.hosts.find((h) => h.name === 'bastion')).toMatchObject({ port: 22, auth: { method: 'agent' } });
    expect(chat?.hosts.find((h) => h.name === 'rc-2')?.jump).toEqual(['ops@bastion.example.com:22']);
    expect(inventory.clusters[1]?.hosts[0]?.services?.[0]).toMatchObject({ kind: 'wrapped', wrapper: ['kubectl', 'exec', '-n', 'mqtt', 'vernemq-0', '--'] });
    expect(parseInventory(serializeInventory(inventory))).toEqual(inventory);
  });

  it('names the path of every problem in one error', () => {
    const text = example.replace('address: 10.0.1.5', 'address: "10.0.1.5; reboot"').replace('port: 2222', 'port: 0');
    const error = errorOf(() => parseInventory(text, 'inventory.yaml'));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toContain('inventory.yaml is not a valid inventory');
    expect(error.message).toContain('clusters[0].hosts[2].address: "10.0.1.5; reboot" is refused: a host address cannot contain spaces');
    expect(error.message).toContain('clusters[0].hosts[3].port: a port is between 1 and 65535');
  });

  it('reports YAML syntax errors by line without copying the file into the message', () => {
    const error = errorOf(() => parseInventory('version: 1\nclusters:\n  - name: a\n    name: b # password: hunter2\n', 'inv.yaml'));
    expect(error.message).toMatch(/^inv\.yaml, line 4, column 5: Map keys must be unique/);
    expect(error.message).not.toContain('hunter2');
  });

  it('refuses a file with a plain password in it', () => {
    const text = example.replace('password: { secret: 0d9e8f7a-1b2c-4d3e-8f4a-5b6c7d8e9f0a }', 'password: hunter2');
    const error = errorOf(() => parseInventory(text));
    expect(error.message).toContain('clusters[0].hosts[4].auth.password: secrets are never stored in the inventory');
    expect(error.message).not.toContain('hunter2');
  });
});
