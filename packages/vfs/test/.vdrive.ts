import { vfsHarness } from './harness.ts';
const OFLAGS_CREAT = 1, OFLAGS_EXCL = 4;
const N = Number(process.argv[2] ?? 220000), B = 10000;
const h = await vfsHarness([{ path: '/work', type: 'dir' }]);
for (let b = 0; b * B < N; b++) if (h.e.path_create_directory!(h.root, ...put(`work/c${String(b).padStart(4, '0')}`))) throw new Error('mkdir');
function put(s: string): [number, number] { const b = new TextEncoder().encode(s); new Uint8Array(h.app.buffer).set(b, 0x1000); return [0x1000, b.length]; }
const names: [number, number][] = [];
const bytes = new Uint8Array(h.app.buffer);
// paths laid out once in app memory at 0x20000.. (each 32 bytes)
for (let i = 0; i < N; i++) { const s = `work/c${String(Math.floor(i / B)).padStart(4, '0')}/f${String(i % B).padStart(4, '0')}`; const b = new TextEncoder().encode(s); if (0x20000 + i * 32 + 32 > h.app.buffer.byteLength) h.app.grow(64); new Uint8Array(h.app.buffer).set(b, 0x20000 + i * 32); names.push([0x20000 + i * 32, b.length]); }
const e = h.e;
function pass(unlink: boolean) {
  const f0 = process.resourceUsage().minorPageFault; const c0 = process.cpuUsage();
  const t = performance.now();
  for (let i = 0; i < N; i++) {
    const [p, l] = names[i]!;
    const fd = e.path_open!(h.root, 0, p, l, OFLAGS_CREAT | OFLAGS_EXCL, 0x40n, 0n, 0);
    if (fd < 0) throw new Error('create ' + fd);
    e.fd_close!(fd);
  }
  const ms = performance.now() - t; const c = process.cpuUsage(c0);
  const f = process.resourceUsage().minorPageFault - f0;
  console.log(`create ${(ms * 1e6 / N).toFixed(0)} ns/op, user ${(c.user/1000).toFixed(0)} ms sys ${(c.system/1000).toFixed(0)} ms, faults/1000 ${(f * 1000 / N).toFixed(1)}, vfs memory ${(h.vfsMemoryBytes() / 2 ** 20).toFixed(1)} MiB`);
  if (unlink) for (let i = 0; i < N; i++) { const [p, l] = names[i]!; if (e.path_unlink_file!(h.root, p, l)) throw new Error('unlink'); }
}
pass(true); pass(true); pass(false);
