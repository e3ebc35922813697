package dev.distillmesh.teacher;

import java.util.List;

/**
 * One context (a question, or dialogue turns joined by spaces) and the candidates to judge against
 * it. Validated by {@link TeacherLimits} before it reaches a backend.
 */
public record ScoreItem(String context, List<String> candidates) {
  public ScoreItem {
    candidates = List.copyOf(candidates);
  }
}
