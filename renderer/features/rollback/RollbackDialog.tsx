import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { RollbackCheck, RollbackInspection } from '../../../shared/contract/rollback';
import type { Cluster } from '../../../shared/inventory/schema';
import { api } from '../../api/client';
import { useNavigation } from '../../stores/navigation';
import { CheckboxGroup } from '../../ui/CheckboxGroup';
import { Dialog } from '../../ui/Dialog';
import { errorMessage } from '../../ui/error-message';
import { TypedNameField } from '../../ui/TypedNameField';
import { useLoaded } from '../../ui/use-loaded';
import { uiLanguage } from '../inspect/model/finding-text';
import { BuildCard } from './BuildCard';
import { otherOtaHosts, runBlockersWithHosts, runSummary, type RunBlocker } from './rollback-view';
import './rollback.css';

/**
 * The OTA rollback of one host, before anything runs: both builds side by side, the checks
 * (red blocks, amber needs a tick each), the unit's Restart= with its own confirmed fix, who
 * holds the lock, and one line that says exactly what Run does. A production cluster needs
 * its name typed.
 */
export function RollbackDialog({ cluster, host, onClose }: { cluster: string; host: string; onClose(): void }) {
  const { t } = useTranslation();
  const openOperation = useNavigation((state) => state.openOperation);
  const [saved, setSaved] = useState<Cluster>();
  const [inventoryError, setInventoryError] = useState<string>();
  const [typedName, setTypedName] = useState('');
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<string>();

  useEffect(() => {
    api.inventory.get({ name: cluster }).then(setSaved, (failure: unknown) => setInventoryError(errorMessage(failure)));
  }, [cluster]);

  // Read again by "Check again", and after Restart= changed.
  const { value: inspection, error: loadError, loading: inspecting, reload: inspect } = useLoaded(() => api.rollback.inspect({ cluster, host }), [cluster, host]);
  // Acknowledgements belong to the checks they were given to: a new inspection needs new ones.
  const [ticks, setTicks] = useState<{ inspection: RollbackInspection | undefined; ids: ReadonlySet<string> }>({ inspection: undefined, ids: new Set() });
  const acknowledged: ReadonlySet<string> = ticks.inspection === inspection ? ticks.ids : new Set();

  // More hosts of the cluster, rolled back after this one with the same gates; each shows its own checks.
  const [moreHosts, setMoreHosts] = useState<string[]>([]);
  const more = useLoaded(() => Promise.all(moreHosts.map((name) => api.rollback.inspect({ cluster, host: name }))), [cluster, moreHosts.join('\n')]);
  const [moreTicks, setMoreTicks] = useState<ReadonlyMap<string, { inspection: RollbackInspection; ids: ReadonlySet<string> }>>(new Map());
  const moreInspections = (more.value ?? []).filter((other) => moreHosts.includes(other.host));
  const acknowledgedOn = (other: RollbackInspection): ReadonlySet<string> => {
    const tick = moreTicks.get(other.host);
    return tick?.inspection === other ? tick.ids : new Set();
  };
  const acknowledgeOn = (other: RollbackInspection, id: string, on: boolean) => {
    const next = new Set(acknowledgedOn(other));
    if (on) next.add(id);
    else next.delete(id);
    setMoreTicks(new Map(moreTicks).set(other.host, { inspection: other, ids: next }));
  };
  const candidates = otherOtaHosts(saved, host);

  const production = saved?.environment === 'production';
  const blockers = inspection
    ? runBlockersWithHosts(
        { inspection, acknowledged, production, cluster, typedName },
        moreInspections.map((other) => ({ inspection: other, acknowledged: acknowledgedOn(other) })),
      )
    : [];
  // A failed re-read leaves the last inspection on screen, but Run needs a fresh one.
  const moreReady = more.error === undefined && !more.loading && moreInspections.length === moreHosts.length;
  const canRun = inspection !== undefined && saved !== undefined && loadError === undefined && blockers.length === 0 && !inspecting && !starting && moreReady;

  const acknowledge = (id: string, on: boolean) => {
    const next = new Set(acknowledged);
    if (on) next.add(id);
    else next.delete(id);
    setTicks({ inspection, ids: next });
  };

  const run = async () => {
    if (!canRun) return;
    setStarting(true);
    setError(undefined);
    try {
      const { opId } = await api.rollback.start({ cluster, host, ...(moreHosts.length > 0 ? { moreHosts } : {}), ...(production ? { confirmName: typedName } : {}) });
      onClose();
      openOperation(opId);
    } catch (failure) {
      setError(errorMessage(failure));
      setStarting(false);
    }
  };

  const summary = inspection ? runSummary(inspection.target) : undefined;

  return (
    <Dialog title={t('rollback.title', { host, cluster })} onClose={onClose} wide testId="rollback-dialog">
      <p className="dialog-text">{t('rollback.intro')}</p>
      {inventoryError && (
        <p className="banner banner-error" role="alert">
          {t('rollback.clusterFailed', { cluster, error: inventoryError })}
        </p>
      )}
      {loadError && (
        <p className="banner banner-error" role="alert" data-testid="rollback-load-error">
          {t('rollback.loadFailed', { host, error: loadError })}
        </p>
      )}
      {!inspection && inspecting && <p className="muted">{t('rollback.loading', { host })}</p>}
      {inspection && (
        <>
          <div className="rollback-builds">
            <BuildCard title={t('rollback.build.current')} build={inspection.current} testId="rollback-build-current" />
            <BuildCard
              title={t('rollback.build.backup')}
              // No backup build: the card still names where it was looked for.
              build={inspection.backup ?? { path: inspection.target.backup, exists: false, executable: false }}
              testId="rollback-build-backup"
            />
          </div>
          <section className="rollback-section" aria-label={t('rollback.checks')}>
            <div className="rollback-section-head">
              <h3>{t('rollback.checks')}</h3>
              <button type="button" className="button button-small" data-testid="rollback-recheck" disabled={inspecting} onClick={inspect}>
                {inspecting ? t('rollback.checking') : t('rollback.recheck')}
              </button>
            </div>
            <ul className="rollback-checks">
              {inspection.checks.map((check) => (
                <CheckRow key={check.id} check={check} acknowledged={acknowledged.has(check.id)} onAcknowledge={(on) => acknowledge(check.id, on)} />
              ))}
            </ul>
          </section>
          <RestartSetting cluster={cluster} host={host} unit={inspection.target.unit} setting={inspection.restartSetting} onChanged={inspect} />
          {candidates.length > 0 && (
            <section className="rollback-section" data-testid="rollback-more-hosts">
              <CheckboxGroup
                legend={t('rollback.moreHosts.title')}
                options={candidates.map((name) => ({ value: name, label: name }))}
                // CheckboxGroup keeps the options' (the inventory's) order: the order they roll back in.
                selected={moreHosts}
                onChange={setMoreHosts}
                mono
                testId="rollback-more-hosts-choice"
              />
              <p className="muted">{t('rollback.moreHosts.intro', { host })}</p>
              {more.error && (
                <p className="banner banner-error" role="alert">
                  {more.error}
                </p>
              )}
              {moreHosts.map((name) => {
                const other = moreInspections.find((candidate) => candidate.host === name);
                return (
                  <div key={name} className="rollback-more-host" data-testid="rollback-more-host" data-host={name}>
                    <h4>{name}</h4>
                    {other === undefined ? (
                      <p className="muted">{t('rollback.moreHosts.loading', { host: name })}</p>
                    ) : (
                      <ul className="rollback-checks">
                        {other.checks.map((check) => (
                          <CheckRow key={check.id} check={check} acknowledged={acknowledgedOn(other).has(check.id)} onAcknowledge={(on) => acknowledgeOn(other, check.id, on)} />
                        ))}
                      </ul>
                    )}
                  </div>
                );
              })}
            </section>
          )}
          {inspection.lockHeldBy !== undefined && (
            <p className="banner banner-warn" data-testid="rollback-lock">
              {t('rollback.lock', { holder: inspection.lockHeldBy })}
            </p>
          )}
        </>
      )}
      <div className="dialog-footer">
        {summary && (
          <p className="rollback-summary" data-testid="rollback-summary">
            {t('rollback.summary', summary)}
          </p>
        )}
        {error && (
          <p className="banner banner-error" role="alert" data-testid="rollback-error">
            {error}
          </p>
        )}
        {production && inspection && (
          <TypedNameField label={t('rollback.typeName', { name: cluster })} value={typedName} onChange={setTypedName} testId="rollback-confirm-name" />
        )}
        <div className="dialog-actions">
          {blockers.length > 0 && <BlockerText blockers={blockers} />}
          <button type="button" className="button" onClick={onClose}>
            {t('rollback.cancel')}
          </button>
          <button type="button" className="button button-primary" data-testid="rollback-run" disabled={!canRun} onClick={() => void run()}>
            {starting ? t('rollback.starting') : t('rollback.run')}
          </button>
        </div>
      </div>
    </Dialog>
  );
}

/** One check with its level; an amber one carries its own acknowledgement box. */
function CheckRow({ check, acknowledged, onAcknowledge }: { check: RollbackCheck; acknowledged: boolean; onAcknowledge(on: boolean): void }) {
  const { t, i18n } = useTranslation();
  return (
    <li className={`rollback-check rollback-check-${check.level}`} data-testid="rollback-check" data-check={check.id} data-level={check.level}>
      <span className={`rollback-level rollback-level-${check.level}`}>{t(`rollback.level.${check.level}`)}</span>
      <span className="rollback-check-text">{check.message[uiLanguage(i18n.language)]}</span>
      {check.level === 'amber' && (
        <label className="rollback-acknowledge">
          <input type="checkbox" checked={acknowledged} data-testid="rollback-acknowledge" onChange={(event) => onAcknowledge(event.target.checked)} />
          {t('rollback.acknowledge')}
        </label>
      )}
    </li>
  );
}

/** The unit's Restart= and, unless it is already `always`, the separate confirmed action that sets it. */
function RestartSetting({ cluster, host, unit, setting, onChanged }: { cluster: string; host: string; unit: string; setting: string; onChanged(): void }) {
  const { t } = useTranslation();
  const [confirming, setConfirming] = useState(false);
  const [applying, setApplying] = useState(false);
  const [failure, setFailure] = useState<string>();

  const apply = async () => {
    setApplying(true);
    setFailure(undefined);
    try {
      await api.rollback.setRestartAlways({ cluster, host });
      setConfirming(false);
      onChanged();
    } catch (error) {
      setFailure(errorMessage(error));
    } finally {
      setApplying(false);
    }
  };

  const always = setting === 'always';
  return (
    <section className="rollback-section" data-testid="rollback-restart-setting" data-restart={setting}>
      <h3>{t('rollback.restart.title', { unit })}</h3>
      <p className="rollback-restart-line">
        <code className="mono">Restart={setting}</code> <span className="muted">{always ? t('rollback.restart.good') : t('rollback.restart.weak')}</span>
      </p>
      {!always && !confirming && (
        <button type="button" className="button button-small" data-testid="rollback-restart-always" onClick={() => setConfirming(true)}>
          {t('rollback.restart.set')}
        </button>
      )}
      {!always && confirming && (
        <div className="rollback-confirm-box" role="group" aria-label={t('rollback.restart.set')}>
          <p>{t('rollback.restart.confirmText', { unit, host })}</p>
          <div className="dialog-actions">
            <button type="button" className="button button-small" disabled={applying} onClick={() => setConfirming(false)}>
              {t('rollback.restart.cancel')}
            </button>
            <button type="button" className="button button-small button-primary" data-testid="rollback-restart-always-confirm" disabled={applying} onClick={() => void apply()}>
              {applying ? t('rollback.restart.applying') : t('rollback.restart.apply')}
            </button>
          </div>
        </div>
      )}
      {failure && (
        <p className="banner banner-error" role="alert" data-testid="rollback-restart-error">
          {t('rollback.restart.failed', { error: failure })}
        </p>
      )}
    </section>
  );
}

/** Why Run is greyed out, in one line. */
function BlockerText({ blockers }: { blockers: readonly RunBlocker[] }) {
  const { t } = useTranslation();
  return (
    <span className="muted rollback-blockers" data-testid="rollback-blockers">
      {blockers.map((blocker) => t(`rollback.blocked.${blocker.kind}`, blocker.kind === 'other-hosts' ? { hosts: blocker.hosts.join(', ') } : {})).join(' ')}
    </span>
  );
}
