import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { FieldErrors as FieldMessages } from '../../../ui/Field';
import { newHostDraft, type HostDraft } from './cluster-draft';
import type { FieldErrors } from './field-errors';
import { HostRow } from './HostRow';

interface HostsEditorProps {
  hosts: HostDraft[];
  errors: FieldErrors;
  onChange(hosts: HostDraft[]): void;
}

export function HostsEditor({ hosts, errors, onChange }: HostsEditorProps) {
  const { t } = useTranslation();
  const headingId = useId();
  const update = (key: string, patch: Partial<HostDraft>) => onChange(hosts.map((host) => (host.key === key ? { ...host, ...patch } : host)));
  return (
    <section className="editor-section" aria-labelledby={headingId}>
      <h3 id={headingId}>{t('clusters.editor.hosts')}</h3>
      {hosts.length === 0 && <p className="muted">{t('clusters.editor.noHosts')}</p>}
      {hosts.map((host, index) => (
        <HostRow
          key={host.key}
          host={host}
          index={index}
          errors={errors}
          onChange={(patch) => update(host.key, patch)}
          onRemove={() => onChange(hosts.filter((other) => other.key !== host.key))}
        />
      ))}
      <FieldMessages id={`${headingId}-errors`} errors={errors.hosts} />
      <button type="button" className="button" data-testid="add-host" onClick={() => onChange([...hosts, newHostDraft()])}>
        {t('clusters.editor.addHost')}
      </button>
    </section>
  );
}
