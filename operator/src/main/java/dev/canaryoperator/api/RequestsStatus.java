package dev.canaryoperator.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The request annotation values the operator has acknowledged (acted on, or refused with an event):
 * each value acts once.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RequestsStatus {
  private String promote;
  private String promoteFull;
  private String abort;
  private String retry;

  public RequestsStatus() {}

  public RequestsStatus(String promote, String promoteFull, String abort, String retry) {
    this.promote = promote;
    this.promoteFull = promoteFull;
    this.abort = abort;
    this.retry = retry;
  }

  public String getPromote() {
    return promote;
  }

  public void setPromote(String promote) {
    this.promote = promote;
  }

  public String getPromoteFull() {
    return promoteFull;
  }

  public void setPromoteFull(String promoteFull) {
    this.promoteFull = promoteFull;
  }

  public String getAbort() {
    return abort;
  }

  public void setAbort(String abort) {
    this.abort = abort;
  }

  public String getRetry() {
    return retry;
  }

  public void setRetry(String retry) {
    this.retry = retry;
  }
}
