import { basename } from 'node:path';
import { BoxFormatError, readManifest, type Manifest } from '@marcotte/abi';
import { LinkError } from '@marcotte/linker';
import { parseArgs, UsageError, value, flag, type OptionSpec } from '../args.ts';
import { checkWritable, readInput, writeOutput } from '../io.ts';
import { OCI_MEDIA_TYPES, ociLayout } from '../oci.ts';

export const EXPORT_HELP = `Usage: box export --oci OUT.tar [--name REF] [--layer tar|wasm] BOX.box.wasm
       box export --component OUT.wasm BOX.box.wasm

--oci writes the box as an OCI image layout (a tar) with its entrypoint, args,
env, working directory, ports and volumes in the image config.

  --layer tar   (default) Docker's Wasm image form: one tar layer holding the
                box file, platform wasi/wasm, entrypoint /<box file>. umoci,
                skopeo (oci:, docker-archive:), Docker's Wasm workloads and
                containerd's Wasm shims (runwasi) take it.
  --layer wasm  runwasi's Wasm-layer form: the box itself is the layer
                (${OCI_MEDIA_TYPES.layer}),
                platform wasip1/wasm. Only Wasm-aware runtimes read it.

Import either with \`ctr images import OUT.tar\` and run it with a Wasm
runtime class, such as \`ctr run --runtime io.containerd.wasmtime.v1\`.

--component writes a WASI 0.2 command component (wasmtime run, jco run,
component hosts): the box wrapped in the preview1 adapter from
@bytecodealliance/jco. The box must have one memory (box-link
--single-memory); a --portable box is linked again into one memory from its
parts. It prints the WASI 0.2 interfaces the component imports:
the adapter may need more than the box's own preview1 imports (every fd call
brings in stdin, stdout and the filesystem interfaces), and sockets
(sock_accept, sock_recv, sock_send) and proc_raise trap in it. Exit codes
other than 0 reach the host as 1. packages/cli/README.md has the details.

Options:
  --oci OUT.tar  where to write the image layout
  --component OUT.wasm  where to write the component
  --name REF     the image's name (default: localhost/<box name>:latest)
  --layer FORM   tar (default) or wasm
  -h, --help     show this help`;

const SPECS: OptionSpec[] = [
  { name: 'oci', value: true }, { name: 'component', value: true }, { name: 'name', value: true }, { name: 'layer', value: true }, { name: 'help', short: 'h' },
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
  const componentOut = value(args, 'component');
  const path = args.positionals[0];
  if (out !== undefined && componentOut !== undefined) throw new UsageError('box export: --oci and --component are two exports: give one');
  if (componentOut !== undefined) {
    if (!path) throw new UsageError('box export: expected BOX.box.wasm (see box export --help)');
    for (const option of ['name', 'layer']) {
      if (value(args, option) !== undefined) throw new UsageError(`box export: --${option} is an --oci option`);
    }
    return exportComponent(path, componentOut);
  }
  if (out === undefined) throw new UsageError('box export: --oci OUT.tar is required (or --component OUT.wasm)');
  if (!path) throw new UsageError('box export: expected BOX.box.wasm (see box export --help)');
  const name = value(args, 'name') ?? defaultName(path);
  const layer = value(args, 'layer') ?? 'tar';
  if (layer !== 'tar' && layer !== 'wasm') throw new UsageError(`box export: --layer ${JSON.stringify(layer)} is not a layer form (tar or wasm)`);
  if (!REFERENCE.test(name)) throw new UsageError(`box export: --name ${JSON.stringify(name)} is not an image reference (such as registry.example/team/app:1.0)`);
  checkWritable('box export', out);
  const bytes = await readInput('box export', path);
  const manifest = readBox(path, bytes);
  await writeOutput('box export', out, ociLayout(bytes, manifest, { name, title: basename(path), layer }));
  return 0;
}

/** The box's manifest, after checking the file is a box that compiles; bad input is one line. */
function readBox(path: string, bytes: Uint8Array): Manifest {
  let manifest: Manifest;
  try {
    manifest = readManifest(bytes);
  } catch (e) {
    if (e instanceof BoxFormatError) throw new UsageError(`box export: ${path}: ${e.message}`);
    throw e;
  }
  // What is exported is the box itself: a file that only carries a manifest section would be an image no runtime can start.
  if (!WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>)) throw new UsageError(`box export: ${path}: not a valid WebAssembly module (it does not compile)`);
  return manifest;
}

async function exportComponent(path: string, out: string): Promise<number> {
  checkWritable('box export', out);
  let bytes = await readInput('box export', path);
  const manifest = readBox(path, bytes);
  const { boxComponent, ComponentError } = await import('../component.ts');
  if (manifest.portable && !manifest.singleMemory) {
    // a portable box carries what it was linked from: linked again into one memory, it can become a component
    const { singleMemoryFromParts } = await import('../single-from-parts.ts');
    try {
      bytes = singleMemoryFromParts(bytes, manifest) ?? bytes;
    } catch (e) {
      if (e instanceof LinkError || e instanceof BoxFormatError || (e instanceof Error && e.constructor === Error)) {
        throw new UsageError(`box export: ${path}: cannot link its parts into one memory: ${e.message}`);
      }
      throw e;
    }
  }
  let component: Awaited<ReturnType<typeof boxComponent>>;
  try {
    component = await boxComponent(bytes);
  } catch (e) {
    if (e instanceof ComponentError) throw new UsageError(`box export: ${path}: ${e.message}`);
    throw e;
  }
  await writeOutput('box export', out, component.bytes);
  console.log(`component imports: ${component.imports.join(', ')}`);
  for (const warning of component.warnings) console.error(`box export: note: ${warning}`);
  return 0;
}
