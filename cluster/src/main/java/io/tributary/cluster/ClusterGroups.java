package io.tributary.cluster;

import io.tributary.router.message.Message;
import io.tributary.router.shared.SharedChoice;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Shared-subscription groups across the cluster: which nodes have members of each group, and
 * which of them gets a record. The node that stores a record first decides, per group its topic
 * matches: the choice is a hash of the record's offset here over the sorted names of the nodes
 * that have the group, so this node's own group and its forwarders, reading the record at
 * different times, agree while the nodes of the group stay the same. A forwarded record carries the
 * groups it was sent for ({@link Message#sharedFor()}): a node's group delivers it only then. Around
 * a change of a group's nodes a record can go to two nodes or to none.
 */
final class ClusterGroups implements SharedChoice {

  private final String self;
  /** Group key -> the sorted names of the nodes with members, this one included. Read by any thread. */
  private final Map<String, String[]> nodes = new ConcurrentHashMap<>();
  // Guarded by this:
  private final Set<String> local = new java.util.HashSet<>();
  private final Map<String, Set<String>> peers = new java.util.HashMap<>();

  ClusterGroups(String self) {
    this.self = self;
  }

  @Override
  public boolean here(String groupKey, long offset, Message message) {
    String origin = message.origin();
    if (origin != null && origin.startsWith(ClusterNode.ORIGIN_PREFIX)) {
      String[] sent = message.sharedFor();
      if (sent != null) {
        for (String g : sent) {
          if (g.equals(groupKey)) {
            return true;
          }
        }
      }
      return false;
    }
    String chosen = chosen(groupKey, offset);
    return chosen == null || chosen.equals(self);
  }

  /** The node whose group gets the record at offset of this node's log, or null if no node has the group. */
  String chosen(String groupKey, long offset) {
    String[] with = nodes.get(groupKey);
    if (with == null) {
      return null;
    }
    if (with.length == 1) {
      return with[0];
    }
    long h = (offset + groupKey.hashCode()) * 0x9E3779B97F4A7C15L;
    return with[(int) Math.floorMod(h ^ (h >>> 32), (long) with.length)];
  }

  synchronized void localAdded(String groupKey) {
    local.add(groupKey);
    refresh(groupKey);
  }

  synchronized void localRemoved(String groupKey) {
    local.remove(groupKey);
    refresh(groupKey);
  }

  synchronized void peerAdded(String node, String groupKey) {
    peers.computeIfAbsent(groupKey, k -> new TreeSet<>()).add(node);
    refresh(groupKey);
  }

  synchronized void peerRemoved(String node, String groupKey) {
    Set<String> with = peers.get(groupKey);
    if (with != null && with.remove(node)) {
      refresh(groupKey);
    }
  }

  /** A node left: its groups are gone. */
  synchronized void peerGone(String node) {
    for (Map.Entry<String, Set<String>> e : peers.entrySet()) {
      if (e.getValue().remove(node)) {
        refresh(e.getKey());
      }
    }
  }

  private void refresh(String groupKey) {
    TreeSet<String> with = new TreeSet<>(peers.getOrDefault(groupKey, Set.of()));
    if (local.contains(groupKey)) {
      with.add(self);
    }
    if (with.isEmpty()) {
      nodes.remove(groupKey);
      peers.remove(groupKey);
    } else {
      nodes.put(groupKey, with.toArray(String[]::new));
    }
  }
}
