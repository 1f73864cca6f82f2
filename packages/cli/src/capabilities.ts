// The capability modules this CLI can link, in link order: the kernel owns
// the fd namespace and always comes first.

import type { CapabilityDescriptor } from '@marcotte/abi';
import { clock } from '@marcotte/clock';
import { kernel } from '@marcotte/kernel';
import { proc } from '@marcotte/proc';
import { vfs } from '@marcotte/vfs';

export const CAPABILITIES: readonly CapabilityDescriptor[] = [kernel, clock, vfs, proc];
