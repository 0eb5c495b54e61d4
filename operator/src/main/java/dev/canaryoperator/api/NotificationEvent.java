package dev.canaryoperator.api;

/** What a notification can be sent for. */
public enum NotificationEvent {
  Started,
  StepAdvanced,
  Paused,
  AnalysisFailed,
  RolledBack,
  Promoted,
  Completed
}
