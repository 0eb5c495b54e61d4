package dev.canaryoperator.simulator;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock that only moves when a backend "sleeps", by exactly the sleep: with requests one at a
 * time, every recorded duration equals the simulated latency, whatever the machine's load.
 */
final class ManualTicker implements Ticker {
  private final AtomicLong now = new AtomicLong();

  @Override
  public long nanoTime() {
    return now.get();
  }

  @Override
  public void sleepNanos(long nanos) {
    now.addAndGet(nanos);
  }
}
