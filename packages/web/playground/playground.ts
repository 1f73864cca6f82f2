// The playground page: pick or drop a box, see its manifest, edit args and
// env, run it with a terminal for stdout/stderr/stdin, download its
// filesystem afterwards. Loaded by index.html; the runtime is ./runtime.js.

import { Terminal } from '@xterm/xterm';
import { boxManifest, runBox, snapshotEntries, snapshotTar, StdinQueue, TrapError, type Manifest } from '@marcotte/web';
import type { ImageEntry } from '@marcotte/abi';
import { boxImage } from '../src/image.ts';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const examples = $<HTMLSelectElement>('examples');
const fileInput = $<HTMLInputElement>('file');
const drop = $<HTMLLabelElement>('drop');
const boxName = $<HTMLHeadingElement>('box-name');
const manifestView = $<HTMLDListElement>('manifest');
const argsInput = $<HTMLTextAreaElement>('args');
const envInput = $<HTMLTextAreaElement>('env');
const modeSelect = $<HTMLSelectElement>('mode');
const runButton = $<HTMLButtonElement>('run');
const stopButton = $<HTMLButtonElement>('stop');
const eofButton = $<HTMLButtonElement>('eof');
const downloadButton = $<HTMLButtonElement>('download');
const status = $<HTMLDivElement>('status');
const tree = $<HTMLPreElement>('tree');
const treeTitle = $<HTMLHeadingElement>('tree-title');
// Plain-text transcripts of the two streams, beside the terminal's rendering (tests and copy-paste read them).
const stdoutLog = $<HTMLPreElement>('stdout');
const stderrLog = $<HTMLPreElement>('stderr');

const terminal = new Terminal({ convertEol: true, rows: 20, fontSize: 13, disableStdin: true });
terminal.open($('terminal'));

let box: { name: string; bytes: Uint8Array } | undefined;
let stdin: StdinQueue | undefined;
let line = '';
let snapshot: Uint8Array | undefined;
let running: AbortController | undefined;

function setStatus(text: string, error = false): void {
  status.textContent = text;
  status.classList.toggle('error', error);
}

function showManifest(m: Manifest): void {
  const rows: Array<[string, string]> = [
    ['capabilities', Object.entries(m.capabilities).map(([name, c]) => `${name} ${c.version}`).join(', ')],
    ['host authority', m.hostImports.length ? m.hostImports.join(', ') : '(none)'],
    ['entrypoint', m.entrypoint],
    ['args', m.args.length ? JSON.stringify(m.args) : '(none)'],
    ['env', m.env.length ? m.env.join(' ') : '(none)'],
  ];
  if (m.workdir) rows.push(['workdir', m.workdir]);
  if (m.image) rows.push(['file tree', `${m.image.files} files, ${m.image.dirs} directories, ${m.image.symlinks} symlinks, ${m.image.bytes} bytes`]);
  if (m.mountPoints?.length) rows.push(['mount points', m.mountPoints.join(', ')]);
  if (m.denied?.length) rows.push(['denied', m.denied.join(', ')]);
  rows.push(['portable', m.portable ? 'yes (runs in dynamic mode without multi-memory)' : 'no']);
  if (m.sealed) rows.push(['sealed', 'yes']);
  manifestView.replaceChildren(...rows.flatMap(([k, v]) => {
    const dt = document.createElement('dt');
    dt.textContent = k;
    const dd = document.createElement('dd');
    dd.textContent = v;
    return [dt, dd];
  }));
}

function loadBox(name: string, bytes: Uint8Array): void {
  box = undefined;
  manifestView.replaceChildren();
  boxName.textContent = name;
  runButton.disabled = true;
  try {
    showManifest(boxManifest(bytes));
  } catch (e) {
    setStatus(`${name}: ${(e as Error).message}`, true);
    return;
  }
  try {
    showTree('Filesystem baked into the box', boxImage(bytes));
  } catch (e) {
    showTree(`Filesystem baked into the box: cannot be read (${(e as Error).message})`, undefined);
  }
  box = { name, bytes };
  runButton.disabled = running !== undefined;
  setStatus(`${name}: ready to run.`);
}

async function loadExample(url: string, name: string): Promise<void> {
  const response = await fetch(url);
  if (!response.ok) return setStatus(`${name}: the server answered ${response.status}`, true);
  loadBox(name, new Uint8Array(await response.arrayBuffer()));
}

async function loadFile(file: File): Promise<void> {
  loadBox(file.name, new Uint8Array(await file.arrayBuffer()));
}

const lines = (text: string) => text.split('\n').map((l) => l.trim()).filter((l) => l !== '');

function showTree(title: string, entries: ImageEntry[] | undefined): void {
  treeTitle.textContent = title;
  if (!entries) {
    tree.textContent = '(this box has no filesystem of its own)';
    return;
  }
  tree.textContent = entries
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((e) => (e.type === 'dir' ? `${e.path === '/' ? '/' : `${e.path}/`}` : e.type === 'symlink' ? `${e.path} -> ${e.target}` : `${e.path}  (${e.data?.length ?? 0} bytes)`))
    .join('\n');
}

async function run(): Promise<void> {
  if (!box) return;
  const env: Record<string, string> = {};
  for (const kv of lines(envInput.value)) {
    const eq = kv.indexOf('=');
    if (eq <= 0) return setStatus(`environment: expected KEY=VALUE, got ${JSON.stringify(kv)}`, true);
    env[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  terminal.reset();
  stdoutLog.textContent = '';
  stderrLog.textContent = '';
  snapshot = undefined;
  downloadButton.disabled = true;
  // Typing needs shared memory (cross-origin isolation); without it the box reads an empty stdin.
  stdin = crossOriginIsolated ? new StdinQueue() : undefined;
  line = '';
  running = new AbortController();
  runButton.disabled = true;
  stopButton.disabled = false;
  eofButton.disabled = !stdin;
  terminal.options.disableStdin = !stdin;
  terminal.focus();
  const out = new TextDecoder();
  const err = new TextDecoder();
  const mode = modeSelect.value === 'static' || modeSelect.value === 'dynamic' ? modeSelect.value : undefined;
  setStatus(`${box.name}: running…`);
  document.body.dataset.run = 'running';
  try {
    const result = await runBox(box.bytes, {
      args: lines(argsInput.value),
      env,
      stdin: stdin ?? '',
      signal: running.signal,
      ...(mode ? { mode } : {}),
      onStdout: (b) => {
        terminal.write(b);
        stdoutLog.textContent += out.decode(b, { stream: true });
      },
      onStderr: (b) => {
        // stderr in red, so the two streams can be told apart in one pane
        terminal.write('\x1b[31m');
        terminal.write(b);
        terminal.write('\x1b[39m');
        stderrLog.textContent += err.decode(b, { stream: true });
      },
    });
    snapshot = result.snapshot;
    setStatus(`${box.name}: exited with code ${result.exitCode} (${result.mode} mode).`, result.exitCode !== 0);
    status.dataset.exitCode = String(result.exitCode);
  } catch (e) {
    if (e instanceof TrapError) snapshot = e.snapshot;
    const reason = running.signal.aborted ? 'stopped.' : (e as Error).message;
    setStatus(`${box.name}: ${reason}`, true);
    delete status.dataset.exitCode;
  } finally {
    running = undefined;
    stdin = undefined;
    terminal.options.disableStdin = true;
    runButton.disabled = !box;
    stopButton.disabled = true;
    eofButton.disabled = true;
    downloadButton.disabled = !snapshot;
    if (snapshot || !box) showTree('Filesystem after the run', snapshot && snapshotEntries(snapshot));
    document.body.dataset.run = 'done';
  }
}

// A tiny line discipline: echo, backspace, Enter sends the line, Ctrl-D ends stdin.
terminal.onData((data) => {
  if (!stdin || stdin.ended) return;
  for (const ch of data) {
    if (ch === '\r') {
      terminal.write('\r\n');
      stdin.write(`${line}\n`);
      line = '';
    } else if (ch === '\x7f' || ch === '\b') {
      if (line) {
        line = line.slice(0, -1);
        terminal.write('\b \b');
      }
    } else if (ch === '\x04') {
      endStdin();
      return;
    } else if (ch >= ' ') {
      line += ch;
      terminal.write(ch);
    }
  }
});

function endStdin(): void {
  if (!stdin || stdin.ended) return;
  if (line) stdin.write(line);
  line = '';
  stdin.end();
  eofButton.disabled = true;
}

function download(): void {
  if (!snapshot || !box) return;
  const blob = new Blob([snapshotTar(snapshot) as Uint8Array<ArrayBuffer>], { type: 'application/x-tar' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = `${box.name.replace(/\.box\.wasm$|\.wasm$/, '')}-fs.tar`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
}

runButton.addEventListener('click', () => void run());
stopButton.addEventListener('click', () => running?.abort());
eofButton.addEventListener('click', endStdin);
downloadButton.addEventListener('click', download);
fileInput.addEventListener('change', () => {
  const file = fileInput.files?.[0];
  if (file) void loadFile(file);
});
examples.addEventListener('change', () => {
  const option = examples.selectedOptions[0];
  if (option?.value) void loadExample(option.value, option.textContent ?? option.value);
});
for (const target of [drop, document.body]) {
  target.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
  target.addEventListener('dragleave', () => drop.classList.remove('over'));
  target.addEventListener('drop', (e) => {
    e.preventDefault();
    e.stopPropagation();
    drop.classList.remove('over');
    const file = e.dataTransfer?.files[0];
    if (file) void loadFile(file);
  });
}

// box serve lists the boxes it was given in examples.json; a plain static host may have none.
fetch('examples.json')
  .then((r) => (r.ok ? (r.json() as Promise<Array<{ name: string; url: string }>>) : []))
  .then((list) => {
    if (!list.length) return;
    examples.replaceChildren(new Option('(pick an example)', ''), ...list.map((e) => new Option(e.name, e.url)));
  })
  .catch(() => {})
  .finally(() => document.body.setAttribute('data-ready', ''));

if (!crossOriginIsolated) {
  setStatus('This page is not cross-origin isolated, so boxes get an empty stdin (box serve sends the headers that allow typing).', true);
}
