import { useTranslation } from 'react-i18next';
import { authMethods, roles } from '../../../../shared/inventory/schema';
import { CheckboxGroup } from '../../../ui/CheckboxGroup';
import { Field } from '../../../ui/Field';
import type { AuthMethod, HostDraft } from './cluster-draft';
import type { FieldErrors } from './field-errors';
import { SecretInput } from './SecretInput';

const roleOptions = roles.map((role) => ({ value: role, label: role }));

interface HostRowProps {
  host: HostDraft;
  index: number;
  errors: FieldErrors;
  onChange(patch: Partial<HostDraft>): void;
  onRemove(): void;
}

/** One host of the cluster: where it is, how to log in, what runs on it. */
export function HostRow({ host, index, errors, onChange, onRemove }: HostRowProps) {
  const { t } = useTranslation();
  const at = (field: string) => errors[`hosts[${index}].${field}`];
  const authErrors = [...(at('auth') ?? []), ...(at('auth.method') ?? [])];
  const title = host.name.trim() || t('clusters.editor.hostNumber', { n: index + 1 });

  return (
    <fieldset className="host-row" data-testid={`host-row-${index}`}>
      <legend className="visually-hidden">{title}</legend>
      <div className="host-row-head">
        <span className="host-row-title" aria-hidden="true">
          {title}
        </span>
        <button type="button" className="button button-small" onClick={onRemove} aria-label={t('clusters.editor.removeHostNamed', { name: title })}>
          {t('clusters.editor.removeHost')}
        </button>
      </div>
      <div className="host-grid">
        <Field label={t('clusters.editor.hostName')} errors={at('name')} className="span-3">
          {(control) => <input {...control} value={host.name} spellCheck={false} onChange={(e) => onChange({ name: e.target.value })} />}
        </Field>
        <Field label={t('clusters.editor.address')} errors={at('address')} className="span-4">
          {(control) => (
            <input {...control} value={host.address} spellCheck={false} className="mono" onChange={(e) => onChange({ address: e.target.value })} />
          )}
        </Field>
        <Field label={t('clusters.editor.port')} errors={at('port')} className="span-2">
          {(control) => <input {...control} value={host.port} inputMode="numeric" onChange={(e) => onChange({ port: e.target.value })} />}
        </Field>
        <Field label={t('clusters.editor.user')} errors={at('user')} className="span-3">
          {(control) => <input {...control} value={host.user} spellCheck={false} onChange={(e) => onChange({ user: e.target.value })} />}
        </Field>
        <Field label={t('clusters.editor.authMethod')} errors={authErrors.length > 0 ? authErrors : undefined} className="span-3">
          {(control) => (
            <select {...control} value={host.authMethod} onChange={(e) => onChange({ authMethod: e.target.value as AuthMethod })}>
              {authMethods.map((method) => (
                <option key={method} value={method}>
                  {t(`inventory.auth.${method}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        {host.authMethod === 'key' && (
          <Field label={t('clusters.editor.identityFile')} errors={at('auth.identityFile')} className="span-5">
            {(control) => (
              <input
                {...control}
                value={host.identityFile}
                spellCheck={false}
                className="mono"
                placeholder="~/.ssh/id_ed25519"
                onChange={(e) => onChange({ identityFile: e.target.value })}
              />
            )}
          </Field>
        )}
        {host.authMethod === 'password' && (
          <Field label={t('clusters.editor.password')} errors={at('auth.password')} hint={t('clusters.editor.passwordHint')} className="span-5">
            {(control) => <SecretInput control={control} secret={host.password} onChange={(password) => onChange({ password })} />}
          </Field>
        )}
        {host.authMethod === 'agent' && <p className="span-5 field-note">{t('clusters.editor.agentNote')}</p>}
        <Field label={t('clusters.editor.jump')} errors={at('jump')} hint={t('clusters.editor.jumpHint')} className="span-4">
          {(control) => (
            <input {...control} value={host.jump} spellCheck={false} className="mono" onChange={(e) => onChange({ jump: e.target.value })} />
          )}
        </Field>
      </div>
      <CheckboxGroup
        legend={t('clusters.editor.roles')}
        options={roleOptions}
        selected={host.roles}
        onChange={(selected) => onChange({ roles: selected })}
        errors={at('roles')}
        mono
      />
    </fieldset>
  );
}
