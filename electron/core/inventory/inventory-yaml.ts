import { LineCounter, parse, stringify, YAMLParseError } from 'yaml';
import { AppError } from '../../../shared/contract/errors';
import type { Inventory } from '../../../shared/inventory/schema';
import { describeIssues, validateInventory } from '../../../shared/inventory/validate';

/** Reads YAML text; a syntax error names its line without echoing the file's content. */
export function parseYamlText(text: string, source: string): unknown {
  const lines = new LineCounter();
  try {
    // No pretty errors: their code excerpt would copy the file's text into the message.
    return parse(text, { prettyErrors: false, uniqueKeys: true, maxAliasCount: 100, logLevel: 'error', lineCounter: lines });
  } catch (error) {
    if (error instanceof YAMLParseError) {
      const { line, col } = lines.linePos(error.pos[0]);
      throw new AppError('INVALID_INPUT', `${source}, line ${line}, column ${col}: ${error.message.split('\n')[0] ?? 'invalid YAML'}`);
    }
    throw error;
  }
}

/**
 * YAML text -> validated Inventory. Every problem is reported with its path in the
 * file (`clusters[0].hosts[2].address: ...`), all at once, so an admin fixes them in one go.
 */
export function parseInventory(text: string, source = 'inventory'): Inventory {
  const data = parseYamlText(text, source);
  const result = validateInventory(data);
  if (!result.ok) {
    throw new AppError('INVALID_INPUT', `${source} is not a valid inventory:\n${describeIssues(result.issues)}`, {
      issues: result.issues,
    });
  }
  return result.value;
}

export function serializeInventory(inventory: Inventory): string {
  return stringify(inventory, { lineWidth: 0 });
}
