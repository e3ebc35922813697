package dev.distillmesh.index.store;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/** Recognises a full disk among I/O failures (Java reports ENOSPC only in the message). */
final class DiskErrors {
  private DiskErrors() {}

  /** True when {@code error}, a cause or a suppressed exception of it, says the device is full. */
  static boolean isNoSpace(Throwable error) {
    return find(error, new HashSet<>());
  }

  private static boolean find(Throwable t, Set<Throwable> seen) {
    if (t == null || !seen.add(t)) {
      return false;
    }
    String m = t.getMessage();
    if (m != null) {
      String lower = m.toLowerCase(Locale.ROOT);
      if (lower.contains("no space left on device") || lower.contains("enospc")
          || lower.contains("disk quota exceeded")) {
        return true;
      }
    }
    for (Throwable s : t.getSuppressed()) {
      if (find(s, seen)) {
        return true;
      }
    }
    return find(t.getCause(), seen);
  }
}
