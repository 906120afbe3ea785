import { useTranslation } from 'react-i18next';

const WIDTH = 180;
const HEIGHT = 40;
const PAD = 3;

interface SparklineProps {
  label: string;
  values: ReadonlyArray<number | undefined>;
  /** Top of the scale; default a quarter above the largest value (at least 1), so a flat line is not glued to the top. */
  max?: number;
  format(value: number): string;
  testId?: string;
}

/** A history line as inline SVG: rounds without a sample leave a gap. */
export function Sparkline({ label, values, max, format, testId }: SparklineProps) {
  const { t } = useTranslation();
  const samples = values.flatMap((value, index) => (value === undefined ? [] : [{ value, index }]));
  const latest = samples.at(-1)?.value;
  const top = max ?? Math.max(1, 1.25 * Math.max(0, ...samples.map((sample) => sample.value)));
  const x = (index: number) => PAD + (values.length <= 1 ? (WIDTH - 2 * PAD) / 2 : (index * (WIDTH - 2 * PAD)) / (values.length - 1));
  const y = (value: number) => HEIGHT - PAD - (Math.min(value, top) / top) * (HEIGHT - 2 * PAD);

  // One polyline per run of consecutive samples.
  const runs: string[] = [];
  let current: string[] = [];
  values.forEach((value, index) => {
    if (value === undefined) {
      if (current.length > 0) runs.push(current.join(' '));
      current = [];
      return;
    }
    current.push(`${x(index).toFixed(1)},${y(value).toFixed(1)}`);
  });
  if (current.length > 0) runs.push(current.join(' '));

  const description =
    latest === undefined ? `${label}: ${t('inspect.node.historyEmpty')}` : t('inspect.node.historyLabel', { what: label, count: samples.length, latest: format(latest) });
  return (
    <figure className="sparkline" data-testid={testId}>
      <figcaption>
        <span className="muted">{label}</span> <strong>{latest === undefined ? '—' : format(latest)}</strong>
      </figcaption>
      <svg width={WIDTH} height={HEIGHT} viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={description}>
        <line x1={0} x2={WIDTH} y1={HEIGHT - PAD} y2={HEIGHT - PAD} className="sparkline-base" />
        {runs.map((points) => (
          <polyline key={points} points={points} className="sparkline-line" />
        ))}
        {samples.length > 0 && latest !== undefined && <circle cx={x(samples.at(-1)?.index ?? 0)} cy={y(latest)} r={2.5} className="sparkline-dot" />}
      </svg>
    </figure>
  );
}
