import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ImportProposal } from '../../../../shared/inventory/import-proposal';
import { Dialog } from '../../../ui/Dialog';
import { ProposalReview } from './ProposalReview';
import { SourceForm } from './SourceForm';

interface ImportDialogProps {
  onClose(): void;
  onSaved(name: string): void;
}

/** Import an OpenSSH client config or an Ansible inventory: read, review, then save as one cluster. */
export function ImportDialog({ onClose, onSaved }: ImportDialogProps) {
  const { t } = useTranslation();
  const [proposal, setProposal] = useState<ImportProposal>();
  return (
    <Dialog title={t('inventory.import.title')} onClose={onClose} wide testId="import-dialog">
      {proposal ? (
        <ProposalReview proposal={proposal} onBack={() => setProposal(undefined)} onCancel={onClose} onSaved={onSaved} />
      ) : (
        <SourceForm onPreview={setProposal} onCancel={onClose} />
      )}
    </Dialog>
  );
}
