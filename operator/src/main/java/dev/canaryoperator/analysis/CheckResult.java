package dev.canaryoperator.analysis;

import dev.canaryoperator.api.Verdict;

/** The outcome of one custom metric check (analysis.metrics[]). */
public record CheckResult(
    String name, Verdict verdict, Double canaryValue, Double stableValue, String reason) {}
