import { describe, expect, it } from 'vitest';
import type { CapabilityDescriptor, ImpliedBy } from './capability.ts';
import { selectCapabilities } from './select.ts';

function cap(name: string, impliedBy?: ImpliedBy): CapabilityDescriptor {
  return { name, version: '0', wasm: () => new Uint8Array(0), provides: [], support: {}, impliedBy };
}

// The shape of the real rules (each package's descriptor), in link order.
const AVAILABLE = [
  cap('kernel', { always: true }),
  cap('clock', { options: ['clock', 'random'], imports: ['clock_', 'random_get'] }),
  cap('vfs', { options: ['fs', 'image', 'workdir', 'mountPoints', 'vfsLimits'] }),
  cap('net', { options: ['net', 'listen'] }),
  cap('proc', { options: ['proc', 'sealed', 'env', 'args'], imports: ['args_', 'environ_'] }),
  cap('extra'),
];
const names = (request: Parameters<typeof selectCapabilities>[1]) => selectCapabilities(AVAILABLE, request).map((c) => c.name);

describe('selectCapabilities', () => {
  it('links the always-linked ones, and none without a rule', () => {
    expect(names({})).toEqual(['kernel']);
  });

  it('counts an option when set: not false, a list when it has entries, the image even when empty', () => {
    expect(names({ options: { fs: false, env: [], listen: [], mountPoints: [] } })).toEqual(['kernel']);
    expect(names({ options: { image: [] } })).toEqual(['kernel', 'vfs']);
    expect(names({ options: { workdir: '', clock: '' } })).toEqual(['kernel', 'clock', 'vfs']);
  });

  it('matches imports by name or by a family prefix ending in _', () => {
    expect(names({ imports: ['fd_write', 'random_get'] })).toEqual(['kernel', 'clock']);
    expect(names({ imports: ['random_getx', 'args_sizes_get'] })).toEqual(['kernel', 'proc']);
    expect(names({ imports: ['sock_accept', 'path_open'] })).toEqual(['kernel']);
  });

  it('leaves out what the request excludes, and keeps link order', () => {
    expect(names({ options: { image: [], listen: [80] }, imports: ['environ_get', 'clock_time_get'], without: ['net', 'clock'] })).toEqual(['kernel', 'vfs', 'proc']);
    expect(names({ options: { args: ['a'], listen: [1], random: 'host', fs: true } })).toEqual(['kernel', 'clock', 'vfs', 'net', 'proc']);
  });

  it('cannot pick what is not available', () => {
    expect(selectCapabilities(AVAILABLE.filter((c) => c.name !== 'net'), { options: { net: true } }).map((c) => c.name)).toEqual(['kernel']);
  });
});
