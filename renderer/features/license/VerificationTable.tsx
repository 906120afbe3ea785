import { useTranslation } from 'react-i18next';
import type { LicenseVerification } from '../../../shared/contract/license';
import { formatTime } from '../rollback/rollback-view';

/** Every node, read directly: whether it runs the license, is read-only, is healthy. */
export function VerificationTable({ verification }: { verification: LicenseVerification }) {
  const { t, i18n } = useTranslation();
  const yesNo = (value: boolean | undefined) => (value === undefined ? t('license.verify.unknown') : value ? t('license.verify.yes') : t('license.verify.no'));
  return (
    <div className="table-scroll license-verify-scroll">
      <table className="data-table license-verify-table" data-testid="license-verify-table" data-at={verification.at}>
        <caption className="visually-hidden">{t('license.verify.caption', { time: formatTime(verification.at, i18n.language) })}</caption>
        <thead>
          <tr>
            <th scope="col">{t('license.verify.columns.node')}</th>
            <th scope="col">{t('license.verify.columns.state')}</th>
            <th scope="col">{t('license.verify.columns.license')}</th>
            <th scope="col">{t('license.verify.columns.readOnly')}</th>
            <th scope="col">{t('license.verify.columns.healthy')}</th>
            <th scope="col">{t('license.verify.columns.detail')}</th>
          </tr>
        </thead>
        <tbody>
          {verification.nodes.map((node) => (
            <tr key={node.node} className={`license-verify-row license-verify-${node.state}`} data-testid="license-verify-row" data-node={node.node} data-state={node.state}>
              <th scope="row" className="mono">
                {node.node}
              </th>
              <td>
                <span className={`badge license-state license-state-${node.state}`}>{t(`license.state.${node.state}`)}</span>
              </td>
              <td>{t(`license.nodeLicense.${node.license}`)}</td>
              <td className={node.readOnly ? 'license-bad' : undefined}>{yesNo(node.readOnly)}</td>
              <td className={node.healthy === false ? 'license-bad' : undefined}>{yesNo(node.healthy)}</td>
              <td className="license-detail">{node.detail}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
