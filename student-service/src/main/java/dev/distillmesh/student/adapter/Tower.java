package dev.distillmesh.student.adapter;

import java.util.Locale;

/** The two sides of the bi-encoder. Both share the backbone; each has its own adapter. */
public enum Tower {
  /** Encodes contexts and questions: the query side. */
  CONTEXT,
  /** Encodes responses and passages: the indexed side. */
  RESPONSE;

  /** Lower-case name used in file names and logs. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
