import { useId } from 'react';
import { useTranslation } from 'react-i18next';

export const refreshIntervals = [0, 15, 30, 60, 300] as const;

/** How often the main process re-inspects every cluster (`inspect.setInterval`). */
export function IntervalSelect({ seconds, onChange }: { seconds: number; onChange(seconds: number): void }) {
  const { t } = useTranslation();
  const id = useId();
  const label = (value: number) =>
    value === 0 ? t('inspect.interval.off') : value >= 120 ? t('inspect.interval.minutes', { n: value / 60 }) : t('inspect.interval.seconds', { n: value });
  const options: number[] = refreshIntervals.includes(seconds as (typeof refreshIntervals)[number]) ? [...refreshIntervals] : [...refreshIntervals, seconds];
  return (
    <span className="interval-select" title={t('inspect.interval.hint')}>
      <label htmlFor={id}>{t('inspect.interval.label')}</label>
      <select id={id} data-testid="interval-select" value={seconds} onChange={(event) => onChange(Number(event.target.value))}>
        {options.map((value) => (
          <option key={value} value={value}>
            {label(value)}
          </option>
        ))}
      </select>
    </span>
  );
}
