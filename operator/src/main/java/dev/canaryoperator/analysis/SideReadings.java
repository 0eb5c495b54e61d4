package dev.canaryoperator.analysis;

/** What was read for one side over the span: requests, 5xx responses, and the latencies. */
record SideReadings(Reading requests, Reading errors, LatencyReading latency) {

  /**
   * The error rate from two counts of the same span. With no request the rate is undefined, not 0%:
   * a side that served nothing has not shown it is healthy.
   */
  Reading errorRate() {
    if (!requests.present()) {
      return Reading.missing(requests.problem());
    }
    if (!errors.present()) {
      return Reading.missing(errors.problem());
    }
    if (requests.value() <= 0) {
      return Reading.missing("no requests");
    }
    // the counters are read apart (by a scrape at worst): keep the share a share
    return Reading.of(Math.min(1.0, Math.max(0.0, errors.value() / requests.value())));
  }

  Measurement measurement(Thresholds t) {
    return new Measurement(requests.value(), errorRate().value(), latency.value(t).value());
  }
}
