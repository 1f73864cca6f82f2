// @marcotte/cli as a library: the functions behind box and box-link.
export { build, inspect, link, linkTo, run, snapshot, type BuildOptions, type BuildResult, type Inspection, type LinkOptions, type LinkResult, type Manifest, type RunOptions, type RunResult } from './api.ts';
export { ociLayout, OCI_MEDIA_TYPES } from './oci.ts';
export { CAPABILITIES } from './capabilities.ts';
export { boxComponent, ComponentError, type BoxComponent } from './component.ts';
