/** The two IPC channels between preload and main; contract channel names travel inside them. */
export const IPC_CALL = 'switchboard:call';
export const IPC_EVENT = 'switchboard:event';
