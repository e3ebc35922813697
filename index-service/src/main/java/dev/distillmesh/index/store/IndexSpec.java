package dev.distillmesh.index.store;

import dev.distillmesh.common.DomainException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A validated FAISS factory string. Supported: {@code Flat}, {@code HNSW<M>,Flat} and {@code
 * IVF<nlist>,Flat}. Anything else is rejected up front rather than handed to FAISS, so clients get
 * a message that lists what is allowed.
 */
public record IndexSpec(String factory, Family family, int hnswM, int nlist) {
  /** Index families the service knows how to serve and tune. */
  public enum Family {
    FLAT,
    HNSW,
    IVF
  }

  /** FAISS's IVF k-means wants ~39 training points per centroid. */
  public static final int IVF_TRAINING_POINTS_PER_LIST = 39;

  private static final Pattern HNSW = Pattern.compile("HNSW(\\d{1,3}),Flat");
  private static final Pattern IVF = Pattern.compile("IVF(\\d{1,5}),Flat");
  private static final String ALLOWED =
      "allowed: \"Flat\", \"HNSW<M>,Flat\" with M in 4..128, \"IVF<nlist>,Flat\" with nlist in 1..65536";

  /** Parses a factory string; empty means {@code Flat}. */
  public static IndexSpec parse(String factory) {
    String spec = factory == null || factory.isBlank() ? "Flat" : factory.strip();
    if (spec.equals("Flat")) {
      return new IndexSpec("Flat", Family.FLAT, 0, 0);
    }
    Matcher hnsw = HNSW.matcher(spec);
    if (hnsw.matches()) {
      int m = Integer.parseInt(hnsw.group(1));
      if (m < 4 || m > 128) {
        throw DomainException.invalid("index_spec \"" + spec + "\": HNSW M=" + m + " out of range; " + ALLOWED);
      }
      return new IndexSpec(spec, Family.HNSW, m, 0);
    }
    Matcher ivf = IVF.matcher(spec);
    if (ivf.matches()) {
      int nlist = Integer.parseInt(ivf.group(1));
      if (nlist < 1 || nlist > 65536) {
        throw DomainException.invalid("index_spec \"" + spec + "\": nlist=" + nlist + " out of range; " + ALLOWED);
      }
      return new IndexSpec(spec, Family.IVF, 0, nlist);
    }
    throw DomainException.invalid("index_spec \"" + spec + "\" is not supported; " + ALLOWED);
  }

  /** Vectors an IVF index waits for before it trains (and until then searches exactly). */
  public int trainingThreshold() {
    return family == Family.IVF ? nlist * IVF_TRAINING_POINTS_PER_LIST : 0;
  }

  @Override
  public String toString() {
    return factory;
  }
}
