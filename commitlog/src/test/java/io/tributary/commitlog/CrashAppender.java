package io.tributary.commitlog;

import io.tributary.commitlog.Codecs.Text;

/**
 * The process {@link LogCrashTest} kills: appends numbered records to the log in args[0] with the
 * flush policy args[1], and prints each offset once the log says it is stored (as the broker would
 * acknowledge a publisher), until it is killed.
 */
public final class CrashAppender {

  public static void main(String[] args) {
    FlushPolicy flush = FlushPolicy.valueOf(args[1]);
    SegmentedLog<Text> log = SegmentedLog.open(new CommitLogOptions().setStorage(Storage.DISK).setDir(args[0])
        .setSegmentBytes(256 * 1024).setFlush(flush), Codecs.TEXTS);
    System.out.println("ready " + log.endOffset());
    System.out.flush();
    for (long i = 0; i < 10_000_000; i++) {
      long offset = log.append(new Text("message-" + i));
      log.whenDurable(offset, () -> {
        synchronized (System.out) {
          System.out.println(offset);
        }
      });
    }
  }

  private CrashAppender() {
  }
}
