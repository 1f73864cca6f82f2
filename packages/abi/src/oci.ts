// OCI image media types (image-spec v1.1 and the Wasm layer runwasi reads):
// one list for what `box export --oci` writes and what `box build`'s
// `FROM oci-archive:`/`oci:` reads.

export const OCI_MEDIA_TYPES = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  // containerd only pulls images whose config has the standard type.
  config: 'application/vnd.oci.image.config.v1+json',
  // runwasi's default Wasm layer type (wasip1 modules and wasip2 components alike).
  layer: 'application/vnd.bytecodealliance.wasm.component.layer.v0+wasm',
  tarLayer: 'application/vnd.oci.image.layer.v1.tar',
  tarGzipLayer: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const;
