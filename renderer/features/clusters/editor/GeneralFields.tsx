import { useTranslation } from 'react-i18next';
import { environments, stacks, type Environment } from '../../../../shared/inventory/schema';
import { CheckboxGroup } from '../../../ui/CheckboxGroup';
import { Field } from '../../../ui/Field';
import { stackLabel } from '../labels';
import type { ClusterDraft } from './cluster-draft';
import type { FieldErrors } from './field-errors';

interface GeneralFieldsProps {
  draft: ClusterDraft;
  errors: FieldErrors;
  onChange(patch: Partial<ClusterDraft>): void;
}

/** Name, environment and the stacks that inspect the cluster. */
export function GeneralFields({ draft, errors, onChange }: GeneralFieldsProps) {
  const { t } = useTranslation();
  const stackOptions = stacks.map((stack) => ({ value: stack, label: stackLabel(stack, t) }));
  return (
    <div className="editor-section">
      <div className="general-grid">
        <Field label={t('clusters.editor.name')} errors={errors.name} hint={t('clusters.editor.nameHint')}>
          {(control) => <input {...control} value={draft.name} spellCheck={false} autoFocus onChange={(e) => onChange({ name: e.target.value })} />}
        </Field>
        <Field label={t('clusters.editor.environment')} errors={errors.environment}>
          {(control) => (
            <select {...control} value={draft.environment} onChange={(e) => onChange({ environment: e.target.value as Environment })}>
              {environments.map((environment) => (
                <option key={environment} value={environment}>
                  {t(`inventory.environments.${environment}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <CheckboxGroup
        legend={t('clusters.editor.stacks')}
        options={stackOptions}
        selected={draft.stacks}
        onChange={(selected) => onChange({ stacks: selected })}
        errors={errors.stacks}
        testId="stacks"
      />
    </div>
  );
}
