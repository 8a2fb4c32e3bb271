package io.tributary.cluster;

import com.hazelcast.cluster.MembershipAdapter;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.core.EntryAdapter;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.replicatedmap.ReplicatedMap;
import io.tributary.router.Broker;
import io.tributary.router.ClusterStatus;
import io.tributary.router.delivery.Dispatcher;
import io.tributary.router.shared.SharedPositions;
import io.tributary.router.topic.SubscriptionIndex;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This broker as one node of a cluster. Membership is Hazelcast's (through Vert.x's cluster
 * manager); two replicated maps say who is who ({@code tributary.nodes}: member id -> node name)
 * and who subscribes to what ({@code tributary.routes}: node name + filter -> member id and since
 * when it wants records, one entry per filter a node's sessions subscribe to, kept by that node
 * from its {@link SubscriptionIndex}; one per shared group too, see {@link ClusterGroups}).
 * For every other node there is one {@link Forwarder}, reading this node's log and sending that
 * node, in batches over a TCP connection of its own ({@link ForwardLink}), what its filters match;
 * what other nodes send arrives at this node's {@link ForwardServer} (its address is in
 * {@code tributary.forward-addresses}: member id -> host:port) and is stored in this node's log by
 * the {@link ForwardInbox}. The event bus carries the rest (retained sync, session hand-offs).
 * A member that leaves takes its routes with it: each survivor drops them, and the oldest survivor
 * publishes its clients' wills ({@link ClusterWills}). A node that joins takes the retained
 * messages of one member ({@link RetainedSync}). Sessions move between nodes through
 * {@link ClusterSessions}.
 *
 * <p>Threads: Hazelcast's events hop to the broker verticle's context, which alone touches the peer
 * table; writes to the maps go through one thread of their own (they may wait on the network); a
 * forwarder runs on its dispatcher's thread.
 */
public final class ClusterNode {

  private static final Logger log = LoggerFactory.getLogger(ClusterNode.class);

  static final String ORIGIN_PREFIX = "node:";
  static final String POSITION_PREFIX = "cluster/forward/";
  private static final String NODES = "tributary.nodes";
  private static final String FORWARD_ADDRESSES = "tributary.forward-addresses";
  private static final String ROUTES = "tributary.routes";

  private final Vertx vertx;
  private final Context context;
  private final Broker broker;
  private final ClusterOptions options;
  private final String name;
  private HazelcastInstance hazelcast;
  private String incarnation;
  private ReplicatedMap<String, String> nodes;
  private ReplicatedMap<String, String> routes;
  private ReplicatedMap<String, String> forwardAddresses;
  private final List<UUID> listeners = new ArrayList<>();
  private UUID membershipListener;
  /** Writes to the cluster's maps, in order; after stop, what is still handed to it is dropped. */
  private final java.util.concurrent.ThreadPoolExecutor writer = new java.util.concurrent.ThreadPoolExecutor(1, 1,
      0, java.util.concurrent.TimeUnit.MILLISECONDS, new java.util.concurrent.LinkedBlockingQueue<>(), r -> {
        Thread t = new Thread(r, "tributary-cluster-maps");
        t.setDaemon(true);
        return t;
      }, new java.util.concurrent.ThreadPoolExecutor.DiscardPolicy());
  private ForwardInbox inbox;
  private ForwardServer forwardServer;
  private io.vertx.core.net.NetClient forwardClient;
  private RetainedSync retained;
  private ClusterSessions sessions;
  private ClusterWills wills;
  private ClusterGroups groups;
  private Map<String, Long> savedPositions;
  private SharedPositions positions;

  // The broker verticle's context only:
  /** Filters by member id (incarnation), as the routes map says, live or not. */
  private final Map<String, Set<String>> routeTable = new HashMap<>();
  /** Live other nodes by name (written on the verticle's context, read by metrics from any thread). */
  private final Map<String, Peer> peers = new java.util.concurrent.ConcurrentHashMap<>();
  private int placed;

  private record Peer(String name, String incarnation, Forwarder forwarder) {}

  private ClusterNode(Vertx vertx, Context context, Broker broker, ClusterOptions options) {
    this.vertx = vertx;
    this.context = context;
    this.broker = broker;
    this.options = options;
    this.name = options.getNodeName();
  }

  /**
   * Joins the broker to the cluster its Vert.x is part of (built with {@link HazelcastSetup}).
   * Call from the broker verticle's context once its dispatchers are registered.
   */
  public static Future<ClusterNode> start(Vertx vertx, Broker broker, ClusterOptions options) {
    if (!vertx.isClustered() || !(((VertxInternal) vertx).clusterManager() instanceof HazelcastClusterManager)) {
      return Future.failedFuture(new IllegalStateException(
          "cluster.enabled is true but this Vert.x is not clustered on Hazelcast (build it with HazelcastSetup)"));
    }
    ClusterNode node = new ClusterNode(vertx, vertx.getOrCreateContext(), broker, options);
    return vertx.executeBlocking(() -> {
      node.join();
      return node;
    }).compose(n -> n.syncRetained().map(n));
  }

  /** This node's name in the cluster. */
  public String name() {
    return name;
  }

  /** Names of the live nodes, this one included. */
  public Future<List<String>> members() {
    return vertx.executeBlocking(() -> {
      List<String> names = new ArrayList<>();
      hazelcast.getCluster().getMembers().forEach(m -> {
        String n = nodes.get(m.getUuid().toString());
        if (n != null) {
          names.add(n);
        }
      });
      names.sort(null);
      return names;
    });
  }

  /** Other nodes and their forward lag (records of this log not sent yet). */
  public Map<String, Long> forwardLag() {
    Map<String, Long> lag = new HashMap<>();
    peers.values().forEach(p -> lag.put(p.name(), p.forwarder().lag()));
    return lag;
  }

  /** Worker thread: registers this node and its routes and starts listening. */
  private void join() {
    hazelcast = ((HazelcastClusterManager) ((VertxInternal) vertx).clusterManager()).getHazelcastInstance();
    incarnation = hazelcast.getCluster().getLocalMember().getUuid().toString();
    nodes = hazelcast.getReplicatedMap(NODES);
    routes = hazelcast.getReplicatedMap(ROUTES);
    forwardAddresses = hazelcast.getReplicatedMap(FORWARD_ADDRESSES);
    Set<String> live = liveMembers();
    nodes.forEach((member, node) -> {
      if (node.equals(name) && live.contains(member) && !member.equals(incarnation)) {
        throw new IllegalStateException("cluster.nodeName '" + name + "' is already the name of live member "
            + member + ": each node needs a name of its own");
      }
    });
    positions = broker.positions(POSITION_PREFIX);
    savedPositions = positions.restored();
    inbox = new ForwardInbox(broker, context);
    forwardServer = new ForwardServer(context, inbox, incarnation);
    forwardClient = vertx.createNetClient(new io.vertx.core.net.NetClientOptions().setTcpNoDelay(true)
        .setConnectTimeout(options.getForwardTimeoutMs()));
    retained = new RetainedSync(vertx, broker, name);
    sessions = new ClusterSessions(vertx, context, broker, hazelcast.getMap(ClusterSessions.SESSIONS),
        hazelcast.getMap(ClusterSessions.REPLICAS), name, node -> peers.containsKey(node), options.getForwardTimeoutMs());
    // Registrations reach the other members through Hazelcast: wait, so that no node that sees this
    // one in the nodes map finds no one at its addresses.
    try {
      Future.all(retained.start(), sessions.start())
          .toCompletionStage()
          .toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("cluster: the event bus addresses of this node were not registered: " + e, e);
    }
    int forwardPort;
    try {
      forwardPort = forwardServer.listen(options.getHost(), options.getForwardPort()).toCompletionStage()
          .toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("cluster: cannot listen for forwards on " + options.getHost() + ":"
          + options.getForwardPort() + " (cluster.forwardPort): " + e.getMessage(), e);
    }
    forwardAddresses.put(incarnation, options.getHost() + ":" + forwardPort);
    membershipListener = hazelcast.getCluster().addMembershipListener(new MembershipAdapter() {
      @Override
      public void memberRemoved(MembershipEvent event) {
        String member = event.getMember().getUuid().toString();
        context.runOnContext(v -> memberLeft(member));
      }
    });
    listeners.add(nodes.addEntryListener(new EntryAdapter<>() {
      @Override
      public void entryAdded(EntryEvent<String, String> e) {
        context.runOnContext(v -> nodeSeen(e.getKey(), e.getValue()));
      }

      @Override
      public void entryUpdated(EntryEvent<String, String> e) {
        entryAdded(e);
      }
    }));
    listeners.add(routes.addEntryListener(new EntryAdapter<>() {
      @Override
      public void entryAdded(EntryEvent<String, String> e) {
        context.runOnContext(v -> routeSeen(e.getKey(), e.getValue()));
      }

      @Override
      public void entryUpdated(EntryEvent<String, String> e) {
        String old = e.getOldValue();
        context.runOnContext(v -> {
          if (old != null) {
            routeGone(e.getKey(), old);
          }
          routeSeen(e.getKey(), e.getValue());
        });
      }

      @Override
      public void entryRemoved(EntryEvent<String, String> e) {
        String old = e.getOldValue();
        context.runOnContext(v -> routeGone(e.getKey(), old));
      }
    }));
    nodes.put(incarnation, name);
    groups = new ClusterGroups(name);
    broker.setSharedChoice(groups);
    SubscriptionIndex.Subscribed mine = broker.index().listen(new SubscriptionIndex.FilterListener() {
      @Override
      public void added(String filter, long since) {
        putRoute(filter, since);
      }

      @Override
      public void removed(String filter) {
        removeRoute(filter);
      }

      @Override
      public void groupAdded(String groupKey) {
        groups.localAdded(groupKey);
        putRoute(RouteEntries.groupPart(groupKey), SubscriptionIndex.NOTHING_BEFORE);
      }

      @Override
      public void groupRemoved(String groupKey) {
        groups.localRemoved(groupKey);
        removeRoute(RouteEntries.groupPart(groupKey));
      }
    });
    mine.filters().forEach(filter -> putRoute(filter, SubscriptionIndex.NOTHING_BEFORE));
    mine.groups().forEach(groupKey -> {
      groups.localAdded(groupKey);
      putRoute(RouteEntries.groupPart(groupKey), SubscriptionIndex.NOTHING_BEFORE);
    });
    // What was there before the listeners: seen now (the handlers take each thing once).
    Map<String, String> nodesNow = new HashMap<>(nodes);
    Map<String, String> routesNow = new HashMap<>(routes);
    context.runOnContext(v -> {
      routesNow.forEach(this::routeSeen);
      nodesNow.forEach(this::nodeSeen);
    });
    broker.setCluster(new ClusterStatus() {
      @Override
      public int members() {
        return hazelcast.getLifecycleService().isRunning() ? hazelcast.getCluster().getMembers().size() : 0;
      }

      @Override
      public long forwardLag() {
        long sum = 0;
        for (Peer p : peers.values()) {
          sum += p.forwarder().lag();
        }
        return sum;
      }
    });
    broker.setSessionDirectory(sessions);
    broker.setSessionMirror(sessions);
    sessions.dropSessionsLivingElsewhere();
    wills = new ClusterWills(hazelcast.getMap(ClusterWills.WILLS), name, writer);
    broker.setWillKeeper(wills);
    log.info("cluster: node '{}' (member {}) joined cluster '{}' with {} member(s); forwards arrive on {}:{}", name,
        incarnation, options.getName(), live.size(), options.getHost(), forwardPort);
  }

  private Set<String> liveMembers() {
    Set<String> live = new HashSet<>();
    hazelcast.getCluster().getMembers().forEach(m -> live.add(m.getUuid().toString()));
    return live;
  }

  /** This node's route for a filter (or group), written on the writer thread in the order of the index's changes. */
  private void putRoute(String filterPart, long since) {
    writer.execute(() -> routes.put(RouteEntries.key(name, filterPart), RouteEntries.value(incarnation, since)));
  }

  private void removeRoute(String filterPart) {
    writer.execute(() -> routes.remove(RouteEntries.key(name, filterPart)));
  }

  private void routeSeen(String key, String value) {
    String member = RouteEntries.memberOf(value);
    long since = RouteEntries.sinceOf(value);
    String node = RouteEntries.nodeOf(key);
    String filter = RouteEntries.filterPartOf(key);
    if (node.equals(name) || !routeTable.computeIfAbsent(member, k -> new HashSet<>()).add(filter)) {
      return;
    }
    Peer p = peers.get(node);
    if (p != null && p.incarnation().equals(member)) {
      if (RouteEntries.isGroupRoute(filter)) {
        groups.peerAdded(node, RouteEntries.groupKeyOf(filter));
      }
      Forwarder f = p.forwarder();
      f.home().execute(() -> f.routeAdded(filter, since));
    }
  }

  private void routeGone(String key, String value) {
    String member = RouteEntries.memberOf(value);
    String node = RouteEntries.nodeOf(key);
    String filter = RouteEntries.filterPartOf(key);
    Set<String> filters = routeTable.get(member);
    if (filters == null || !filters.remove(filter)) {
      return;
    }
    Peer p = peers.get(node);
    if (p != null && p.incarnation().equals(member)) {
      if (RouteEntries.isGroupRoute(filter)) {
        groups.peerRemoved(node, RouteEntries.groupKeyOf(filter));
      }
      Forwarder f = p.forwarder();
      f.home().execute(() -> f.routeRemoved(filter));
    }
  }

  /** A node registered itself (or its entry was seen at start): forwards to it begin. */
  private void nodeSeen(String member, String node) {
    if (member.equals(incarnation) || node.equals(name)) {
      return;
    }
    Peer known = peers.get(node);
    if (known != null && known.incarnation().equals(member)) {
      return;
    }
    if (!liveMembers().contains(member)) {
      return; // an entry a dead member left behind
    }
    if (known != null) {
      stopPeer(known); // the node restarted: a new member id under the same name
    }
    List<Dispatcher> dispatchers = broker.dispatchers();
    Dispatcher home = dispatchers.get(placed++ % dispatchers.size());
    Forwarder f = new Forwarder(node, member, () -> forwardAddresses.get(member), name, incarnation, broker.log(),
        home, vertx, forwardClient, positions, savedPositions.get(POSITION_PREFIX + node), broker.counters(), options,
        groups);
    List<String> filters = List.copyOf(routeTable.getOrDefault(member, Set.of()));
    filters.stream().filter(RouteEntries::isGroupRoute).forEach(r -> groups.peerAdded(node, RouteEntries.groupKeyOf(r)));
    home.execute(() -> {
      // Routes it had before this node saw it: this forwarder's saved position covers them.
      filters.forEach(filter -> f.routeAdded(filter, SubscriptionIndex.NOTHING_BEFORE));
      f.start();
    });
    peers.put(node, new Peer(node, member, f));
    log.info("cluster: node '{}' (member {}) is up; forwarding it what its {} filter(s) match", node, member,
        filters.size());
  }

  private void memberLeft(String member) {
    inbox.forget(member);
    String deadNode = nodes.get(member);
    if (deadNode != null) {
      sessions.nodeLeft(deadNode);
    }
    // The oldest member left publishes the dead node's wills: one survivor, whichever it is.
    if (deadNode != null && !deadNode.equals(name) && hazelcast.getLifecycleService().isRunning()
        && hazelcast.getCluster().getMembers().iterator().next().localMember()) {
      wills.publishFor(deadNode, broker, vertx);
    }
    routeTable.remove(member);
    for (Peer p : List.copyOf(peers.values())) {
      if (p.incarnation().equals(member)) {
        stopPeer(p);
        peers.remove(p.name());
        log.warn("cluster: node '{}' (member {}) left the cluster; its routes are dropped", p.name(), member);
      }
    }
    // Every survivor drops what the member left in the maps; doing it twice is harmless.
    writer.execute(() -> {
      routes.entrySet().removeIf(e -> member.equals(RouteEntries.memberOf(e.getValue())));
      nodes.remove(member);
      forwardAddresses.remove(member);
    });
  }

  private void stopPeer(Peer p) {
    groups.peerGone(p.name());
    Forwarder f = p.forwarder();
    f.home().execute(f::close);
  }

  /** Takes the retained messages of one other member, trying each in turn (see {@link RetainedSync}). */
  private Future<Void> syncRetained() {
    Set<String> live = liveMembers();
    live.remove(incarnation);
    List<String> sources = new ArrayList<>();
    for (String member : live) {
      String n = nodes.get(member);
      if (n != null) {
        sources.add(n);
      }
    }
    return retained.takeFrom(sources);
  }

  /** Leaves: forwards stop (positions stay saved), this node's entries are left to the survivors. */
  public Future<Void> stop() {
    peers.values().forEach(this::stopPeer);
    peers.clear();
    broker.index().listen(null);
    broker.setSessionDirectory(io.tributary.router.SessionDirectory.LOCAL);
    broker.setSessionMirror(io.tributary.router.session.SessionMirror.NONE);
    broker.setWillKeeper(io.tributary.router.session.WillKeeper.NONE);
    broker.setSharedChoice(io.tributary.router.shared.SharedChoice.LOCAL);
    forwardServer.close();
    forwardClient.close();
    retained.stop();
    sessions.stop();
    return vertx.executeBlocking(() -> {
      if (hazelcast.getLifecycleService().isRunning()) {
        listeners.forEach(id -> {
          nodes.removeEntryListener(id);
          routes.removeEntryListener(id);
        });
        hazelcast.getCluster().removeMembershipListener(membershipListener);
      }
      writer.shutdown();
      writer.awaitTermination(2, java.util.concurrent.TimeUnit.SECONDS); // the last map writes go out
      return null;
    });
  }
}
