/**
 * Directories and files that hold what only their owner may read: the local runtime's log (its
 * lines name hosts, accounts and topics; a mistake could put worse there) and the quickstart's
 * Pulumi backend (its state). 0700 directories and 0600 files, also when they existed already
 * (mkdir's mode applies only to a directory it creates).
 */
import fs from "node:fs";

export function privateDir(dir: string): string {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
  return dir;
}

/** Opens a file for appending, readable and writable by its owner only. */
export function openPrivateAppend(file: string): number {
  const fd = fs.openSync(file, "a", 0o600);
  fs.fchmodSync(fd, 0o600);
  return fd;
}

/** Writes `text` to a file only its owner may read, replacing what was there (written whole, then renamed). */
export function writePrivateFile(file: string, text: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(temporary, "w", 0o600);
  try {
    fs.fchmodSync(fd, 0o600);
    fs.writeSync(fd, text);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temporary, file);
}
