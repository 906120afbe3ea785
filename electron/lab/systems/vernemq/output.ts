/**
 * vmq-admin's two output formats (clique, VerneMQ 1.11+): ASCII tables with padded cells and a
 * separator after every row (multi-line cells keep their trailing blank line, as in the docs'
 * `plugin show --internal`), and `--format=json` (`{"table":[...],"type":"table"}`, compact,
 * keys in column order; `{"text":...,"type":"text"}` for a text answer).
 */

export type Row = Record<string, string | number | boolean>;

export function renderTable(columns: readonly string[], rows: readonly Row[]): string {
  const cellLines = (value: Row[string] | undefined): string[] => String(value ?? '').split('\n');
  const widths = columns.map((column) => Math.max(column.length, ...rows.flatMap((row) => cellLines(row[column]).map((line) => line.length))));
  const border = `+${widths.map((width) => '-'.repeat(width + 2)).join('+')}+\n`;
  const line = (cells: readonly string[]) => `|${cells.map((cell, index) => ` ${cell.padEnd(widths[index]!)} `).join('|')}|\n`;
  let out = border + line(columns) + border;
  for (const row of rows) {
    const cells = columns.map((column) => cellLines(row[column]));
    const height = Math.max(...cells.map((lines) => lines.length));
    for (let i = 0; i < height; i++) out += line(cells.map((lines) => lines[i] ?? ''));
    out += border;
  }
  return out;
}

export function renderJsonTable(columns: readonly string[], rows: readonly Row[]): string {
  const table = rows.map((row) => Object.fromEntries(columns.map((column) => [column, row[column] ?? ''])));
  return `${JSON.stringify({ table, type: 'table' })}\n`;
}

export function renderJsonText(text: string): string {
  return `${JSON.stringify({ text, type: 'text' })}\n`;
}
