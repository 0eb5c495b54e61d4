package dev.canaryoperator.rollout;

import dev.canaryoperator.api.CanaryRelease;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The four requests as annotation values (null when absent): what a person asks for, or, in the
 * state, what the operator has already acknowledged (acted on, or refused with an event).
 */
public record Requests(String promote, String promoteFull, String abort, String retry) {
  public static final Requests NONE = new Requests(null, null, null, null);

  /** The kinds, in the order they are considered: stopping a rollout comes first. */
  public enum Kind {
    ABORT(CanaryRelease.ABORT_ANNOTATION),
    RETRY(CanaryRelease.RETRY_ANNOTATION),
    PROMOTE_FULL(CanaryRelease.PROMOTE_FULL_ANNOTATION),
    PROMOTE(CanaryRelease.PROMOTE_ANNOTATION);

    private final String annotation;

    Kind(String annotation) {
      this.annotation = annotation;
    }

    /** The annotation that carries the request, e.g. "canaryoperator.dev/promote-full". */
    public String annotation() {
      return annotation;
    }
  }

  /** The requests a CanaryRelease's annotations make (null where there is none). */
  public static Requests from(Map<String, String> annotations) {
    Requests requests = NONE;
    for (Kind kind : Kind.values()) {
      requests = requests.with(kind, annotations.get(kind.annotation()));
    }
    return requests;
  }

  public String get(Kind kind) {
    return switch (kind) {
      case ABORT -> abort;
      case RETRY -> retry;
      case PROMOTE_FULL -> promoteFull;
      case PROMOTE -> promote;
    };
  }

  public Requests with(Kind kind, String value) {
    return switch (kind) {
      case ABORT -> new Requests(promote, promoteFull, value, retry);
      case RETRY -> new Requests(promote, promoteFull, abort, value);
      case PROMOTE_FULL -> new Requests(promote, value, abort, retry);
      case PROMOTE -> new Requests(value, promoteFull, abort, retry);
    };
  }

  /** The first request here that {@code acknowledged} does not hold yet. */
  public Optional<Request> firstNew(Requests acknowledged) {
    for (Kind kind : Kind.values()) {
      String value = get(kind);
      if (value != null && !value.isBlank() && !Objects.equals(value, acknowledged.get(kind))) {
        return Optional.of(new Request(kind, value));
      }
    }
    return Optional.empty();
  }

  /**
   * One request: {@code <rolloutId>.<attempt>/<unique>[ <reason>]}.
   *
   * @param value the annotation's whole value
   */
  public record Request(Kind kind, String value) {
    /** The rollout the request is for, or null when the value does not name one. */
    public String rolloutKey() {
      int slash = value.indexOf('/');
      return slash <= 0 ? null : value.substring(0, slash).trim();
    }

    /** What follows the request id after a space, or null: the reason of an abort. */
    public String reason() {
      String trimmed = value.trim();
      int space = trimmed.indexOf(' ');
      return space < 0 ? null : trimmed.substring(space + 1).trim();
    }
  }
}
