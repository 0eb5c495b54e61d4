package dev.canaryoperator.simulator;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/**
 * Plain HTTP calls against the simulator, as an end-to-end test or a person with curl would make
 * them.
 */
final class AdminClient {
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final URI base;

  AdminClient(URI base) {
    this.base = base;
  }

  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(base.resolve(path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> post(String path, String jsonBody) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(base.resolve(path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(jsonBody))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** One request straight to a backend, bypassing the router. */
  int call(Backend backend) throws IOException, InterruptedException {
    return http.send(
            HttpRequest.newBuilder(backend.uri()).GET().build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }
}
