package io.tributary.mqtt;

import io.tributary.router.Broker;
import io.tributary.router.delivery.Dispatcher;
import io.tributary.router.RouterOptions;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The broker fixture of the tests: one shared {@link Broker} and, per event loop, one MQTT listener
 * on 127.0.0.1 and a port picked here, as the launcher runs it. Other modules' fixtures (WebSocket,
 * raw-TCP devices) add their listeners to each loop with {@link #start(int, MqttOptions,
 * RouterOptions, LoopListeners)}; they reach it through protocol-mqtt's test jar.
 */
public final class TestBroker implements AutoCloseable {

  private final Vertx vertx;
  private final Broker broker;
  private final int port;
  private final List<Loop> loops;

  /** One event loop's listener, with the context it runs on. */
  private record Loop(io.vertx.core.Context context, MqttListener listener) {}

  /** A listener of another protocol that runs beside the MQTT one on each event loop. */
  public interface LoopListener {
    Future<?> listen();

    Future<?> close();
  }

  /**
   * Makes the other listeners of one event loop (called on that loop, once per loop), knowing the
   * port of the MQTT listener.
   */
  @FunctionalInterface
  public interface LoopListeners {
    List<LoopListener> create(Vertx vertx, Broker broker, Dispatcher dispatcher, int mqttPort);
  }

  private TestBroker(Vertx vertx, Broker broker, int port, List<Loop> loops) {
    this.vertx = vertx;
    this.broker = broker;
    this.port = port;
    this.loops = loops;
  }

  public static TestBroker start() {
    return start(2, new MqttOptions(), new RouterOptions());
  }

  public static TestBroker start(int instances, MqttOptions mqtt, RouterOptions router) {
    return start(instances, mqtt, router, (vertx, broker, dispatcher, mqttPort) -> List.of());
  }

  /** {@code others} adds listeners of other protocols to each event loop. */
  public static TestBroker start(int instances, MqttOptions mqtt, RouterOptions router, LoopListeners others) {
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(Math.max(2, instances)));
    Broker broker = new Broker(router);
    int port = freePort();
    List<Loop> loops = new CopyOnWriteArrayList<>();
    try {
      vertx.deployVerticle(() -> new VerticleBase() {
        private MqttListener listener;
        private List<LoopListener> extra;
        private Dispatcher core;

        @Override
        public Future<?> start() {
          core = broker.addDispatcher(task -> context.runOnContext(v -> task.run()), "test-" + context.hashCode());
          listener = new MqttListener(vertx, broker, core, "127.0.0.1", port, mqtt);
          extra = others.create(vertx, broker, core, port);
          loops.add(new Loop(context, listener));
          Future<?> all = listener.listen();
          for (LoopListener l : extra) {
            all = all.compose(a -> l.listen());
          }
          return all;
        }

        @Override
        public Future<?> stop() {
          List<Future<?>> closing = new java.util.ArrayList<>();
          for (LoopListener l : extra) {
            closing.add(l.close());
          }
          closing.add(listener.close());
          return Future.join(closing).andThen(ar -> broker.removeDispatcher(core));
        }
      }, new DeploymentOptions().setInstances(instances)).await(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      vertx.close();
      throw new IllegalStateException("test broker failed to start", e);
    }
    return new TestBroker(vertx, broker, port, loops);
  }

  public int port() {
    return port;
  }

  public String tcpUri() {
    return "tcp://127.0.0.1:" + port;
  }

  public Vertx vertx() {
    return vertx;
  }

  public Broker broker() {
    return broker;
  }

  /**
   * Open MQTT connections per event loop, each read on its own loop; the index identifies the
   * loop (stable for the life of this broker). Lets a test tell on which loop a client landed.
   */
  public int[] openConnections() {
    int[] counts = new int[loops.size()];
    for (int i = 0; i < counts.length; i++) {
      Loop loop = loops.get(i);
      CompletableFuture<Integer> f = new CompletableFuture<>();
      loop.context().runOnContext(v -> f.complete(loop.listener().connectionCount()));
      try {
        counts[i] = f.get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    return counts;
  }

  @Override
  public void close() {
    try {
      vertx.close().await(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    broker.close();
  }

  /** Ports handed out in this JVM: the kernel may offer a just-closed port again at once. */
  private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /**
   * A free loopback port, never one this JVM handed out before (two listeners of one test would
   * otherwise get the same port now and then).
   */
  public static int freePort() {
    for (int attempt = 0; attempt < 100; attempt++) {
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        s.setReuseAddress(true);
        if (HANDED_OUT.add(s.getLocalPort())) {
          return s.getLocalPort();
        }
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
    throw new IllegalStateException("no fresh free port in 100 attempts");
  }
}
