import { useNavigation } from '../../stores/navigation';
import { OperationList } from './OperationList';
import { OperationView } from './OperationView';
import './operations.css';

/** The Operations section: every operation, or the one the admin opened. */
export function OperationsPage() {
  const opId = useNavigation((state) => state.operation);
  return opId ? <OperationView key={opId} opId={opId} /> : <OperationList />;
}
