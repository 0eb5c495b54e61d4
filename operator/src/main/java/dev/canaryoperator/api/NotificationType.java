package dev.canaryoperator.api;

/** The shape of a notification's body. */
public enum NotificationType {
  /** A JSON object with the event, the release, its step and weight, and the last analysis. */
  Webhook,
  /** A Slack-compatible incoming-webhook message ({"text": ...}) with the same numbers. */
  Slack
}
