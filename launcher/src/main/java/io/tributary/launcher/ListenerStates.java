package io.tributary.launcher;

import io.tributary.router.ListenerStatus;
import io.vertx.core.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Which listeners are up, for {@code GET /health}: a listener is up while it is bound on every
 * event loop. Written by the core verticles as they bind and close, read by any of them.
 */
final class ListenerStates {

  private final List<BrokerConfig.Listener> listeners;
  private final int instances;
  private final AtomicIntegerArray bound;
  private final AtomicReferenceArray<String> addresses;

  ListenerStates(List<BrokerConfig.Listener> listeners, int instances) {
    this.listeners = List.copyOf(listeners);
    this.instances = instances;
    this.bound = new AtomicIntegerArray(listeners.size());
    this.addresses = new AtomicReferenceArray<>(listeners.size());
  }

  void bound(int listener, SocketAddress address) {
    addresses.compareAndSet(listener, null, address.host() + ":" + address.port());
    bound.incrementAndGet(listener);
  }

  void closed(int listener) {
    bound.decrementAndGet(listener);
  }

  List<ListenerStatus> snapshot() {
    List<ListenerStatus> out = new ArrayList<>(listeners.size());
    for (int i = 0; i < listeners.size(); i++) {
      BrokerConfig.Listener l = listeners.get(i);
      String address = addresses.get(i);
      out.add(new ListenerStatus(l.name, l.protocol, address != null ? address : l.host + ":" + l.port,
          bound.get(i) >= ("admin".equals(l.protocol) ? 1 : instances)));
    }
    return out;
  }
}
