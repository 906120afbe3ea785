import { useId, useLayoutEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { OpState } from '../../../shared/ops/state';
import type { StepOutput } from './model/output';

const all = '';

/**
 * The commands' output as it arrives, per step. It follows the newest line until the admin
 * scrolls up or pauses it, and follows again from the bottom or with the button.
 */
export function OutputPanel({ op, output, outputOrder }: { op: OpState; output: Readonly<Record<string, StepOutput>>; outputOrder: readonly string[] }) {
  const { t } = useTranslation();
  const [filter, setFilter] = useState(all);
  const [following, setFollowing] = useState(true);
  const box = useRef<HTMLDivElement>(null);
  const selectId = useId();
  const shown = filter === all ? outputOrder : outputOrder.filter((id) => id === filter);
  const steps = new Map(op.steps.map((step) => [step.id, step]));
  const size = shown.reduce((sum, id) => sum + (output[id]?.text.length ?? 0), 0);

  useLayoutEffect(() => {
    const element = box.current;
    if (following && element) element.scrollTop = element.scrollHeight;
  }, [following, size, filter]);

  const onScroll = () => {
    const element = box.current;
    if (!element) return;
    const atBottom = element.scrollHeight - element.scrollTop - element.clientHeight < 24;
    if (atBottom !== following) setFollowing(atBottom);
  };

  return (
    <section className="op-output-panel" aria-labelledby="op-output-title">
      <header className="panel-head">
        <h2 id="op-output-title">{t('operations.output.title')}</h2>
        <label htmlFor={selectId} className="visually-hidden">
          {t('operations.output.step')}
        </label>
        <select id={selectId} value={filter} onChange={(event) => setFilter(event.target.value)} data-testid="op-output-filter">
          <option value={all}>{t('operations.output.allSteps')}</option>
          {outputOrder.map((id) => (
            <option key={id} value={id}>
              {labelOf(steps.get(id)?.host, steps.get(id)?.title ?? id)}
            </option>
          ))}
        </select>
        <button type="button" className="button button-small" aria-pressed={!following} data-testid="op-output-follow" onClick={() => setFollowing(!following)}>
          {following ? t('operations.output.pause') : t('operations.output.follow')}
        </button>
      </header>
      <div ref={box} className="op-output" data-testid="op-output" data-following={following} onScroll={onScroll} tabIndex={0} aria-live="off">
        {shown.length === 0 && <p className="muted">{t('operations.output.none')}</p>}
        {shown.map((id) => {
          const chunk = output[id];
          if (!chunk) return null;
          const step = steps.get(id);
          return (
            <div key={id} className="op-output-step" data-step={id}>
              <div className="op-output-head">{labelOf(step?.host, step?.title ?? id)}</div>
              {chunk.omittedChars > 0 && <div className="muted">{t('operations.output.omitted', { count: chunk.omittedChars })}</div>}
              <pre className="op-output-text">{chunk.text}</pre>
            </div>
          );
        })}
      </div>
    </section>
  );
}

function labelOf(host: string | undefined, title: string): string {
  return host ? `${host} · ${title}` : title;
}
