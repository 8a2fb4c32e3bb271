package io.tributary.cluster;

import io.tributary.router.topic.SubscriptionIndex;

/**
 * The form of an entry of the replicated routes map ({@code tributary.routes}): the key is the
 * node's name, a NUL, and the filter (or, for a shared group, a mark no filter starts with and the
 * group's key); the value is the member id that keeps the entry and since when it wants records
 * ({@code member|since}, see {@link SubscriptionIndex.FilterListener}).
 */
final class RouteEntries {

  private static final char SEPARATOR = '\u0000';
  private static final char GROUP_MARK = '\u0001';

  private RouteEntries() {
  }

  static String key(String node, String filterPart) {
    return node + SEPARATOR + filterPart;
  }

  /** The filter part of a shared group's route. */
  static String groupPart(String groupKey) {
    return GROUP_MARK + groupKey;
  }

  static boolean isGroupRoute(String filterPart) {
    return !filterPart.isEmpty() && filterPart.charAt(0) == GROUP_MARK;
  }

  static String groupKeyOf(String filterPart) {
    return filterPart.substring(1);
  }

  static String nodeOf(String key) {
    return key.substring(0, key.indexOf(SEPARATOR));
  }

  static String filterPartOf(String key) {
    return key.substring(key.indexOf(SEPARATOR) + 1);
  }

  static String value(String member, long since) {
    return member + "|" + since;
  }

  static String memberOf(String value) {
    int bar = value.indexOf('|');
    return bar < 0 ? value : value.substring(0, bar);
  }

  static long sinceOf(String value) {
    int bar = value.indexOf('|');
    return bar < 0 ? SubscriptionIndex.RECENT : Long.parseLong(value.substring(bar + 1));
  }
}
