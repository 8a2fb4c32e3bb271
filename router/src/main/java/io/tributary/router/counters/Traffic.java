package io.tributary.router.counters;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * What one listener moves on one event loop: messages in and out by QoS, bytes in and out, and its
 * open connections. Only that loop writes (plain adds published with an opaque store: no lock, no
 * CAS on the per-message path); a metrics scrape reads every loop's cells from its own thread and
 * sums them. A value read may be a turn old; a counter never goes backwards.
 */
public final class Traffic {

  private static final VarHandle CELLS = MethodHandles.arrayElementVarHandle(long[].class);
  // The cells sit between 16 unused longs on each side: two loops' accounts, allocated side by
  // side, never share a cache line (each store would otherwise steal the line from the other core).
  private static final int PAD = 16;
  private static final int MESSAGES_IN = PAD;       // + qos
  private static final int MESSAGES_OUT = PAD + 3;  // + qos
  private static final int BYTES_IN = PAD + 6;
  private static final int BYTES_OUT = PAD + 7;
  private static final int OPEN = PAD + 8;

  private final String listener;
  private final String protocol;
  private final long[] cells = new long[PAD + 9 + PAD];

  public Traffic(String listener, String protocol) {
    this.listener = listener;
    this.protocol = protocol;
  }

  public String listener() {
    return listener;
  }

  /** The listener's protocol: mqtt, mqtt-ws, raw-tcp. */
  public String protocol() {
    return protocol;
  }

  /** A message was received (and stored) at this QoS. Owning loop only. */
  public void messageIn(int qos) {
    add(MESSAGES_IN + qos, 1);
  }

  /** Messages were received (and stored) at this QoS. Owning loop only. */
  public void messagesIn(int qos, int count) {
    add(MESSAGES_IN + qos, count);
  }

  /** A message was sent at this QoS. Owning loop only. */
  public void messageOut(int qos) {
    add(MESSAGES_OUT + qos, 1);
  }

  /** Bytes read off the connection. Owning loop only. */
  public void bytesIn(long bytes) {
    add(BYTES_IN, bytes);
  }

  /** Bytes handed to the connection to write. Owning loop only. */
  public void bytesOut(long bytes) {
    add(BYTES_OUT, bytes);
  }

  /** A connection opened on this listener and loop. Owning loop only. */
  public void opened() {
    add(OPEN, 1);
  }

  /** One closed. Owning loop only. */
  public void closed() {
    add(OPEN, -1);
  }

  /** Connections open now (sockets accepted, CONNECT or not). */
  public long open() {
    return read(OPEN);
  }

  public long messagesIn(int qos) {
    return read(MESSAGES_IN + qos);
  }

  public long messagesOut(int qos) {
    return read(MESSAGES_OUT + qos);
  }

  public long bytesIn() {
    return read(BYTES_IN);
  }

  public long bytesOut() {
    return read(BYTES_OUT);
  }

  private void add(int cell, long amount) {
    CELLS.setOpaque(cells, cell, cells[cell] + amount);
  }

  private long read(int cell) {
    return (long) CELLS.getOpaque(cells, cell);
  }

  /** Several accounts added up (all listeners of all loops, for $SYS and the overview). */
  public record Totals(long messagesIn, long messagesOut, long bytesIn, long bytesOut, long open) {

    public static Totals of(Iterable<Traffic> accounts) {
      long mIn = 0;
      long mOut = 0;
      long bIn = 0;
      long bOut = 0;
      long open = 0;
      for (Traffic t : accounts) {
        for (int q = 0; q <= 2; q++) {
          mIn += t.messagesIn(q);
          mOut += t.messagesOut(q);
        }
        bIn += t.bytesIn();
        bOut += t.bytesOut();
        open += t.open();
      }
      return new Totals(mIn, mOut, bIn, bOut, open);
    }
  }
}
