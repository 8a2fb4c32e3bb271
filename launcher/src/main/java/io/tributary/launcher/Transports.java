package io.tributary.launcher;

import io.vertx.core.transport.Transport;

/** The {@code transport} config key: which Netty transport the event loops run on. */
final class Transports {

  private Transports() {
  }

  /**
   * {@code auto} takes io_uring, else epoll, else NIO. A transport asked for by name must be
   * available: falling back silently would hide a misconfigured host.
   */
  static Transport choose(BrokerConfig.Transport wanted) {
    return switch (wanted) {
      case auto -> Transport.IO_URING.available() ? Transport.IO_URING
          : Transport.EPOLL.available() ? Transport.EPOLL : Transport.NIO;
      case io_uring -> require(Transport.IO_URING, "io_uring");
      case epoll -> require(Transport.EPOLL, "epoll");
      case nio -> Transport.NIO;
    };
  }

  private static Transport require(Transport t, String name) {
    if (!t.available()) {
      Throwable cause = t.unavailabilityCause();
      throw new ConfigException("configuration key 'transport': " + name + " is not available on this host"
          + (cause == null ? "" : " (" + cause.getMessage() + ")"));
    }
    return t;
  }

  /** Name of the transport a running Vert.x uses, as the config spells it. */
  static String nameOf(io.vertx.core.spi.transport.Transport impl) {
    if (impl instanceof GuardedTransport guarded) {
      impl = guarded.delegate();
    }
    String n = impl.getClass().getSimpleName().toLowerCase();
    if (n.contains("uring")) {
      return "io_uring";
    }
    if (n.contains("epoll")) {
      return "epoll";
    }
    if (n.contains("kqueue")) {
      return "kqueue";
    }
    return "nio";
  }
}
