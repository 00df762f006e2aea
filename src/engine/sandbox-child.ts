// A child process that runs sandboxed commands one at a time, each in a DuckDB instance of its
// own (src/engine/sandbox-process.ts starts it). The parent sets this process's data-segment
// and CPU-time limits (setrlimit via prlimit) before each command, so that every allocation
// DuckDB makes — also those its memory_limit does not track — fails here, never in the server.
import fs from 'node:fs';
import { runSandboxed, type SandboxInput, type SandboxLimits } from './sandbox.ts';
import { OperationError } from '../operations/errors.ts';

interface Request {
  input: SandboxInput;
  limits: SandboxLimits;
  /** Folder the command's relative paths are resolved in (the job's scratch folder). */
  cwd: string;
}

// The parent gone (crashed or killed): nothing will read our answer.
process.on('disconnect', () => process.exit(0));

process.on('message', async (msg: Request) => {
  try {
    process.chdir(msg.cwd);
    const outcome = await runSandboxed(msg.input, msg.limits);
    process.send!({ outcome, peakData: peakData() });
  } catch (err) {
    // A message naming a file resolved against the working directory would show where it is.
    const hide = (message: string) => message.split(`${process.cwd()}/`).join('').split(process.cwd()).join('.');
    const e = err as Error;
    // An OperationError's cause (DuckDB's full message) goes along for the server's log.
    const cause = err instanceof OperationError && err.cause instanceof Error ? { cause: err.cause.message } : {};
    const failure = err instanceof OperationError ? { operation: true, code: err.code, message: hide(err.message), ...cause } : { operation: false, code: '', message: hide(e?.message ?? String(err)) };
    process.send!({ failure, peakData: peakData() });
  }
});

/** Kilobyte fields of /proc/self/status, in bytes. */
function status(): Record<string, number> {
  const fields: Record<string, number> = {};
  for (const m of fs.readFileSync('/proc/self/status', 'utf8').matchAll(/^(\w+):\s+(\d+) kB$/gm)) fields[m[1]] = Number(m[2]) * 1024;
  return fields;
}

/**
 * The largest data segment (bytes) this process has had, which is what RLIMIT_DATA bounds:
 * the kernel keeps the peak of the whole address space (VmPeak), and what is not data
 * (code, mapped files: VmSize − VmData) hardly changes during a command.
 */
function peakData(): number {
  const s = status();
  return s.VmPeak - (s.VmSize - s.VmData);
}

// VmData now is what the process needs before any command: the parent's limit is counted from it.
process.send!({ ready: true, vmData: status().VmData });
