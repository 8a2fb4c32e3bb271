package io.tributary.commitlog;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Where segment bytes live: a memory-mapped file or a direct buffer, and how they are freed.
 *
 * <p>Freeing is explicit: a mapping or direct buffer left to the garbage collector is released only
 * when its small Java object is collected, which with a flat heap can be hours after retention
 * deleted the file (the disk space stays in use until then). Java 17 has no public unmap, so this
 * calls {@code sun.misc.Unsafe.invokeCleaner} (module jdk.unsupported, the way Kafka and Lucene
 * unmap). Touching a freed buffer crashes the JVM, so segments free theirs only when the last
 * reader has released it ({@link LogSegment#release()}).
 */
final class SegmentBuffers {

  private static final Object UNSAFE;
  private static final Method INVOKE_CLEANER;

  static {
    Object unsafe = null;
    Method cleaner = null;
    try {
      Class<?> type = Class.forName("sun.misc.Unsafe");
      Field field = type.getDeclaredField("theUnsafe");
      field.setAccessible(true);
      unsafe = field.get(null);
      cleaner = type.getMethod("invokeCleaner", ByteBuffer.class);
    } catch (ReflectiveOperationException | RuntimeException e) {
      // Without it buffers are freed by the garbage collector: correct, only later.
    }
    UNSAFE = unsafe;
    INVOKE_CLEANER = cleaner;
  }

  private SegmentBuffers() {
  }

  /** Maps {@code capacity} bytes of file read-write, extending the file with zeros if shorter. */
  static ByteBuffer map(Path file, long capacity) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
        StandardOpenOption.WRITE)) {
      return channel.map(FileChannel.MapMode.READ_WRITE, 0, capacity);
    }
  }

  /** Creates file (sparse, reading as zeros) of capacity bytes, like a mapped segment's; returns its open channel. */
  static FileChannel createSparse(Path file, long capacity) throws IOException {
    FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
        StandardOpenOption.WRITE);
    try {
      if (channel.size() < capacity) {
        channel.write(ByteBuffer.allocate(1), capacity - 1);
      }
      return channel;
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  static ByteBuffer allocate(int capacity) {
    return ByteBuffer.allocateDirect(capacity);
  }

  /** Releases the memory or mapping now. The buffer must never be touched again. */
  static void free(ByteBuffer buffer) {
    if (INVOKE_CLEANER == null || buffer == null || !buffer.isDirect()) {
      return;
    }
    try {
      INVOKE_CLEANER.invoke(UNSAFE, buffer);
    } catch (ReflectiveOperationException | RuntimeException e) {
      // A duplicate or slice has no cleaner of its own; the original is freed by its owner.
    }
  }
}
