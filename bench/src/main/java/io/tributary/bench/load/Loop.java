package io.tributary.bench.load;

import io.netty.channel.EventLoop;
import io.vertx.core.internal.ContextInternal;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;

/** One event loop of the generator and what lives on it (touched only on that loop after setup). */
final class Loop {
  final ContextInternal context;
  final EventLoop eventLoop;
  final List<Publisher> publishers = new ArrayList<>();
  final Histogram histogram = LoadGenerator.newHistogram();
  long delivered;

  Loop(ContextInternal context, EventLoop eventLoop) {
    this.context = context;
    this.eventLoop = eventLoop;
  }
}
