import { basename } from 'node:path';
import { BoxFormatError, readManifest, type Manifest } from '@marcotte/abi';
import { parseArgs, UsageError, value, flag, type OptionSpec } from '../args.ts';
import { checkWritable, readInput, writeOutput } from '../io.ts';
import { OCI_MEDIA_TYPES, ociLayout } from '../oci.ts';

export const EXPORT_HELP = `Usage: box export --oci OUT.tar [--name REF] [--layer tar|wasm] BOX.box.wasm

Writes the box as an OCI image layout (a tar) with its entrypoint, args, env,
working directory, ports and volumes in the image config.

  --layer tar   (default) Docker's Wasm image form: one tar layer holding the
                box file, platform wasi/wasm, entrypoint /<box file>. umoci,
                skopeo (oci:, docker-archive:), Docker's Wasm workloads and
                containerd's Wasm shims (runwasi) take it.
  --layer wasm  runwasi's Wasm-layer form: the box itself is the layer
                (${OCI_MEDIA_TYPES.layer}),
                platform wasip1/wasm. Only Wasm-aware runtimes read it.

Import either with \`ctr images import OUT.tar\` and run it with a Wasm
runtime class, such as \`ctr run --runtime io.containerd.wasmtime.v1\`.

Options:
  --oci OUT.tar  where to write the image layout
  --name REF     the image's name (default: localhost/<box name>:latest)
  --layer FORM   tar (default) or wasm
  -h, --help     show this help`;

const SPECS: OptionSpec[] = [
  { name: 'oci', value: true }, { name: 'name', value: true }, { name: 'layer', value: true }, { name: 'help', short: 'h' },
];

/** A reference Docker and containerd accept: lower-case path components, an optional tag. */
const REFERENCE = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?$/;

function defaultName(path: string): string {
  const stem = basename(path).replace(/(\.box)?\.wasm$/, '').toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[._-]+|[._-]+$/g, '');
  return `localhost/${stem || 'box'}:latest`;
}

export async function exportCommand(argv: readonly string[]): Promise<number> {
  const args = parseArgs('box export', argv, SPECS, 1);
  if (flag(args, 'help')) {
    console.log(EXPORT_HELP);
    return 0;
  }
  const out = value(args, 'oci');
  const path = args.positionals[0];
  if (out === undefined) throw new UsageError('box export: --oci OUT.tar is required (the only export format)');
  if (!path) throw new UsageError('box export: expected BOX.box.wasm (see box export --help)');
  const name = value(args, 'name') ?? defaultName(path);
  const layer = value(args, 'layer') ?? 'tar';
  if (layer !== 'tar' && layer !== 'wasm') throw new UsageError(`box export: --layer ${JSON.stringify(layer)} is not a layer form (tar or wasm)`);
  if (!REFERENCE.test(name)) throw new UsageError(`box export: --name ${JSON.stringify(name)} is not an image reference (such as registry.example/team/app:1.0)`);
  checkWritable('box export', out);
  const bytes = await readInput('box export', path);
  let manifest: Manifest;
  try {
    manifest = readManifest(bytes);
  } catch (e) {
    if (e instanceof BoxFormatError) throw new UsageError(`box export: ${path}: ${e.message}`);
    throw e;
  }
  // The layer is the box itself: a file that only carries a manifest section would be an image no runtime can start.
  if (!WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>)) throw new UsageError(`box export: ${path}: not a valid WebAssembly module (it does not compile)`);
  await writeOutput('box export', out, ociLayout(bytes, manifest, { name, title: basename(path), layer }));
  return 0;
}
