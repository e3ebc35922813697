package dev.distillmesh.trainer.data;

import dev.distillmesh.common.DomainException;
import dev.distillmesh.trainer.run.model.RunSpec;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * The directories a run may read its data files from ({@code --data-dirs}), and the one place that
 * turns a path a client sent into a file the trainer will read. A client's path names a regular
 * file inside one of the directories: an absolute path, or one relative to a directory (tried in
 * order). It may not leave them, neither by {@code ..} nor by a symbolic link whose target lies
 * outside all of them (the check is on the real path); devices, pipes and directories are refused.
 *
 * <p>What a refusal tells a caller about the server's file system: for a path outside the
 * directories, nothing (the answer is the same whether it exists, and the check runs before any
 * file is touched); for a path inside, whether it exists and is a regular file. Messages quote the
 * path as the client sent it, never the file's contents.
 *
 * <p>Immutable and thread-safe. A directory that does not exist yet is skipped until it does.
 */
public final class DataRoots {
  private final List<Path> roots;

  /** @param roots the directories, relative ones against the working directory; at least one */
  public DataRoots(List<Path> roots) {
    if (roots.isEmpty()) {
      throw new IllegalArgumentException("at least one data directory is needed");
    }
    List<Path> absolute = new ArrayList<>();
    for (Path r : roots) {
      absolute.add(r.toAbsolutePath().normalize());
    }
    this.roots = List.copyOf(absolute);
  }

  public List<Path> roots() {
    return roots;
  }

  /**
   * {@code spec} with each data path it names (passages, questions, dialogues, dialogue_eval, and
   * the file of a {@code file:PATH} holdout) replaced by the real path of the file it resolves to;
   * empty fields stay empty.
   *
   * @throws DomainException INVALID_ARGUMENT for a path that is outside the directories, missing,
   *     or not a regular file
   */
  public RunSpec confine(RunSpec spec) {
    if (spec.holdout() != null && spec.holdout().startsWith(QaData.HOLDOUT_FILE)) {
      spec = spec.withHoldout(QaData.HOLDOUT_FILE
          + resolve(spec.holdout().substring(QaData.HOLDOUT_FILE.length()), "holdout"));
    }
    return spec.withInputs(confined(spec.passages(), "passages"), confined(spec.questions(), "questions"),
        confined(spec.dialogues(), "dialogues"), confined(spec.dialogueEval(), "dialogue_eval"));
  }

  private String confined(String given, String what) {
    return given == null || given.isEmpty() ? given : resolve(given, what).toString();
  }

  /**
   * The real path of the regular file {@code given} names inside the directories.
   *
   * @param what the field, for messages (e.g. "passages")
   */
  public Path resolve(String given, String what) {
    Path path;
    try {
      path = Path.of(given);
    } catch (InvalidPathException e) {
      throw outside(given, what);
    }
    List<Path> realRoots = new ArrayList<>();
    for (Path root : roots) {
      try {
        realRoots.add(root.toRealPath());
      } catch (IOException e) {
        realRoots.add(null); // not there (yet): nothing under it can be read
      }
    }
    boolean inside = false;
    for (int r = 0; r < roots.size(); r++) {
      Path root = roots.get(r);
      Path realRoot = realRoots.get(r);
      for (Path base : realRoot == null || realRoot.equals(root) ? List.of(root) : List.of(root, realRoot)) {
        Path candidate = (path.isAbsolute() ? path : base.resolve(path)).normalize();
        if (!candidate.startsWith(base) || candidate.equals(base)) {
          continue;
        }
        inside = true;
        if (realRoot == null) {
          continue;
        }
        Path real;
        try {
          real = candidate.toRealPath();
        } catch (NoSuchFileException e) {
          continue;
        } catch (AccessDeniedException e) {
          throw DomainException.invalid(what + " file " + given + " cannot be read by the trainer (permission denied)");
        } catch (IOException e) {
          throw DomainException.invalid(what + " file " + given + " cannot be read by the trainer");
        }
        if (realRoots.stream().noneMatch(d -> d != null && real.startsWith(d) && !real.equals(d))) {
          throw outside(given, what); // a link inside that points out: treated as if it were outside
        }
        BasicFileAttributes attributes;
        try {
          attributes = Files.readAttributes(real, BasicFileAttributes.class);
        } catch (IOException e) {
          throw DomainException.invalid(what + " file " + given + " cannot be read by the trainer");
        }
        if (!attributes.isRegularFile()) {
          throw DomainException.invalid(what + " file " + given + " is not a regular file (a directory, device or"
              + " pipe); name a JSONL file");
        }
        return real;
      }
    }
    if (inside) {
      throw DomainException.invalid(what + " file " + given + " does not exist (paths are read on the trainer's"
          + " machine, in its data directories " + roots + ")");
    }
    throw outside(given, what);
  }

  private DomainException outside(String given, String what) {
    return DomainException.invalid(what + " file " + given + " is not inside the trainer's data directories "
        + roots + "; put the file in one of them (relative paths are read from them), or start the trainer with"
        + " --data-dirs naming its directory");
  }

  @Override
  public String toString() {
    return roots.toString();
  }
}
