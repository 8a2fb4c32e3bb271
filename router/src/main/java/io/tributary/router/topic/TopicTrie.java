package io.tributary.router.topic;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.function.Consumer;

/**
 * A trie of subscription filters -> subscribers. Single-threaded: each event loop owns its own
 * trie (no synchronisation). The sink given to {@link #match} must not modify the trie.
 *
 * <p>Each node is one filter level. Literal children live in a lazily created map keyed by the
 * level string; the '+' and '#' children have their own fields. Empty nodes are pruned on
 * {@link #remove}, so memory follows the live subscriptions, not the churn.
 */
public final class TopicTrie<S> {

  /** Subscribers per node are kept in an ArrayList up to this many, then in a LinkedHashSet. */
  private static final int SMALL_MAX = 8;

  private static final int KIND_LITERAL = 0;
  private static final int KIND_PLUS = 1;
  private static final int KIND_HASH = 2;

  private static final class Node<S> {
    final Node<S> parent;
    final String key; // level string for literal children; null for root, '+' and '#'
    final int kind;
    HashMap<String, Node<S>> children;
    Node<S> plus;
    Node<S> hash;
    ArrayList<S> few;
    LinkedHashSet<S> many;

    Node(Node<S> parent, String key, int kind) {
      this.parent = parent;
      this.key = key;
      this.kind = kind;
    }

    boolean addSubscriber(S s) {
      if (many != null) {
        return many.add(s);
      }
      if (few == null) {
        few = new ArrayList<>(2);
      } else if (few.contains(s)) {
        return false;
      }
      if (few.size() < SMALL_MAX) {
        few.add(s);
      } else {
        many = new LinkedHashSet<>(few);
        many.add(s);
        few = null;
      }
      return true;
    }

    boolean removeSubscriber(Object s) {
      if (many != null) {
        boolean removed = many.remove(s);
        if (many.isEmpty()) {
          many = null;
        }
        return removed;
      }
      if (few != null) {
        boolean removed = few.remove(s);
        if (few.isEmpty()) {
          few = null;
        }
        return removed;
      }
      return false;
    }

    void emit(Consumer<? super S> sink) {
      ArrayList<S> f = few;
      if (f != null) {
        for (int i = 0, n = f.size(); i < n; i++) {
          sink.accept(f.get(i));
        }
      } else if (many != null) {
        for (S s : many) {
          sink.accept(s);
        }
      }
    }

    boolean isEmpty() {
      return few == null && many == null && children == null && plus == null && hash == null;
    }
  }

  private final Node<S> root = new Node<>(null, null, KIND_LITERAL);
  private int size;
  private int nodeCount;

  /**
   * Adds subscriber under filter (filter assumed valid). Set semantics per (filter, subscriber)
   * by equals(): adding twice keeps one entry. Returns true if newly added.
   */
  public boolean add(String filter, S subscriber) {
    Node<S> node = root;
    int len = filter.length();
    int start = 0;
    while (true) {
      int end = filter.indexOf('/', start);
      if (end < 0) {
        end = len;
      }
      node = childFor(node, filter, start, end);
      if (end == len) {
        break;
      }
      start = end + 1;
    }
    boolean added = node.addSubscriber(subscriber);
    if (added) {
      size++;
    }
    return added;
  }

  private Node<S> childFor(Node<S> node, String filter, int start, int end) {
    if (end - start == 1) {
      char c = filter.charAt(start);
      if (c == '+') {
        if (node.plus == null) {
          node.plus = new Node<>(node, null, KIND_PLUS);
          nodeCount++;
        }
        return node.plus;
      }
      if (c == '#') {
        if (node.hash == null) {
          node.hash = new Node<>(node, null, KIND_HASH);
          nodeCount++;
        }
        return node.hash;
      }
    }
    String level = filter.substring(start, end);
    if (node.children == null) {
      node.children = new HashMap<>(4);
    }
    Node<S> child = node.children.get(level);
    if (child == null) {
      child = new Node<>(node, level, KIND_LITERAL);
      node.children.put(level, child);
      nodeCount++;
    }
    return child;
  }

  /**
   * Removes it; prunes empty nodes so memory does not grow with churn. Returns true if it was
   * present.
   */
  public boolean remove(String filter, S subscriber) {
    Node<S> node = root;
    int len = filter.length();
    int start = 0;
    while (node != null) {
      int end = filter.indexOf('/', start);
      if (end < 0) {
        end = len;
      }
      node = existingChild(node, filter, start, end);
      if (end == len) {
        break;
      }
      start = end + 1;
    }
    if (node == null || !node.removeSubscriber(subscriber)) {
      return false;
    }
    size--;
    while (node != root && node.isEmpty()) {
      Node<S> parent = node.parent;
      switch (node.kind) {
        case KIND_PLUS:
          parent.plus = null;
          break;
        case KIND_HASH:
          parent.hash = null;
          break;
        default:
          parent.children.remove(node.key);
          if (parent.children.isEmpty()) {
            parent.children = null;
          }
      }
      nodeCount--;
      node = parent;
    }
    return true;
  }

  private Node<S> existingChild(Node<S> node, String filter, int start, int end) {
    if (end - start == 1) {
      char c = filter.charAt(start);
      if (c == '+') {
        return node.plus;
      }
      if (c == '#') {
        return node.hash;
      }
    }
    return node.children == null ? null : node.children.get(filter.substring(start, end));
  }

  /**
   * Calls sink once per (filter, subscriber) entry whose filter matches topic. A subscriber
   * under two matching filters is reported twice (the caller dedupes). Cost O(levels of the
   * topic x branching through '+'/'#'), not O(subscriptions). The sink must not modify this
   * trie.
   */
  public void match(String topic, Consumer<? super S> sink) {
    int len = topic.length();
    if (len == 0 || size == 0) {
      return;
    }
    if (topic.charAt(0) == '$') {
      // '$' topics are not matched by filters whose first level is a wildcard
      int end = topic.indexOf('/');
      if (end < 0) {
        end = len;
      }
      HashMap<String, Node<S>> children = root.children;
      if (children != null) {
        Node<S> child = children.get(end == len ? topic : topic.substring(0, end));
        if (child != null) {
          descend(child, topic, end, sink);
        }
      }
    } else {
      matchLevel(root, topic, 0, sink);
    }
  }

  /** Matches the topic level starting at {@code start} (a level exists there) below node. */
  private void matchLevel(Node<S> node, String topic, int start, Consumer<? super S> sink) {
    if (node.hash != null) {
      node.hash.emit(sink); // '#' matches this level and everything below
    }
    int len = topic.length();
    int end = topic.indexOf('/', start);
    if (end < 0) {
      end = len;
    }
    if (node.plus != null) {
      descend(node.plus, topic, end, sink);
    }
    HashMap<String, Node<S>> children = node.children;
    if (children != null) {
      String level = (start == 0 && end == len) ? topic : topic.substring(start, end);
      Node<S> child = children.get(level);
      if (child != null) {
        descend(child, topic, end, sink);
      }
    }
  }

  /** child matched the topic level ending at end. */
  private void descend(Node<S> child, String topic, int end, Consumer<? super S> sink) {
    if (end == topic.length()) {
      child.emit(sink);
      if (child.hash != null) {
        child.hash.emit(sink); // 'sport/#' matches 'sport'
      }
    } else {
      matchLevel(child, topic, end + 1, sink);
    }
  }

  /** Number of (filter, subscriber) entries. */
  public int size() {
    return size;
  }

  public boolean isEmpty() {
    return size == 0;
  }

  /** Number of nodes below the root (for tests: 0 once every entry has been removed). */
  int nodeCount() {
    return nodeCount;
  }
}
