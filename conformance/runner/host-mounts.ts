// The host-mount form of a test (box conformance --host-mounts): its fixture
// directories are not baked into the box's image but given as host
// directories, as `box run --dir COPY:GUEST` gives them, each a writable copy
// in the test's scratch folder (tests write into their fixtures). A `root`
// fixture is the box's whole filesystem, so the box is linked without the
// vfs and the copy is preopened as `/` (fd 3, where the tests look for it);
// each of `dirs` is a mount point declared at link time (--mount-point
// /NAME) over an empty image. A test without fixtures gets no filesystem at
// all (no vfs, no preopen), as a program linked without --fs and run without
// --dir has none.

import type { Job } from './child.ts';
import type { TestSpec } from './spec.ts';

/** `base` with the fixtures as host mounts; `copy(host, name)` makes the writable copy. */
export function hostMountJob(base: Omit<Job, 'image' | 'preopens'>, spec: TestSpec, copy: (host: string, name: string) => string): Job {
  switch (spec.fixtures.kind) {
    case 'none':
      return { ...base, vfs: false, image: [], preopens: [] };
    case 'root':
      return { ...base, vfs: false, image: [], preopens: [['/', copy(spec.fixtures.dir.host, '/')]] };
    case 'dirs':
      return { ...base, image: [], preopens: spec.fixtures.dirs.map((d) => [`/${d.name}`, copy(d.host, d.name)]) };
  }
}
