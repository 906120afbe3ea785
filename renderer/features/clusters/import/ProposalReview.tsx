import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { ImportProposal } from '../../../../shared/inventory/import-proposal';
import { environments, nameSchema, type Environment } from '../../../../shared/inventory/schema';
import { api } from '../../../api/client';
import { errorMessage } from '../../../ui/error-message';
import { Field } from '../../../ui/Field';
import { groupIssues, issuesOfError } from '../editor/field-errors';
import { stackLabel } from '../labels';
import { ImportPreviewTable } from './ImportPreviewTable';

interface ProposalReviewProps {
  proposal: ImportProposal;
  onBack(): void;
  onCancel(): void;
  onSaved(name: string): void;
}

/** The proposed cluster: its hosts, what was left out, and the name and environment to save it under. */
export function ProposalReview({ proposal, onBack, onCancel, onSaved }: ProposalReviewProps) {
  const { t } = useTranslation();
  const [name, setName] = useState(proposal.cluster.name);
  const [environment, setEnvironment] = useState<Environment>(proposal.cluster.environment);
  const [nameErrors, setNameErrors] = useState<string[]>();
  const [failure, setFailure] = useState<string>();
  const [busy, setBusy] = useState(false);
  const { cluster, warnings } = proposal;

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setFailure(undefined);
    const checkedName = nameSchema.safeParse(name.trim());
    if (!checkedName.success) return setNameErrors(checkedName.error.issues.map((issue) => issue.message));
    setNameErrors(undefined);
    setBusy(true);
    try {
      const simulated = environment === 'lab' ? cluster.simulated : undefined;
      const saved = await api.inventory.save({ cluster: { ...cluster, name: checkedName.data, environment, simulated } });
      onSaved(saved.name);
    } catch (error) {
      setNameErrors(groupIssues(issuesOfError(error)).name);
      setFailure(errorMessage(error));
      setBusy(false);
    }
  };

  return (
    <form onSubmit={(event) => void save(event)} noValidate>
      <p className="dialog-text" data-testid="import-summary">
        {t('inventory.import.summary', {
          count: cluster.hosts.length,
          format: t(`inventory.import.formats.${proposal.format}`),
          stacks: cluster.stacks.map((stack) => stackLabel(stack, t)).join(', '),
        })}
      </p>
      <div className="general-grid">
        <Field label={t('clusters.editor.name')} errors={nameErrors}>
          {(control) => <input {...control} value={name} spellCheck={false} autoFocus onChange={(e) => setName(e.target.value)} />}
        </Field>
        <Field label={t('clusters.editor.environment')}>
          {(control) => (
            <select {...control} value={environment} onChange={(e) => setEnvironment(e.target.value as Environment)}>
              {environments.map((option) => (
                <option key={option} value={option}>
                  {t(`inventory.environments.${option}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      {cluster.hosts.length > 0 ? <ImportPreviewTable hosts={cluster.hosts} /> : <p className="muted">{t('inventory.import.noHosts')}</p>}
      {warnings.length > 0 && (
        <div className="banner banner-warn" data-testid="import-warnings">
          <p className="banner-title">{t('inventory.import.warnings', { count: warnings.length })}</p>
          <ul>
            {warnings.map((warning) => (
              <li key={warning}>{warning}</li>
            ))}
          </ul>
        </div>
      )}
      {failure && (
        <p className="banner banner-error" role="alert" data-testid="import-error">
          {failure}
        </p>
      )}
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onBack}>
          {t('inventory.import.back')}
        </button>
        <span className="spacer" />
        <button type="button" className="button" onClick={onCancel}>
          {t('clusters.cancel')}
        </button>
        <button type="submit" className="button button-primary" disabled={busy} data-testid="import-save">
          {t('inventory.import.save')}
        </button>
      </div>
    </form>
  );
}
