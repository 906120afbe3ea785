import { useEffect } from 'react';
import { api } from '../api/client';
import i18next from '../i18n';
import { callAttention } from '../features/operations/attention';
import { createOperationsStore, type OpNotice } from '../features/operations/operations-store';

/** Operations of this data directory, and the live state and output of those the admin opened. */
export const useOperations = createOperationsStore(api.ops, { onNotice: notify });

/** One operation's live state and output, loaded when a view first shows it; events keep it fresh. */
export function useOperationDetail(opId: string) {
  useEffect(() => {
    void useOperations.getState().load(opId);
  }, [opId]);
  return useOperations((state) => state.details[opId]);
}

function notify(notice: OpNotice) {
  const body = i18next.t(`operations.notice.${notice.ending}`, { cluster: notice.cluster, step: notice.stepTitle ?? '' });
  callAttention(notice.title, body);
}

api.events.opChanged((summary) => useOperations.getState().receiveChanged(summary));
api.events.opStepChanged((event) => useOperations.getState().receiveStep(event));
api.events.opOutput((event) => useOperations.getState().receiveOutput(event));
