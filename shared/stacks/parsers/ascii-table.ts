import { splitLines } from './text';

/** A table drawn with `+---+` borders and `|` cells; a cell spanning lines is joined with `\n`. */
export interface AsciiTable {
  header: string[];
  rows: string[][];
}

const border = /^\+[-+]*$/;
const row = /^\|.*\|$/;

/**
 * Reads the ASCII tables clique/stdout_formatter print (VerneMQ's vmq-admin), in both layouts:
 * before 1.11 all rows sit between two borders and a row continued on the next line has an
 * empty first cell; from 1.11 a border follows every row and a row's lines sit between two
 * borders. Cells are split on `|`, not by width, so a cell wider than its border still reads.
 * Returns a reason string when the text is not a complete table.
 */
export function parseAsciiTable(text: string): AsciiTable | string {
  const lines = splitLines(text).map((line) => line.trim());
  const start = lines.findIndex((line) => border.test(line));
  if (start < 0) return 'no table in the output';
  const tableLines = lines.slice(start);
  while (tableLines.length > 0 && tableLines[tableLines.length - 1] === '') tableLines.pop();
  const last = tableLines[tableLines.length - 1]!;
  if (!border.test(last) || !last.endsWith('+')) return 'the table does not end with a border (truncated?)';

  // Segments: the runs of row lines between two borders.
  const segments: string[][][] = [];
  let current: string[][] | undefined;
  for (const line of tableLines) {
    if (border.test(line)) {
      if (current !== undefined && current.length > 0) segments.push(current);
      current = [];
      continue;
    }
    if (!row.test(line)) return `not a table line: ${line.slice(0, 80)}`;
    current?.push(line.slice(1, -1).split('|').map((cell) => cell.trim()));
  }
  const [headerSegment, ...body] = segments;
  if (headerSegment === undefined || headerSegment.length !== 1) return 'no single header row';
  const header = headerSegment[0]!;
  for (const cells of body.flat()) {
    if (cells.length !== header.length) return `a row has ${cells.length} cells, the header ${header.length}`;
  }

  const rows: string[][] = [];
  if (body.length > 1) {
    for (const segment of body) rows.push(mergeLines(segment));
  } else {
    for (const cells of body[0] ?? []) {
      const previous = rows[rows.length - 1];
      if (cells[0] === '' && previous !== undefined) rows[rows.length - 1] = mergeLines([previous, cells]);
      else rows.push(cells);
    }
  }
  return { header, rows };
}

function mergeLines(lines: string[][]): string[] {
  const width = lines[0]?.length ?? 0;
  return Array.from({ length: width }, (_, column) =>
    lines
      .map((cells) => cells[column] ?? '')
      .filter((cell) => cell !== '')
      .join('\n'),
  );
}

/** The table's rows as objects keyed by header cell. */
export function tableRecords(table: AsciiTable): Record<string, string>[] {
  return table.rows.map((cells) => Object.fromEntries(table.header.map((name, index) => [name, cells[index] ?? ''])));
}
