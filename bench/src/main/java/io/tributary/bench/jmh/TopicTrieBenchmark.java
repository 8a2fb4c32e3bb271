package io.tributary.bench.jmh;

import io.tributary.router.topic.TopicTrie;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Matching a topic against the router's {@link TopicTrie} holding 100k wildcard-heavy
 * subscriptions, and subscribe/unsubscribe churn on it. Every delivered message costs one match
 * per core on the event loop, so match time bounds fan-out throughput; churn is what connects and
 * disconnects of clients cost the same loop.
 *
 * <p>Filters (fixed seed): 55% exact {@code site/<s>/device/<d>/<metric>}, 15% {@code
 * site/<s>/+/<d>/#}, 15% {@code site/+/device/<d>/+}, 10% {@code site/<s>/device/<d>/#}, 5%
 * {@code site/<s>/gateway/<g>/#}, plus 4 subscribers on {@code +/+/+/+/+}. {@code matchHit} topics
 * are topics of exact subscriptions (so each matches the exact one, the four {@code +/+/+/+/+}
 * and whatever wildcards cover it; the mean is printed at setup); {@code matchMiss} topics have a
 * known site but an unknown device and six levels, so they walk every wildcard branch and match
 * nothing.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@State(Scope.Thread)
public class TopicTrieBenchmark {

  static final long SEED = 0x7A1B_2C3DL;
  static final int SITES = 100;
  static final int DEVICES = 10_000; // device ids are global: d0..d9999, on every site
  static final int GATEWAYS = 50;
  static final String[] METRICS = {"temp", "humidity", "pressure", "battery"};
  /** Topics and churn filters are cycled through arrays of this size (a power of two). */
  static final int RING = 1024;

  @Param({"100000"})
  int subscriptions;

  /** A subscriber with identity equality, like the router's Subscription. */
  static final class Sub {
    final int id;

    Sub(int id) {
      this.id = id;
    }
  }

  /** Counts and consumes every (filter, subscriber) the match reports. */
  static final class Sink implements Consumer<Sub> {
    private final Blackhole blackhole;
    int count;

    Sink(Blackhole blackhole) {
      this.blackhole = blackhole;
    }

    @Override
    public void accept(Sub sub) {
      blackhole.consume(sub);
      count++;
    }
  }

  TopicTrie<Sub> trie;
  Sink sink;
  String[] hitTopics;
  String[] missTopics;
  String[] churnFilters;
  Sub[] churnSubs;
  int hit;
  int miss;
  int churn;

  @Setup(Level.Trial)
  public void setUp(Blackhole blackhole) {
    SplittableRandom random = new SplittableRandom(SEED);
    trie = new TopicTrie<>();
    List<String> exact = new ArrayList<>();
    int id = 0;
    for (int i = 0; i < 4; i++) {
      trie.add("+/+/+/+/+", new Sub(id++));
    }
    while (id < subscriptions) {
      String filter = randomFilter(random);
      if (filter.indexOf('+') < 0 && filter.indexOf('#') < 0) {
        exact.add(filter);
      }
      trie.add(filter, new Sub(id++));
    }
    if (trie.size() != subscriptions) {
      throw new IllegalStateException("trie holds " + trie.size());
    }

    sink = new Sink(blackhole);
    Sink counter = new Sink(blackhole);
    hitTopics = new String[RING];
    missTopics = new String[RING];
    long hits = 0;
    int minHits = Integer.MAX_VALUE;
    int maxHits = 0;
    for (int i = 0; i < RING; i++) {
      // new String: the trie must not get its keys' cached hash codes for free
      hitTopics[i] = new String(exact.get(random.nextInt(exact.size())));
      counter.count = 0;
      trie.match(hitTopics[i], counter);
      if (counter.count < 1 + 4) {
        throw new IllegalStateException(hitTopics[i] + " matched " + counter.count);
      }
      hits += counter.count;
      minHits = Math.min(minHits, counter.count);
      maxHits = Math.max(maxHits, counter.count);

      missTopics[i] = "site/s" + random.nextInt(SITES) + "/device/x" + random.nextInt(DEVICES)
          + "/" + METRICS[random.nextInt(METRICS.length)] + "/raw";
      counter.count = 0;
      trie.match(missTopics[i], counter);
      if (counter.count != 0) {
        throw new IllegalStateException(missTopics[i] + " matched " + counter.count);
      }
    }
    System.out.printf("%n%d subscriptions; hit topics match %.2f on average (min %d, max %d)%n",
        trie.size(), (double) hits / RING, minHits, maxHits);

    churnFilters = new String[RING];
    churnSubs = new Sub[RING];
    for (int i = 0; i < RING; i++) {
      churnFilters[i] = randomFilter(random);
      churnSubs[i] = new Sub(id++);
    }
  }

  /** One filter of the mix described in the class comment (never {@code +/+/+/+/+}). */
  static String randomFilter(SplittableRandom random) {
    String s = "s" + random.nextInt(SITES);
    String d = "d" + random.nextInt(DEVICES);
    int kind = random.nextInt(100);
    if (kind < 55) {
      return "site/" + s + "/device/" + d + "/" + METRICS[random.nextInt(METRICS.length)];
    } else if (kind < 70) {
      return "site/" + s + "/+/" + d + "/#";
    } else if (kind < 85) {
      return "site/+/device/" + d + "/+";
    } else if (kind < 95) {
      return "site/" + s + "/device/" + d + "/#";
    }
    return "site/" + s + "/gateway/g" + random.nextInt(GATEWAYS) + "/#";
  }

  /** A topic that matches a few subscriptions; returns how many. */
  @Benchmark
  public int matchHit() {
    String topic = hitTopics[hit++ & (RING - 1)];
    Sink s = sink;
    s.count = 0;
    trie.match(topic, s);
    return s.count;
  }

  /** A topic that walks the wildcard branches and matches nothing. */
  @Benchmark
  public int matchMiss() {
    String topic = missTopics[miss++ & (RING - 1)];
    Sink s = sink;
    s.count = 0;
    trie.match(topic, s);
    return s.count;
  }

  /**
   * Subscribe then unsubscribe one filter of the same mix (a new subscriber: nodes it needs are
   * created, then pruned again), leaving the trie as it was.
   */
  @Benchmark
  public boolean subscribeUnsubscribe() {
    int i = churn++ & (RING - 1);
    String filter = churnFilters[i];
    Sub sub = churnSubs[i];
    boolean added = trie.add(filter, sub);
    boolean removed = trie.remove(filter, sub);
    return added & removed;
  }
}
