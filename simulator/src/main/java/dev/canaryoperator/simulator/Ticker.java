package dev.canaryoperator.simulator;

import java.util.concurrent.TimeUnit;

/**
 * Time as the backends see it: they wait out their simulated latency and measure what the
 * destination sidecar would measure. A test can substitute a clock that advances by exactly the
 * sleep, so recorded durations are exact instead of wall-clock dependent.
 */
public interface Ticker {

  long nanoTime();

  void sleepNanos(long nanos) throws InterruptedException;

  Ticker SYSTEM =
      new Ticker() {
        @Override
        public long nanoTime() {
          return System.nanoTime();
        }

        @Override
        public void sleepNanos(long nanos) throws InterruptedException {
          if (nanos > 0) {
            TimeUnit.NANOSECONDS.sleep(nanos);
          }
        }
      };
}
