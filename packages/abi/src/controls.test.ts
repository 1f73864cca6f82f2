import { describe, expect, it } from 'vitest';
import { capabilitiesWith, CONTROL, controlExport } from './controls.ts';

describe('control protocols on a box\'s exports', () => {
  it('finds every capability publishing a protocol, in export order, and nothing else', () => {
    const exports = ['memory', '_start', 'box.kernel.memory', 'box.vfs.memory', 'box.vfs.snapshot', 'box.vfs.memory_limit',
      'box.files.snapshot', 'box.trace.memory', 'box.snapshot', 'box.a.b.snapshot', 'snapshot'];
    expect(capabilitiesWith(exports, CONTROL.snapshot)).toEqual(['vfs', 'files']);
    expect(capabilitiesWith(exports, CONTROL.memoryLimit)).toEqual(['vfs']);
    expect(capabilitiesWith(exports, CONTROL.workdir)).toEqual([]);
    expect(controlExport('files', CONTROL.snapshot)).toBe('box.files.snapshot');
  });
});
