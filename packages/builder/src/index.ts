export { build, type BuildOptions, type BuildResult } from './build.ts';
export { BuildError } from './errors.ts';
export { parseDockerfile, parseExec, type Dockerfile, type Instruction } from './dockerfile.ts';
export { expandWord, expandWords, expandPairs } from './variables.ts';
export { parseDockerignore, isIgnored } from './dockerignore.ts';
export { defaultCacheDir } from './cache.ts';
export { layerDigest, layerTar } from './layer.ts';
export { formatBytes, plainProgress, progressFor, silentProgress, ttyProgress, type Progress } from './progress.ts';
export { DEFAULT_MAX_UNPACK } from './tar.ts';
