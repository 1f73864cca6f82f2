// Build progress on stderr: on a terminal one updating line per step, in
// CI (CI=true) or into a pipe plain lines that read well in a log.

export interface Progress {
  /** a step starts: "[2/5] COPY hello.wasm /bin/hello" */
  step(index: number, total: number, text: string): void;
  /** the current step was taken from the cache */
  cached(): void;
  /** the current step made a layer of this many bytes */
  done(bytes: number): void;
  /** free text (RUN's own output goes straight to the fd) */
  note(text: string): void;
  /** the build is over (finished or failed): close an open line */
  end(): void;
}

export const silentProgress: Progress = { step() {}, cached() {}, done() {}, note() {}, end() {} };

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** Plain lines: "#2 [2/5] COPY …", then "#2 CACHED" or "#2 DONE 1.2 KiB". */
export function plainProgress(write: (line: string) => void): Progress {
  let current = 0;
  return {
    step(index, total, text) {
      current = index;
      write(`#${index} [${index}/${total}] ${text}\n`);
    },
    cached() {
      write(`#${current} CACHED\n`);
    },
    done(bytes) {
      write(`#${current} DONE ${formatBytes(bytes)}\n`);
    },
    note(text) {
      write(`${text}\n`);
    },
    end() {},
  };
}

/** A terminal: each step's line is rewritten in place when it finishes. */
export function ttyProgress(write: (text: string) => void): Progress {
  let line = '';
  let open = false;
  let began = 0;
  // A step that made no layer (ENV, CMD …) is settled when the next one starts.
  const settle = () => {
    if (open) write(`\x1b[2K\r\x1b[32m=>\x1b[0m ${line}\n`);
    open = false;
  };
  return {
    step(index, total, text) {
      settle();
      line = `[${index}/${total}] ${text}`;
      began = performance.now();
      open = true;
      write(`\x1b[2K\r\x1b[36m=>\x1b[0m ${line} ...`);
    },
    cached() {
      open = false;
      write(`\x1b[2K\r\x1b[32m=>\x1b[0m ${line} \x1b[33mCACHED\x1b[0m\n`);
    },
    done(bytes) {
      open = false;
      const seconds = ((performance.now() - began) / 1000).toFixed(1);
      write(`\x1b[2K\r\x1b[32m=>\x1b[0m ${line} ${formatBytes(bytes)} ${seconds}s\n`);
    },
    note(text) {
      write(`\x1b[2K\r${text}\n`);
      if (open) write(`\x1b[36m=>\x1b[0m ${line} ...`);
    },
    end() {
      settle();
    },
  };
}

/** The right reporter for a stream: updating lines on a TTY unless CI is set. */
export function progressFor(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): Progress {
  const write = (t: string) => void stream.write(t);
  return stream.isTTY && !env.CI ? ttyProgress(write) : plainProgress((l) => write(l));
}
