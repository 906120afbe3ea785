import { useTranslation } from 'react-i18next';
import type { Host } from '../../../../shared/inventory/schema';

/** The hosts an import proposes, as they will be saved. */
export function ImportPreviewTable({ hosts }: { hosts: readonly Host[] }) {
  const { t } = useTranslation();
  return (
    <div className="table-scroll">
      <table className="data-table" data-testid="import-hosts">
        <caption className="visually-hidden">{t('inventory.import.hostsCaption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('clusters.editor.hostName')}</th>
            <th scope="col">{t('clusters.editor.address')}</th>
            <th scope="col" className="numeric">
              {t('clusters.editor.port')}
            </th>
            <th scope="col">{t('clusters.editor.user')}</th>
            <th scope="col">{t('clusters.editor.roles')}</th>
            <th scope="col">{t('clusters.editor.authMethod')}</th>
            <th scope="col">{t('clusters.editor.jump')}</th>
          </tr>
        </thead>
        <tbody>
          {hosts.map((host) => (
            <tr key={host.name} data-testid="import-host" data-host={host.name}>
              <th scope="row">{host.name}</th>
              <td className="mono">{host.address}</td>
              <td className="numeric">{host.port}</td>
              <td>{host.user}</td>
              <td className="mono" data-testid="import-host-roles">
                {host.roles.join(', ')}
              </td>
              <td>
                {t(`inventory.auth.${host.auth.method}`)}
                {host.auth.identityFile && <span className="mono muted"> {host.auth.identityFile}</span>}
              </td>
              <td className="mono">{(host.jump ?? []).join(' → ') || '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
