package dev.canaryoperator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.LinkedHashMap;
import java.util.Map;

/** A subset of Istio's HTTPMatchRequest that identifies a canary group. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@ValidationRule(
    value =
        "has(self.uri) || (has(self.headers) && size(self.headers) > 0) || (has(self.queryParams) && size(self.queryParams) > 0)",
    message = "a canary group match needs at least one of headers, queryParams or uri")
public class RequestMatch {
  private Map<String, StringMatch> headers = new LinkedHashMap<>();
  private Map<String, StringMatch> queryParams = new LinkedHashMap<>();
  private StringMatch uri;

  public RequestMatch() {}

  public static RequestMatch header(String name, String exactValue) {
    RequestMatch m = new RequestMatch();
    m.headers.put(name, StringMatch.exact(exactValue));
    return m;
  }

  public Map<String, StringMatch> getHeaders() {
    return headers;
  }

  public void setHeaders(Map<String, StringMatch> headers) {
    this.headers = headers;
  }

  public Map<String, StringMatch> getQueryParams() {
    return queryParams;
  }

  public void setQueryParams(Map<String, StringMatch> queryParams) {
    this.queryParams = queryParams;
  }

  public StringMatch getUri() {
    return uri;
  }

  public void setUri(StringMatch uri) {
    this.uri = uri;
  }
}
