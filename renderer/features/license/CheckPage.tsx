import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApplyMethod } from '../../../shared/contract/license';
import { api } from '../../api/client';
import { ChoiceGroup } from '../../ui/ChoiceGroup';
import { errorMessage } from '../../ui/error-message';
import { Field } from '../../ui/Field';
import { TypedNameField } from '../../ui/TypedNameField';
import { useLoaded } from '../../ui/use-loaded';
import { uiLanguage } from '../inspect/model/finding-text';
import type { ChosenLicense } from './ChoosePage';
import { CheckItems } from './CheckItems';
import { LicenseSummaryCard } from './LicenseSummaryCard';
import {
  acknowledgedAmber,
  applyBlockers,
  applyPlanLines,
  DEFAULT_GRACE_SECONDS,
  isFileStack,
  MAX_GRACE_SECONDS,
  parseGraceSeconds,
  preferredMethod,
  type ApplyBlocker,
  type CheckedLicense,
  type PlanLine,
} from './license-view';

/** An apply the main process accepted: the operation, its backup, and the check it was based on. */
export interface StartedApply {
  opId: string;
  backupId: string;
  result: CheckedLicense;
  /** The grace period the verification waits, kept for a revert. */
  graceSeconds: number | undefined;
}

/**
 * Step 2: the license checked against the cluster read live. Red items keep Apply disabled,
 * each amber item needs its own tick; the page says exactly what Apply will do before it runs.
 */
export function CheckPage({
  cluster,
  production,
  chosen,
  onBack,
  onCancel,
  onStarted,
}: {
  cluster: string;
  production: boolean | undefined;
  chosen: ChosenLicense;
  onBack(): void;
  onCancel(): void;
  onStarted(started: StartedApply): void;
}) {
  const { t, i18n } = useTranslation();
  const { value: result, error: checkError, loading: checking, reload: recheck } = useLoaded(() => api.license.check({ cluster, text: chosen.text }), [cluster, chosen]);
  const [acknowledged, setAcknowledged] = useState<ReadonlySet<string>>(new Set());
  const [chosenMethod, setChosenMethod] = useState<ApplyMethod>();
  const [graceText, setGraceText] = useState(String(DEFAULT_GRACE_SECONDS));
  const [typedName, setTypedName] = useState('');
  const [starting, setStarting] = useState(false);
  const [startError, setStartError] = useState<string>();

  const checked = result?.ok ? result : undefined;
  // The admin's choice while the cluster still offers it; the preferred method otherwise.
  const method = checked ? (chosenMethod !== undefined && checked.methods.includes(chosenMethod) ? chosenMethod : preferredMethod(checked.methods)) : undefined;
  const fileStack = checked !== undefined && isFileStack(checked);
  // A license file is verified as soon as it is in place: no grace period.
  const graceSeconds = fileStack ? undefined : parseGraceSeconds(graceText);
  const blockers = checked ? applyBlockers({ result: checked, acknowledged, method, graceSeconds, production: production === true, cluster, typedName }) : [];
  const canApply = checked !== undefined && production !== undefined && blockers.length === 0 && !checking && checkError === undefined && !starting;

  const acknowledge = (id: string, on: boolean) =>
    setAcknowledged((previous) => {
      const next = new Set(previous);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });

  const apply = async () => {
    if (!canApply || method === undefined) return;
    setStarting(true);
    setStartError(undefined);
    try {
      const started = await api.license.apply({
        cluster,
        text: chosen.text,
        acknowledged: acknowledgedAmber(checked.items, acknowledged),
        method,
        ...(graceSeconds !== undefined ? { graceSeconds } : {}),
        ...(production ? { confirmName: typedName } : {}),
      });
      onStarted({ ...started, result: checked, graceSeconds });
    } catch (failure) {
      setStartError(errorMessage(failure));
      setStarting(false);
    }
  };

  return (
    <div className="license-page" data-testid="license-check-page" data-state={checking ? 'checking' : checked ? 'checked' : result ? 'rejected' : 'failed'}>
      <p className="dialog-text">
        {chosen.source.kind === 'file' ? t('license.check.fromFile', { name: chosen.source.name }) : t('license.check.fromPaste')}{' '}
        {t('license.check.intro', { cluster })}
      </p>
      {checking && !result && <p className="muted">{t('license.check.checking', { cluster })}</p>}
      {checkError && (
        <p className="banner banner-error" role="alert" data-testid="license-check-error">
          {t('license.check.failed', { error: checkError })}
        </p>
      )}
      {result && !result.ok && (
        <p className="banner banner-error" role="alert" data-testid="license-check-rejection" data-code={result.rejection.code}>
          {result.rejection.message[uiLanguage(i18n.language)]}
        </p>
      )}
      {checked && (
        <>
          <div className="license-check-layout">
            <LicenseSummaryCard summary={checked.summary} fingerprint={checked.fingerprint} notice={checked.notice} />
            <div className="license-check-side">
              {!fileStack && <CurrentLicense current={checked.current} />}
              <div className="license-section-head">
                <h3>{t('license.check.items')}</h3>
                <button type="button" className="button button-small" data-testid="license-recheck" disabled={checking} onClick={recheck}>
                  {checking ? t('license.check.checkingShort') : t('license.check.recheck')}
                </button>
              </div>
              <CheckItems items={checked.items} acknowledged={acknowledged} onAcknowledge={acknowledge} />
            </div>
          </div>
          <MethodChoice result={checked} method={method} onChange={setChosenMethod} />
          {!fileStack && (
            <Field
              label={t('license.check.grace')}
              hint={t('license.check.graceHint')}
              errors={graceSeconds === undefined ? [t('license.check.graceInvalid', { max: MAX_GRACE_SECONDS })] : undefined}
              className="license-grace"
            >
              {(control) => <input {...control} type="number" min={0} max={MAX_GRACE_SECONDS} step={1} value={graceText} data-testid="license-grace" onChange={(event) => setGraceText(event.target.value)} />}
            </Field>
          )}
          {method !== undefined && (fileStack || graceSeconds !== undefined) && (
            <PlanLines title={t('license.plan.title')} lines={applyPlanLines({ result: checked, method, graceSeconds })} testId="license-apply-plan" />
          )}
        </>
      )}
      <div className="dialog-footer">
        {startError && (
          <p className="banner banner-error" role="alert" data-testid="license-apply-error">
            {startError}
          </p>
        )}
        {production && checked && (
          <TypedNameField label={t('license.typeName', { name: cluster })} value={typedName} onChange={setTypedName} testId="license-confirm-name" />
        )}
        <div className="dialog-actions">
          {checked && blockers.length > 0 && <BlockerText blockers={blockers} />}
          <button type="button" className="button" data-testid="license-back" disabled={starting} onClick={onBack}>
            {t('license.back')}
          </button>
          <button type="button" className="button" onClick={onCancel}>
            {t('license.cancel')}
          </button>
          {checked && (
            <button type="button" className="button button-primary" data-testid="license-apply" disabled={!canApply} onClick={() => void apply()}>
              {starting ? t('license.check.applying') : t('license.check.apply')}
            </button>
          )}
        </div>
      </div>
    </div>
  );
}

/** What the cluster stores now: the license Apply replaces (and backs up first). */
function CurrentLicense({ current }: { current: CheckedLicense['current'] }) {
  const { t } = useTranslation();
  return (
    <p className="license-current" data-testid="license-current">
      {current.fingerprint === undefined
        ? t('license.check.currentNone')
        : t('license.check.current', { fingerprint: `${current.fingerprint.slice(0, 12)}…`, status: current.status ?? '?' })}
    </p>
  );
}

/** How the license reaches the cluster, when there is a choice, and why a method is missing. */
function MethodChoice({ result, method, onChange }: { result: CheckedLicense; method: ApplyMethod | undefined; onChange(method: ApplyMethod): void }) {
  const { t, i18n } = useTranslation();
  const language = uiLanguage(i18n.language);
  return (
    <section className="license-method" data-testid="license-method" data-method={method ?? ''}>
      {result.methods.length > 1 && method !== undefined && (
        <ChoiceGroup
          legend={t('license.method.legend')}
          name="license-method"
          value={method}
          options={result.methods.map((value) => ({ value, label: t(`license.method.${value}`) }))}
          onChange={onChange}
        />
      )}
      {result.methods.length === 1 && method !== undefined && <p className="license-method-only">{t('license.method.only', { method: t(`license.method.${method}`) })}</p>}
      {method !== undefined && <p className="muted license-method-text">{t(`license.method.explain.${method}`)}</p>}
      {result.methods.length === 0 && (
        <p className="banner banner-error" data-testid="license-no-method">
          {t('license.method.none')}
        </p>
      )}
      {result.methodNotes.map((note) => (
        <p key={note.en} className="muted license-method-note" data-testid="license-method-note">
          {note[language]}
        </p>
      ))}
    </section>
  );
}

/** "What will happen", one line per step of the operation. */
export function PlanLines({ title, lines, testId }: { title: string; lines: readonly PlanLine[]; testId: string }) {
  const { t } = useTranslation();
  return (
    <section className="license-plan" data-testid={testId}>
      <h3>{title}</h3>
      <ol>
        {lines.map((line) => (
          <li key={line.key} data-testid="license-plan-line" data-line={line.key}>
            {t(`license.plan.${line.key}`, line.values)}
          </li>
        ))}
      </ol>
    </section>
  );
}

/** Why Apply is greyed out, in one line. */
function BlockerText({ blockers }: { blockers: readonly ApplyBlocker[] }) {
  const { t } = useTranslation();
  return (
    <span className="muted license-blockers" data-testid="license-blockers" data-blockers={blockers.map((blocker) => blocker.kind).join(' ')}>
      {blockers.map((blocker) => t(`license.blocked.${blocker.kind}`, 'checks' in blocker ? { count: blocker.checks.length } : {})).join(' ')}
    </span>
  );
}
