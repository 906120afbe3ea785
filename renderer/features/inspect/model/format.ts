import type { TFunction } from 'i18next';

/** "42 s ago", "3 min ago", "5 h ago", "2 d ago". */
export function formatAge(ms: number, t: TFunction): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return t('inspect.age.seconds', { n: seconds });
  if (seconds < 3600) return t('inspect.age.minutes', { n: Math.floor(seconds / 60) });
  if (seconds < 86_400) return t('inspect.age.hours', { n: Math.floor(seconds / 3600) });
  return t('inspect.age.days', { n: Math.floor(seconds / 86_400) });
}

/** Two units at most: "3 d 4 h", "5 h 12 min", "7 min". */
export function formatUptime(totalSeconds: number, t: TFunction): string {
  const days = Math.floor(totalSeconds / 86_400);
  const hours = Math.floor((totalSeconds % 86_400) / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  if (days > 0) return t('inspect.uptime.days', { d: days, h: hours });
  if (hours > 0) return t('inspect.uptime.hours', { h: hours, m: minutes });
  return t('inspect.uptime.minutes', { m: minutes });
}

export function formatLoad(load: number): string {
  return load.toFixed(2);
}

export function formatPercent(percent: number): string {
  return `${percent.toFixed(1)}%`;
}
