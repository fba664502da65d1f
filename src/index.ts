/**
 * hwdash: a typed client for the Microsoft Hardware Dev Center API, the driver package formats, and the
 * driver-signing workflow on top.
 *
 * @packageDocumentation
 */
export * from './client/index.js';
export * from './package/index.js';
export * from './workflow/index.js';
