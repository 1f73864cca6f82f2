// The vfs package without Node: the image format, tar reading and snapshots.
// Browser bundles resolve @marcotte/vfs here (the "browser" condition in
// package.json); index.ts adds the Node-only pieces and the descriptor.

export {
  DEFAULT_MAX_FILE_SIZE, DEFAULT_MAX_HANDLES, DEFAULT_MAX_PAGES, DEFAULT_MAX_PATH, DEFAULT_QUOTA, IMAGE_MAGIC, IMAGE_SEGMENTS, IMAGE_VERSION,
  decodeImage, encodeImage, imageFromTar, imageOptions, tarMembers, tarNumber, tarString,
} from './image.ts';
export { frameSegments, readSnapshot, snapshotSegments, snapshotToTar, takeSnapshot, takeSnapshotBytes } from './snapshot.ts';
export type { ImageOptions, TarMember } from './image.ts';
export {
  cleanPath, joinPath, MAX_SYMLINK_HOPS, parentOf, PathClimbsError, pathComponents, resolveImagePath, type DotDot, type Resolved,
} from './image-path.ts';
