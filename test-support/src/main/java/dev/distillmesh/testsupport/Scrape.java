package dev.distillmesh.testsupport;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A service process's Prometheus metrics, for the integration tests and the benchmarks. */
public final class Scrape {
  private Scrape() {}

  /** The metrics of the process whose log is {@code log} (it logs "metrics at URL" at start). */
  public static String metricsAt(Path log) throws Exception {
    Matcher m = Pattern.compile("metrics at (http://\\S+)").matcher(Files.readString(log));
    if (!m.find()) {
      throw new IllegalStateException(log + " does not say where its metrics are (is --metrics-port set?)");
    }
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(m.group(1))).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  /**
   * The sum of a metric's series (0 when it has none); {@code name} may include labels, e.g.
   * {@code x_total{reason="crc"}}, to pick one series.
   */
  public static double metric(String metrics, String name) {
    double sum = 0;
    for (String line : metrics.split("\n")) {
      if (line.startsWith(name + " ") || (!name.contains("{") && line.startsWith(name + "{"))) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }
}
