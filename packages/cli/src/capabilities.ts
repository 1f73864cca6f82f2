// The capability modules this CLI can link, in link order: the kernel owns
// the fd namespace and always comes first.

import type { CapabilityDescriptor } from '@marcotte/abi';
import { clock } from '@marcotte/clock';
import { kernel } from '@marcotte/kernel';
import { net } from '@marcotte/net';
import { proc } from '@marcotte/proc';
import { vfs } from '@marcotte/vfs';

// net comes after vfs: the kernel registers its listening sockets after the vfs's preopens.
export const CAPABILITIES: readonly CapabilityDescriptor[] = [kernel, clock, vfs, net, proc];
