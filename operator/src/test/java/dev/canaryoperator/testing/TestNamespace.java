package dev.canaryoperator.testing;

/** The namespace a single test owns. */
public record TestNamespace(String name) {}
