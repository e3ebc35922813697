package dev.distillmesh.index.faiss;

/** A failure reported by FAISS (a C++ exception turned into a Java one by the JNI glue). */
public final class FaissException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public FaissException(String message) {
    super(message);
  }
}
