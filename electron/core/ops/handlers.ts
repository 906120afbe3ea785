import type { opsCalls } from '../../../shared/contract/ops';
import type { Handlers } from '../rpc/dispatcher';
import type { OperationEngine } from './engine';

/** The `ops.*` calls of the contract, answered by one engine. */
export function opsHandlers(engine: OperationEngine): Handlers<{ ops: typeof opsCalls }>['ops'] {
  return {
    list: (query) => engine.list(query),
    get: ({ opId }) => engine.get(opId),
    pause: ({ opId }) => engine.pause(opId),
    resume: ({ opId, decisions }) => engine.resume(opId, decisions),
    abort: ({ opId }) => engine.abort(opId),
    undo: ({ opId }) => engine.undo(opId),
    retry: ({ opId }) => engine.retry(opId),
    skip: ({ opId, stepId, reason }) => engine.skip(opId, stepId, reason),
    close: ({ opId, reason }) => engine.close(opId, reason),
  };
}
