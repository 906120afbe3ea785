import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Build } from '../../../shared/contract/rollback';
import { formatBytes, formatTime, shortHash } from './rollback-view';

/** One build of the binary (current or backup): version, SHA-256, size and modification time. */
export function BuildCard({ title, build, testId }: { title: string; build: Build; testId: string }) {
  const { t, i18n } = useTranslation();
  const dash = <span className="muted">—</span>;
  return (
    <section className="rollback-build" data-testid={testId} data-exists={build.exists}>
      <h3>{title}</h3>
      <p className="rollback-build-path mono" data-testid="rollback-build-path">
        {build.path}
      </p>
      {!build.exists ? (
        <p className="rollback-build-missing">{t('rollback.build.missing')}</p>
      ) : (
        <>
          {!build.executable && <p className="rollback-build-missing">{t('rollback.build.notExecutable')}</p>}
          <dl className="facts rollback-build-facts">
            <dt>{t('rollback.build.version')}</dt>
            <dd data-testid="rollback-build-version">{build.version ?? <span className="muted">{t('rollback.build.noVersion')}</span>}</dd>
            <dt>{t('rollback.build.sha256')}</dt>
            <dd>{build.sha256 === undefined ? dash : <HashValue hash={build.sha256} />}</dd>
            <dt>{t('rollback.build.size')}</dt>
            <dd data-testid="rollback-build-size" title={build.size === undefined ? undefined : t('rollback.build.bytes', { exact: build.size.toLocaleString(i18n.language) })}>
              {build.size === undefined ? dash : formatBytes(build.size)}
            </dd>
            <dt>{t('rollback.build.mtime')}</dt>
            <dd data-testid="rollback-build-mtime">{build.mtime === undefined ? dash : formatTime(build.mtime, i18n.language)}</dd>
          </dl>
        </>
      )}
    </section>
  );
}

/** A SHA-256 shortened for the eye; hovering shows it whole, and copying (selection or button) takes it whole. */
function HashValue({ hash }: { hash: string }) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState(false);
  const copy = () => {
    navigator.clipboard.writeText(hash).then(
      () => setCopied(true),
      () => setCopied(false),
    );
  };
  return (
    <span className="rollback-hash">
      <code
        className="mono"
        title={hash}
        data-testid="rollback-build-sha256"
        data-sha256={hash}
        onCopy={(event) => {
          event.clipboardData.setData('text/plain', hash);
          event.preventDefault();
        }}
      >
        {shortHash(hash)}
      </code>
      <button type="button" className="button button-small" aria-label={t('rollback.build.copyHash')} onClick={copy} onBlur={() => setCopied(false)}>
        {copied ? t('rollback.build.copied') : t('rollback.build.copy')}
      </button>
    </span>
  );
}
