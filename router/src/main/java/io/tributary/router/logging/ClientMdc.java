package io.tributary.router.logging;

import org.slf4j.MDC;

/**
 * The connection a log line is about, as MDC fields ({@code listener}, {@code remote},
 * {@code clientId}) for log shippers reading the JSON format.
 * Set around one line and removed after it (try-with-resources), never for a whole event-loop turn:
 * a loop runs thousands of connections, and the per-message path logs nothing.
 */
public final class ClientMdc implements AutoCloseable {

  private static final ClientMdc INSTANCE = new ClientMdc();

  private ClientMdc() {
  }

  public static ClientMdc of(String listener, String remote, String clientId) {
    MDC.put("listener", listener);
    MDC.put("remote", remote);
    if (clientId != null) {
      MDC.put("clientId", clientId);
    }
    return INSTANCE;
  }

  @Override
  public void close() {
    MDC.remove("listener");
    MDC.remove("remote");
    MDC.remove("clientId");
  }
}
