package dev.distillmesh.index.faiss;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the FAISS JNI library exactly once.
 *
 * <p>Two variants are built (see {@code src/main/native/build.sh}): {@code avx2}, linked against a
 * FAISS built with AVX2/FMA/F16C, and {@code generic}, linked against Debian's baseline build. The
 * loader takes {@code avx2} only when the CPU reports avx2, fma and f16c and the variant was built;
 * otherwise {@code generic}. Overrides, read once:
 *
 * <ul>
 *   <li>{@code -Ddistillmesh.faiss.library=/path/lib.so} loads exactly that file;
 *   <li>{@code -Ddistillmesh.faiss.variant=generic|avx2} forces a variant (default {@code auto}).
 * </ul>
 *
 * <p>A failure is never swallowed: the {@link UnsatisfiedLinkError} lists every attempt and why it
 * failed.
 */
public final class FaissNative {
  /** Version of the native method signatures; part of the library file name. */
  static final int ABI_VERSION = 1;

  public static final String LIBRARY_PROPERTY = "distillmesh.faiss.library";
  public static final String VARIANT_PROPERTY = "distillmesh.faiss.variant";

  private static final Logger log = LoggerFactory.getLogger(FaissNative.class);
  private static final String RESOURCE_DIR = "/native/linux/x86_64/";

  private static volatile String loadedFrom;
  private static volatile String buildInfo;

  private FaissNative() {}

  /** Loads the library if not loaded yet. Thread-safe; later calls return at once. */
  public static void load() {
    if (loadedFrom != null) {
      return;
    }
    synchronized (FaissNative.class) {
      if (loadedFrom != null) {
        return;
      }
      String source = loadLibrary();
      // OpenBLAS otherwise starts one thread per core for every batch of >= 20 queries on top of
      // the caller's threads; callers parallelise over queries themselves.
      nSetBlasThreads(1);
      buildInfo = nBuildInfo();
      loadedFrom = source;
      log.info("FAISS JNI loaded from {} ({})", source, buildInfo);
    }
  }

  /** Where the library was loaded from; loads it first if needed. */
  public static String loadedFrom() {
    load();
    return loadedFrom;
  }

  /** FAISS version and SIMD level of the loaded library, e.g. {@code "faiss 1.7.3 simd=avx2"}. */
  public static String buildInfo() {
    load();
    return buildInfo;
  }

  /** True when the CPU has the instructions the avx2 variant was compiled for. */
  public static boolean cpuHasAvx2() {
    try {
      String cpuinfo = Files.readString(Path.of("/proc/cpuinfo"));
      for (String line : cpuinfo.split("\n")) {
        if (line.startsWith("flags")) {
          List<String> flags = List.of(line.substring(line.indexOf(':') + 1).trim().split("\\s+"));
          return flags.contains("avx2") && flags.contains("fma") && flags.contains("f16c");
        }
      }
      return false;
    } catch (IOException e) {
      return false;
    }
  }

  private static String loadLibrary() {
    List<String> attempts = new ArrayList<>();
    String explicit = System.getProperty(LIBRARY_PROPERTY);
    if (explicit != null && !explicit.isBlank()) {
      try {
        System.load(Path.of(explicit).toAbsolutePath().toString());
        return explicit;
      } catch (UnsatisfiedLinkError e) {
        throw new UnsatisfiedLinkError(
            "FAISS JNI: -D" + LIBRARY_PROPERTY + "=" + explicit + " failed: " + e.getMessage());
      }
    }
    String variant = System.getProperty(VARIANT_PROPERTY, "auto").toLowerCase(Locale.ROOT);
    List<String> candidates = new ArrayList<>();
    switch (variant) {
      case "avx2" -> candidates.add("avx2");
      case "generic" -> candidates.add("generic");
      case "auto" -> {
        if (cpuHasAvx2()) {
          candidates.add("avx2");
        } else {
          attempts.add("avx2: skipped, CPU lacks avx2/fma/f16c");
        }
        candidates.add("generic");
      }
      default -> throw new UnsatisfiedLinkError(
          "FAISS JNI: -D" + VARIANT_PROPERTY + "=" + variant + " is not one of auto, avx2, generic");
    }
    String os = System.getProperty("os.name") + "/" + System.getProperty("os.arch");
    if (!os.toLowerCase(Locale.ROOT).startsWith("linux/amd64")) {
      attempts.add("platform " + os + ": only linux/amd64 is built");
    }
    for (String name : candidates) {
      String resource = RESOURCE_DIR + "libdistillmesh_faiss_jni-" + ABI_VERSION + "-" + name + ".so";
      try (InputStream in = FaissNative.class.getResourceAsStream(resource)) {
        if (in == null) {
          attempts.add(name + ": resource " + resource + " not on the classpath");
          continue;
        }
        Path file = Files.createTempFile("distillmesh_faiss_jni-" + name + "-", ".so");
        file.toFile().deleteOnExit();
        Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
        System.load(file.toString());
        return resource + " (variant " + name + ")";
      } catch (IOException | UnsatisfiedLinkError e) {
        attempts.add(name + ": " + resource + " failed: " + e.getMessage());
      }
    }
    throw new UnsatisfiedLinkError(
        "FAISS JNI could not be loaded. Tried: " + String.join("; ", attempts)
            + ". Build it with `mvn -pl index-service -am package` after scripts/setup.sh, or"
            + " point -D" + LIBRARY_PROPERTY + " at a built library.");
  }

  private static native String nBuildInfo();

  private static native void nSetBlasThreads(int threads);
}
