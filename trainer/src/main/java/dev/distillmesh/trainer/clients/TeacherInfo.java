package dev.distillmesh.trainer.clients;

import java.util.List;

/**
 * What the teacher says of itself (its Info).
 *
 * @param kinds the names of the score kinds it gives, as the teacher spells them (for messages)
 */
public record TeacherInfo(String backend, List<String> kinds, boolean canGenerate) {
  public TeacherInfo {
    kinds = List.copyOf(kinds);
  }

  /** Whether the teacher gives scores of {@code kind}. */
  public boolean gives(ScoreKind kind) {
    return kinds.contains(kind.name());
  }
}
