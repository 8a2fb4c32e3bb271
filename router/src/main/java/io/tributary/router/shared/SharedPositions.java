package io.tributary.router.shared;

import java.util.Map;

/**
 * Where shared-subscription groups keep their log positions across a restart (the broker's state
 * store), by {@code $share/{name}/{filter}}.
 */
public interface SharedPositions {

  /** Keeps nothing (a broker whose log is in memory). */
  SharedPositions NONE = new SharedPositions() {
    @Override
    public Map<String, Long> restored() {
      return Map.of();
    }

    @Override
    public void save(String key, long offset) {
    }

    @Override
    public void remove(String key) {
    }
  };

  /** The positions saved before the restart. */
  Map<String, Long> restored();

  /** Every record of the group before offset was delivered (any thread). */
  void save(String key, long offset);

  /** The group is gone. */
  void remove(String key);
}
