package io.tributary.commitlog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One log per directory: a second broker (or a second log in this process) on the same files would
 * corrupt them, so opening a directory takes an exclusive lock on its {@code .lock} file, held by
 * the open channel until the log closes (or the process dies).
 */
final class DirectoryLock {

  private DirectoryLock() {
  }

  /** Locks dir (created if missing); throws IllegalStateException naming it when it is taken. */
  static FileChannel acquire(Path dir) {
    FileChannel channel = null;
    try {
      Files.createDirectories(dir);
      channel = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock = channel.tryLock();
      if (lock == null) {
        throw new IllegalStateException("commit log directory " + dir + " is in use by another process");
      }
      return channel;
    } catch (OverlappingFileLockException e) {
      release(channel);
      throw new IllegalStateException("commit log directory " + dir + " is already open in this process");
    } catch (IOException e) {
      release(channel);
      throw new UncheckedIOException("commit log directory " + dir + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      release(channel);
      throw e;
    }
  }

  /** Releases the lock (closing its channel); null is ignored. */
  static void release(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // closing a lock file: nothing to do about it
      }
    }
  }
}
