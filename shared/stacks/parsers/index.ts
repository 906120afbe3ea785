/** Pure parsers for probe output: raw text in, `Parsed<T>` out. See README.md beside this file. */
export * from './result';
export { detectProbeFailure, looksLikeHtml } from './failure';
export * from './sections';
export * from './http';
export * from './systemd';
export * from './journal';
export * from './haproxy';
export { parseAsciiTable, tableRecords, type AsciiTable } from './ascii-table';
export * from './vernemq';
export * from './wukongim';
export * from './rocketchat';
export * from './health';
export * from './host';
