import type { KeyboardEvent } from 'react';

/**
 * Arrow Up/Down (and Home/End) move focus to the same column of another row, so a
 * long list is walked without tabbing through every button of every row. Rows carry
 * `data-grid-row`; focusable cells carry `data-grid-col`.
 */
export function moveFocusBetweenRows(event: KeyboardEvent<HTMLElement>): void {
  const target = event.target as HTMLElement;
  const column = target.dataset.gridCol;
  const row = target.closest<HTMLElement>('[data-grid-row]');
  if (column === undefined || !row) return;
  const rows = [...event.currentTarget.querySelectorAll<HTMLElement>('[data-grid-row]')];
  const index = rows.indexOf(row);
  const next =
    event.key === 'ArrowDown' ? index + 1 : event.key === 'ArrowUp' ? index - 1 : event.key === 'Home' ? 0 : event.key === 'End' ? rows.length - 1 : -1;
  const destination = rows[next]?.querySelector<HTMLElement>(`[data-grid-col="${column}"]`);
  if (!destination) return;
  event.preventDefault();
  destination.focus();
}
