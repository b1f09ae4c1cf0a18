// Noticing that files mounted from a Secret or ConfigMap changed. The kubelet updates such a
// volume by writing a new timestamped folder and atomically swapping the `..data` symlink beside
// the files, so the *folders* holding the files are watched, not the files (a watch on a file
// follows the old inode and never fires again). fs.watch misses events on some filesystems
// (network, overlay, some container runtimes), so a slow stat poll backs it up. One swap touches
// several entries in quick succession: the reload runs once they settle, never twice at once.
import { watch, type FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Logger } from 'pino';

/** What a reload did: put new content into service, found nothing new, or kept the old content. */
export type ReloadResult = 'reloaded' | 'unchanged' | 'failed';

export interface MountedFilesWatchOptions<R> {
  paths: readonly string[];
  /** Reads the files and puts them into service; called after a change settles. */
  reload: () => Promise<R>;
  /** Names the files in log lines: "TLS", "config". */
  what: string;
  logger: Logger;
  debounceMs?: number;
  pollIntervalMs?: number;
}

export interface MountedFilesWatch<R> {
  /** Reloads now (serialised with any reload in progress). */
  reload(): Promise<R>;
  close(): void;
}

export const DEFAULT_DEBOUNCE_MS = 150;
export const DEFAULT_POLL_INTERVAL_MS = 10_000;

export function watchMountedFiles<R>(options: MountedFilesWatchOptions<R>): MountedFilesWatch<R> {
  const { paths, what, logger } = options;
  const debounceMs = options.debounceMs ?? DEFAULT_DEBOUNCE_MS;
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  const dirs = [...new Set(paths.map((path) => dirname(resolve(path))))];

  let closed = false;
  let debounce: NodeJS.Timeout | null = null;
  let running: Promise<R> | null = null;
  let rerun = false;
  let lastSignature: string | null = null;
  const watchers = new Map<string, FSWatcher>();

  function schedule(): void {
    if (closed) return;
    if (debounce !== null) clearTimeout(debounce);
    debounce = setTimeout(() => {
      debounce = null;
      void reload();
    }, debounceMs);
    debounce.unref();
  }

  function ensureWatchers(): void {
    for (const dir of dirs) {
      if (watchers.has(dir)) continue;
      try {
        const watcher = watch(dir, { persistent: false }, schedule);
        watcher.on('error', (error) => {
          // The folder went away (or the watch broke); the poll re-creates the watch later.
          logger.warn({ err: error, dir }, `${what} folder watch failed; falling back to polling until it can be re-established`);
          watcher.close();
          watchers.delete(dir);
        });
        watchers.set(dir, watcher);
      } catch (error) {
        logger.warn({ err: error, dir }, `cannot watch ${what} folder; relying on polling`);
      }
    }
  }

  /** Cheap identity of the files as they are now; stat follows the ..data symlinks. */
  async function signature(): Promise<string> {
    const parts = await Promise.all(
      paths.map(async (path) => {
        try {
          const s = await stat(path);
          return `${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}`;
        } catch (error) {
          return `missing:${(error as NodeJS.ErrnoException).code ?? 'unknown'}`;
        }
      }),
    );
    return parts.join('|');
  }

  function reload(): Promise<R> {
    if (running !== null) {
      // A change during a reload may have been read half-way: read again once this one ends.
      rerun = true;
      return running;
    }
    running = (async () => {
      let result: R;
      do {
        rerun = false;
        // Taken before reading: a write landing after this is seen as a change by the next poll.
        lastSignature = await signature();
        result = await options.reload();
      } while (rerun && !closed);
      return result;
    })().finally(() => {
      running = null;
    });
    return running;
  }

  const poll = setInterval(() => {
    ensureWatchers();
    void signature().then((now) => {
      if (now !== lastSignature) schedule();
    });
  }, pollIntervalMs);
  poll.unref();

  // lastSignature starts null, so the first poll re-reads once: that closes the gap between the
  // caller's initial load and these watches being in place.
  ensureWatchers();

  return {
    reload,
    close() {
      closed = true;
      clearInterval(poll);
      if (debounce !== null) clearTimeout(debounce);
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
    },
  };
}
