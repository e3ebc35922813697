package dev.distillmesh.student.cli;

import java.io.PrintStream;

/** Lets tests in other packages run the CLI in-process, output captured, no terminal. */
public final class StudentCliAccess {
  private StudentCliAccess() {}

  public static int run(String[] args, PrintStream out) {
    return StudentCli.run(args, out, out, false);
  }
}
