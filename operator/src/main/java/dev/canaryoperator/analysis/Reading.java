package dev.canaryoperator.analysis;

/**
 * One number read from Prometheus, or why there is none. NaN and infinities are never a value: a
 * judgement on them would be meaningless, so they become a missing reading.
 */
record Reading(Double value, String problem) {

  Reading {
    if ((value == null) == (problem == null)) {
      throw new IllegalArgumentException("a reading has either a value or a problem");
    }
  }

  static Reading of(double value) {
    if (Double.isNaN(value)) {
      return missing("the value is NaN");
    }
    if (Double.isInfinite(value)) {
      return missing("the value is " + (value > 0 ? "+Inf" : "-Inf"));
    }
    return new Reading(value, null);
  }

  static Reading missing(String problem) {
    return new Reading(null, problem);
  }

  boolean present() {
    return value != null;
  }
}
