import type { CapabilityDescriptor, LinkSettings } from '@marcotte/abi';
import { parseClockMode, parseRandomMode, type ClockMode, type RandomMode } from './modes.ts';
import { wasm } from './wasm.ts';
import pkg from '../package.json' with { type: 'json' };

export { parseClockMode, parseDuration, parseRandomMode, parseRfc3339, type ClockMode, type RandomMode } from './modes.ts';

/** Config layout version 0 (assembly/config.ts): modes as u32 codes, then the clock value and the seed. */
const CLOCK_CODES = { host: 0, fixed: 1, offset: 2 } as const;
const RANDOM_CODES = { host: 0, seed: 1 } as const;

/**
 * The 24 bytes clock reads through box:config at init: u32 clock mode,
 * u32 random mode, u64 clock value (fixed start ns, or signed offset ns),
 * u64 seed; little-endian.
 */
export function clockConfig(clock: ClockMode = { kind: 'host' }, random: RandomMode = { kind: 'host' }): Uint8Array {
  const out = new Uint8Array(24);
  const view = new DataView(out.buffer);
  view.setUint32(0, CLOCK_CODES[clock.kind], true);
  view.setUint32(4, RANDOM_CODES[random.kind], true);
  if (clock.kind === 'fixed') view.setBigUint64(8, clock.start, true);
  if (clock.kind === 'offset') view.setBigInt64(8, clock.offset, true);
  if (random.kind === 'seed') view.setBigUint64(16, random.seed, true);
  return out;
}

/**
 * The raw `--clock` and `--random` strings. LinkSettings does not declare
 * them yet; until it does they are read structurally.
 */
function modesOf(settings: LinkSettings): { clock: ClockMode; random: RandomMode } {
  const raw = settings as { clock?: string; random?: string };
  return { clock: parseClockMode(raw.clock), random: parseRandomMode(raw.random) };
}

/** clock: clock_time_get, clock_res_get and random_get, from the host, shifted, or virtual and seeded. */
export const clock: CapabilityDescriptor = {
  name: 'clock',
  // A getter keeps the descriptor free of side effects, so bundles that never use it (the browser's) drop it.
  get version() {
    return pkg.version;
  },
  wasm,
  // box build links it for a program that reads the time or asks for random bytes.
  impliedBy: { options: ['clock', 'random'], imports: ['clock_', 'random_get'] },
  provides: ['clock_time_get', 'clock_res_get', 'random_get'],
  init: 'init',
  support: {
    clock_time_get: { status: 'supported' },
    clock_res_get: { status: 'supported' },
    random_get: { status: 'supported' },
  },
  config: (settings) => {
    const { clock, random } = modesOf(settings);
    return [clockConfig(clock, random)];
  },
};
