package dev.distillmesh.index.faiss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The native loader: version, variant choice, overrides and load errors. Overrides are read once
 * per JVM, so they are tested in child JVMs running {@link Probe}.
 */
class FaissNativeTest {
  private static final String AVX2_RESOURCE =
      "/native/linux/x86_64/libdistillmesh_faiss_jni-" + FaissNative.ABI_VERSION + "-avx2.so";

  @Test
  void buildInfoReportsFaiss173AndTheSimdLevelOfTheLoadedVariant() {
    String info = FaissNative.buildInfo();
    assertTrue(info.startsWith("faiss 1.7.3 simd="), info);
    String variant = FaissNative.loadedFrom().endsWith("(variant avx2)") ? "avx2" : "generic";
    assertEquals("faiss 1.7.3 simd=" + variant, info, "loaded from " + FaissNative.loadedFrom());
  }

  @Test
  void avx2VariantIsChosenWhenTheCpuHasAvx2AndItWasBuilt() {
    assumeTrue(FaissNative.cpuHasAvx2(), "CPU lacks avx2/fma/f16c");
    assumeTrue(FaissNative.class.getResource(AVX2_RESOURCE) != null,
        "avx2 variant not built (run scripts/build-faiss-avx2.sh)");
    assumeTrue(System.getProperty(FaissNative.VARIANT_PROPERTY) == null
            && System.getProperty(FaissNative.LIBRARY_PROPERTY) == null,
        "a loader override is set for this JVM");
    assertEquals(AVX2_RESOURCE + " (variant avx2)", FaissNative.loadedFrom());
    assertEquals("faiss 1.7.3 simd=avx2", FaissNative.buildInfo());
  }

  @Test
  void forcingTheGenericVariantLoadsIt() throws Exception {
    List<String> out = runProbe("-D" + FaissNative.VARIANT_PROPERTY + "=generic");
    assertTrue(out.contains("exit=0"), out.toString());
    assertTrue(out.contains("info=faiss 1.7.3 simd=generic"), out.toString());
    assertTrue(out.contains("from=/native/linux/x86_64/libdistillmesh_faiss_jni-"
        + FaissNative.ABI_VERSION + "-generic.so (variant generic)"), out.toString());
  }

  @Test
  void forcingTheAvx2VariantLoadsIt() throws Exception {
    assumeTrue(FaissNative.cpuHasAvx2(), "CPU lacks avx2/fma/f16c");
    assumeTrue(FaissNative.class.getResource(AVX2_RESOURCE) != null, "avx2 variant not built");
    List<String> out = runProbe("-D" + FaissNative.VARIANT_PROPERTY + "=AVX2");
    assertTrue(out.contains("exit=0"), out.toString());
    assertTrue(out.contains("info=faiss 1.7.3 simd=avx2"), out.toString());
  }

  @Test
  void anUnknownVariantFailsWithAnErrorThatNamesTheChoices() throws Exception {
    List<String> out = runProbe("-D" + FaissNative.VARIANT_PROPERTY + "=sse9");
    assertTrue(out.contains("exit=3"), out.toString());
    assertTrue(out.stream().anyMatch(line -> line.startsWith("error=")
        && line.contains("sse9") && line.contains("auto, avx2, generic")), out.toString());
  }

  @Test
  void aMissingExplicitLibraryFailsWithAnErrorThatNamesIt(@TempDir Path dir) throws Exception {
    Path missing = dir.resolve("libnothing.so");
    List<String> out = runProbe("-D" + FaissNative.LIBRARY_PROPERTY + "=" + missing);
    assertTrue(out.contains("exit=3"), out.toString());
    assertTrue(out.stream().anyMatch(line -> line.startsWith("error=")
        && line.contains(FaissNative.LIBRARY_PROPERTY + "=" + missing)), out.toString());
  }

  /** Runs {@link Probe} in a child JVM with the test class path; returns its stdout lines. */
  private static List<String> runProbe(String property) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), property,
        "-cp", System.getProperty("java.class.path"), Probe.class.getName()));
    Process process = new ProcessBuilder(command)
        .redirectError(ProcessBuilder.Redirect.DISCARD)
        .start();
    String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int exit = process.waitFor();
    List<String> lines = new ArrayList<>(stdout.lines().toList());
    lines.add("exit=" + exit);
    return lines;
  }

  /** Loads FAISS and prints what it loaded, or the load error on one line. */
  static final class Probe {
    public static void main(String[] args) {
      try {
        System.out.println("info=" + FaissNative.buildInfo());
        System.out.println("from=" + FaissNative.loadedFrom());
      } catch (UnsatisfiedLinkError e) {
        System.out.println("error=" + e.getMessage().replace('\n', ' '));
        System.exit(3);
      }
    }
  }
}
