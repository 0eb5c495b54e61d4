package dev.canaryoperator.api;

/** What an inconclusive analysis (Prometheus unreachable, too little traffic, no data) does. */
public enum OnNoData {
  /** Stay at the current step and keep analysing. */
  Hold,
  /** Treat it like a failed analysis. */
  Rollback
}
