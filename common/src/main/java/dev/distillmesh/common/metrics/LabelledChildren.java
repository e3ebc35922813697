package dev.distillmesh.common.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/** The series of one live metric, keyed by label values; rendered sorted so scrapes are stable. */
final class LabelledChildren<C> {
  private final List<String> labelNames;
  private final Supplier<C> factory;
  private final Map<List<String>, C> children = new ConcurrentHashMap<>();

  LabelledChildren(List<String> labelNames, Supplier<C> factory) {
    this.labelNames = labelNames;
    this.factory = factory;
  }

  C get(String... labelValues) {
    if (labelValues.length != labelNames.size()) {
      throw new IllegalArgumentException("expected values for labels " + labelNames + ", got "
          + Arrays.toString(labelValues));
    }
    return children.computeIfAbsent(List.of(labelValues), k -> factory.get());
  }

  void forEach(BiConsumer<String[], C> action) {
    List<List<String>> keys = new ArrayList<>(children.keySet());
    keys.sort(LabelledChildren::compare);
    for (List<String> key : keys) {
      action.accept(key.toArray(String[]::new), children.get(key));
    }
  }

  private static int compare(List<String> a, List<String> b) {
    for (int i = 0; i < a.size(); i++) {
      int c = a.get(i).compareTo(b.get(i));
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }
}
