/**
 * Instruments that record nothing: the default of every component that takes `instruments`,
 * so call sites record unconditionally instead of guarding each one with `?.`. Built from the
 * API's no-op meter over the real catalogue, so it always has every instrument the catalogue has.
 */
import { createNoopMeter } from '@opentelemetry/api';
import { createInstruments } from './instruments.js';
import type { Instruments } from './instruments.js';

let shared: Instruments | undefined;

export function noopInstruments(): Instruments {
  return (shared ??= createInstruments(createNoopMeter()));
}
