import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { RestartPlanResult, RestartPolicy } from '../../../shared/contract/restart';
import type { Cluster } from '../../../shared/inventory/schema';
import { api } from '../../api/client';
import { useNavigation } from '../../stores/navigation';
import { CheckboxGroup } from '../../ui/CheckboxGroup';
import { ChoiceGroup } from '../../ui/ChoiceGroup';
import { Dialog } from '../../ui/Dialog';
import { errorMessage } from '../../ui/error-message';
import { Field } from '../../ui/Field';
import { TypedNameField } from '../../ui/TypedNameField';
import { PlanPreview } from './PlanPreview';
import './restart.css';

interface PolicyForm {
  roles: string[];
  nodes: string[];
  maxUnavailable: string;
  gateTimeoutSeconds: string;
  onGateFailure: RestartPolicy['onGateFailure'];
}

const initialForm: PolicyForm = { roles: [], nodes: [], maxUnavailable: '1', gateTimeoutSeconds: '300', onGateFailure: 'stop' };

/** The policy the form describes, or the names of the fields that do not make one. */
type NumberField = 'maxUnavailable' | 'gateTimeoutSeconds';

function policyOf(form: PolicyForm): { policy: RestartPolicy | undefined; invalid: NumberField[] } {
  const maxUnavailable = Number(form.maxUnavailable);
  const gateTimeoutSeconds = Number(form.gateTimeoutSeconds);
  const invalid: NumberField[] = [];
  if (!Number.isInteger(maxUnavailable) || maxUnavailable < 1 || maxUnavailable > 100) invalid.push('maxUnavailable');
  if (!Number.isInteger(gateTimeoutSeconds) || gateTimeoutSeconds < 5 || gateTimeoutSeconds > 3600) invalid.push('gateTimeoutSeconds');
  if (invalid.length > 0) return { policy: undefined, invalid };
  return {
    policy: {
      ...(form.roles.length > 0 ? { roles: form.roles } : {}),
      ...(form.nodes.length > 0 ? { nodes: form.nodes } : {}),
      maxUnavailable,
      gateTimeoutSeconds,
      onGateFailure: form.onGateFailure,
    },
    invalid: [],
  };
}

/**
 * The staged restart of one cluster, before anything runs: the admin picks the policy,
 * sees every step (host, exact command, gate, expected time, what keeps serving) and
 * only then starts it. A production cluster needs its name typed to start.
 */
export function RestartPreviewDialog({
  cluster,
  onClose,
  initialRoles,
  initialNodes,
  onStarted,
}: {
  cluster: string;
  onClose(): void;
  /** Preselected roles and nodes, e.g. the nodes the license wizard found still on the old license. */
  initialRoles?: string[];
  initialNodes?: string[];
  /** Instead of opening the operation's page once it started (the caller shows its progress). */
  onStarted?(opId: string): void;
}) {
  const { t } = useTranslation();
  const openOperation = useNavigation((state) => state.openOperation);
  const [saved, setSaved] = useState<Cluster>();
  const [loadError, setLoadError] = useState<string>();
  const [form, setForm] = useState<PolicyForm>(() => ({ ...initialForm, roles: initialRoles ?? [], nodes: initialNodes ?? [] }));
  const [result, setResult] = useState<{ policy: RestartPolicy; plan: RestartPlanResult }>();
  const [planning, setPlanning] = useState(false);
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<string>();
  const [typedName, setTypedName] = useState('');

  useEffect(() => {
    api.inventory.get({ name: cluster }).then(setSaved, (failure: unknown) => setLoadError(errorMessage(failure)));
  }, [cluster]);

  const roleOptions = useMemo(() => [...new Set(saved?.hosts.flatMap((host) => host.roles) ?? [])].map((role) => ({ value: role, label: role })), [saved]);
  const nodeOptions = useMemo(() => saved?.hosts.map((host) => ({ value: host.name, label: host.name })) ?? [], [saved]);
  const { policy, invalid } = policyOf(form);
  // A plan made with other settings is not what Start would run.
  const current = result !== undefined && policy !== undefined && JSON.stringify(result.policy) === JSON.stringify(policy);
  const production = saved?.environment === 'production';
  const confirmed = !production || typedName === cluster;
  const canStart = current && result.plan.refusals.length === 0 && confirmed && !starting;

  const plan = async (event: FormEvent) => {
    event.preventDefault();
    if (!policy) return;
    setPlanning(true);
    setError(undefined);
    try {
      setResult({ policy, plan: await api.restart.plan({ cluster, policy }) });
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setPlanning(false);
    }
  };

  const start = async () => {
    if (!canStart) return;
    setStarting(true);
    setError(undefined);
    try {
      const { opId } = await api.restart.start({ cluster, policy: result.policy, ...(production ? { confirmName: typedName } : {}) });
      if (onStarted) {
        onStarted(opId);
        return;
      }
      onClose();
      openOperation(opId);
    } catch (failure) {
      setError(errorMessage(failure));
      setStarting(false);
    }
  };

  const update = (change: Partial<PolicyForm>) => setForm((previous) => ({ ...previous, ...change }));

  return (
    <Dialog title={t('restart.title', { cluster })} onClose={onClose} wide testId="restart-preview">
      {loadError && (
        <p className="banner banner-error" role="alert">
          {t('restart.loadFailed', { error: loadError })}
        </p>
      )}
      <form className="restart-policy" onSubmit={(event) => void plan(event)}>
        <p className="dialog-text">{t('restart.intro')}</p>
        <div className="restart-policy-grid">
          <CheckboxGroup legend={t('restart.roles')} options={roleOptions} selected={form.roles} onChange={(roles) => update({ roles })} mono testId="restart-roles" />
          <CheckboxGroup legend={t('restart.nodes')} options={nodeOptions} selected={form.nodes} onChange={(nodes) => update({ nodes })} mono testId="restart-nodes" />
          <p className="field-hint restart-all-hint">{t('restart.noneMeansAll')}</p>
          <Field label={t('restart.maxUnavailable')} hint={t('restart.maxUnavailableHint')} errors={invalid.includes('maxUnavailable') ? [t('restart.between', { min: 1, max: 100 })] : undefined}>
            {(control) => (
              <input {...control} type="number" min={1} max={100} value={form.maxUnavailable} data-testid="restart-max-unavailable" onChange={(event) => update({ maxUnavailable: event.target.value })} />
            )}
          </Field>
          <Field label={t('restart.gateTimeout')} errors={invalid.includes('gateTimeoutSeconds') ? [t('restart.between', { min: 5, max: 3600 })] : undefined}>
            {(control) => (
              <input {...control} type="number" min={5} max={3600} value={form.gateTimeoutSeconds} data-testid="restart-gate-timeout" onChange={(event) => update({ gateTimeoutSeconds: event.target.value })} />
            )}
          </Field>
          <ChoiceGroup
            legend={t('restart.onGateFailure')}
            name="restart-on-gate-failure"
            value={form.onGateFailure}
            options={(['stop', 'undo-and-stop'] as const).map((value) => ({ value, label: t(`restart.gateFailure.${value}`) }))}
            onChange={(onGateFailure) => update({ onGateFailure })}
          />
        </div>
        <div className="dialog-actions restart-plan-actions">
          {result && !current && <span className="muted">{t('restart.stale')}</span>}
          <button type="submit" className="button" data-testid="restart-plan" disabled={!policy || planning || !saved}>
            {planning ? t('restart.planning') : t('restart.plan')}
          </button>
        </div>
      </form>
      {result && <PlanPreview result={result.plan} />}
      <div className="dialog-footer">
        {error && (
          <p className="banner banner-error" role="alert" data-testid="restart-error">
            {error}
          </p>
        )}
        {production && result && (
          <TypedNameField label={t('restart.typeName', { name: cluster })} value={typedName} onChange={setTypedName} testId="restart-confirm-name" />
        )}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose}>
            {t('restart.cancel')}
          </button>
          <button type="button" className="button button-primary" data-testid="restart-start" disabled={!canStart} onClick={() => void start()}>
            {starting ? t('restart.starting') : t('restart.start')}
          </button>
        </div>
      </div>
    </Dialog>
  );
}
