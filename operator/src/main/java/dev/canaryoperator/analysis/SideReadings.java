package dev.canaryoperator.analysis;

/** What was read for one side: requests in the window, their 5xx share, and latency in ms. */
record SideReadings(Reading requests, Reading errorRate, Reading latencyMs) {

  /**
   * The error rate from two counts of the same window. With no request the rate is undefined, not
   * 0%: a side that served nothing has not shown it is healthy.
   */
  static SideReadings of(Reading requests, Reading errors, Reading latencyMs) {
    Reading rate;
    if (!requests.present()) {
      rate = Reading.missing(requests.problem());
    } else if (!errors.present()) {
      rate = Reading.missing(errors.problem());
    } else if (requests.value() <= 0) {
      rate = Reading.missing("no requests");
    } else {
      // increase() extrapolates both counts alike, but clamp in case of counter resets in between
      rate = Reading.of(Math.min(1.0, Math.max(0.0, errors.value() / requests.value())));
    }
    return new SideReadings(requests, rate, latencyMs);
  }

  Measurement measurement() {
    return new Measurement(requests.value(), errorRate.value(), latencyMs.value());
  }
}
