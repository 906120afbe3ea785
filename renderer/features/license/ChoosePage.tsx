import { useId, useRef, useState, type DragEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { LicenseRejection } from '../../../shared/license/rejection';
import { formatBytes } from '../rollback/rollback-view';
import { uiLanguage } from '../inspect/model/finding-text';
import { checkedText, readLicenseFile } from './license-input';

/** The license the admin chose, and where it came from (a file name, or pasted). */
export interface ChosenLicense {
  text: string;
  source: { kind: 'file'; name: string; size: number } | { kind: 'paste' };
}

type FileState = { name: string; size: number } & ({ state: 'reading' } | { state: 'ok'; text: string } | { state: 'refused'; rejection: LicenseRejection });

/**
 * Step 1: a license file (dropped or picked) or pasted text. Empty, binary and oversized input
 * is refused here with its one-line reason and never reaches the main process.
 */
export function ChoosePage({ onChosen, onCancel }: { onChosen(license: ChosenLicense): void; onCancel(): void }) {
  const { t, i18n } = useTranslation();
  const language = uiLanguage(i18n.language);
  const [file, setFile] = useState<FileState>();
  const [pasted, setPasted] = useState('');
  const [dragging, setDragging] = useState(false);
  const picker = useRef<HTMLInputElement>(null);
  const pasteId = useId();
  // Files chosen in a row: only the latest one's answer counts.
  const latest = useRef(0);

  const choose = async (chosen: File) => {
    const ticket = ++latest.current;
    setPasted('');
    setFile({ name: chosen.name, size: chosen.size, state: 'reading' });
    const input = await readLicenseFile(chosen);
    if (ticket !== latest.current) return;
    setFile(input.ok ? { name: chosen.name, size: chosen.size, state: 'ok', text: input.text } : { name: chosen.name, size: chosen.size, state: 'refused', rejection: input.rejection });
  };

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    const dropped = event.dataTransfer.files[0];
    if (dropped) void choose(dropped);
  };

  const pastedInput = pasted === '' ? undefined : checkedText(pasted);
  const rejection = file?.state === 'refused' ? file.rejection : pastedInput && !pastedInput.ok ? pastedInput.rejection : undefined;
  const chosen: ChosenLicense | undefined =
    file?.state === 'ok' ? { text: file.text, source: { kind: 'file', name: file.name, size: file.size } } : pastedInput?.ok ? { text: pastedInput.text, source: { kind: 'paste' } } : undefined;

  return (
    <div className="license-page" data-testid="license-choose">
      <p className="dialog-text">{t('license.choose.intro')}</p>
      <div
        className={dragging ? 'license-drop license-drop-active' : 'license-drop'}
        data-testid="license-drop"
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        <p>{t('license.choose.drop')}</p>
        <button type="button" className="button" data-testid="license-pick" onClick={() => picker.current?.click()}>
          {t('license.choose.pick')}
        </button>
        <input
          ref={picker}
          type="file"
          className="visually-hidden"
          tabIndex={-1}
          aria-hidden="true"
          data-testid="license-file-input"
          onChange={(event) => {
            const picked = event.target.files?.[0];
            // The same file picked again must be read again.
            event.target.value = '';
            if (picked) void choose(picked);
          }}
        />
        {file && (
          <p className="license-file" data-testid="license-file" data-state={file.state}>
            <span className="mono">{file.name}</span> <span className="muted">{formatBytes(file.size)}</span>
            {file.state === 'reading' && <span className="muted"> {t('license.choose.reading')}</span>}
            {file.state === 'ok' && <span className="license-ok"> {t('license.choose.fileOk')}</span>}
          </p>
        )}
      </div>
      <div className="field">
        <label htmlFor={pasteId}>{t('license.choose.paste')}</label>
        <textarea
          id={pasteId}
          className="license-paste mono"
          rows={5}
          spellCheck={false}
          autoComplete="off"
          placeholder="RCV3_…"
          value={pasted}
          data-testid="license-paste"
          onChange={(event) => {
            latest.current += 1;
            setFile(undefined);
            setPasted(event.target.value);
          }}
        />
      </div>
      {rejection && (
        <p className="banner banner-error" role="alert" data-testid="license-input-rejection" data-code={rejection.code}>
          {rejection.message[language]}
        </p>
      )}
      <div className="dialog-footer">
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onCancel}>
            {t('license.cancel')}
          </button>
          <button type="button" className="button button-primary" data-testid="license-check" disabled={!chosen} onClick={() => chosen && onChosen(chosen)}>
            {t('license.choose.check')}
          </button>
        </div>
      </div>
    </div>
  );
}
