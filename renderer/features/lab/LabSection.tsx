import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useLab } from '../../stores/lab';
import { Field } from '../../ui/Field';
import './lab.css';

const timeScales = [1, 0.1, 0.01];

/** Settings: start or stop a rehearsal lab scenario. Always labelled as a simulation. */
export function LabSection() {
  const { t } = useTranslation();
  const { scenarios, status, busy, error, load, start, stop } = useLab();
  const [scenario, setScenario] = useState('');
  const [variant, setVariant] = useState('');
  const [timeScale, setTimeScale] = useState(1);

  useEffect(() => {
    void load();
  }, [load]);

  const chosen = scenarios.find((s) => s.name === (scenario || scenarios[0]?.name));
  const running = status.running;
  return (
    <section aria-labelledby="lab-title" className="lab-section" data-testid="lab-section">
      <h2 id="lab-title">
        {t('lab.title')} <span className="badge badge-simulation">{t('lab.simulation')}</span>
      </h2>
      <p className="muted">{t('lab.intro')}</p>
      {error && (
        <p className="banner banner-error" role="alert" data-testid="lab-error">
          {error}
        </p>
      )}
      {running ? (
        <div className="lab-running" data-testid="lab-running">
          <p>
            {t('lab.running', { scenario: running.scenario })}
            {running.variant ? ` (${running.variant})` : ''}
          </p>
          <p className="muted">{t('lab.clusters', { clusters: running.clusters.join(', ') })}</p>
          {running.files.length > 0 && (
            <details>
              <summary>{t('lab.files', { count: running.files.length })}</summary>
              <ul className="mono">
                {running.files.map((file) => (
                  <li key={file}>{file}</li>
                ))}
              </ul>
            </details>
          )}
          {running.warnings.map((warning) => (
            <p key={warning} className="banner banner-warn">
              {warning}
            </p>
          ))}
          <button type="button" className="button" disabled={busy} onClick={() => void stop()} data-testid="lab-stop">
            {t('lab.stop')}
          </button>
        </div>
      ) : (
        <div className="lab-form">
          <Field label={t('lab.scenario')} hint={chosen?.description}>
            {(control) => (
              <select
                {...control}
                data-testid="lab-scenario"
                value={chosen?.name ?? ''}
                onChange={(event) => {
                  setScenario(event.target.value);
                  setVariant('');
                }}
              >
                {scenarios.map((s) => (
                  <option key={s.name} value={s.name}>
                    {s.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
          {chosen && Object.keys(chosen.variants).length > 0 && (
            <Field label={t('lab.variant')}>
              {(control) => (
                <select {...control} data-testid="lab-variant" value={variant} onChange={(event) => setVariant(event.target.value)}>
                  <option value="">{t('lab.noVariant')}</option>
                  {Object.entries(chosen.variants).map(([name, description]) => (
                    <option key={name} value={name} title={description}>
                      {name}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          )}
          <Field label={t('lab.pace')}>
            {(control) => (
              <select {...control} data-testid="lab-pace" value={timeScale} onChange={(event) => setTimeScale(Number(event.target.value))}>
                {timeScales.map((scale) => (
                  <option key={scale} value={scale}>
                    {t(`lab.paces.${String(scale).replace('.', '_')}`)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <button
            type="button"
            className="button button-primary"
            disabled={busy || !chosen}
            aria-busy={busy}
            onClick={() => chosen && void start(chosen.name, variant || undefined, timeScale)}
            data-testid="lab-start"
          >
            {busy ? t('lab.starting') : t('lab.start')}
          </button>
        </div>
      )}
    </section>
  );
}
