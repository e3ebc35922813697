package dev.distillmesh.bench.scale;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.bench.systems.MemoryProbe;
import java.util.List;
import org.junit.jupiter.api.Test;

class RssSamplerTest {
  @Test
  void parsesRssAndHighWaterMarkInBytes() {
    long[] v = MemoryProbe.parseStatus(List.of("Name:\tjava", "VmPeak:\t 9999 kB", "VmHWM:\t   2048 kB", "VmRSS:\t   1024 kB"));
    assertArrayEquals(new long[] {1024L * 1024, 2048L * 1024}, v);
    assertArrayEquals(new long[] {-1, -1}, MemoryProbe.parseStatus(List.of("Name:\tjava")));
    assertThrows(IllegalArgumentException.class, () -> MemoryProbe.parseStatus(List.of("VmRSS:\t 12 MB")));
  }

  @Test
  void samplesALiveProcessAndTheKernelsPeakCoversEverySample() throws InterruptedException {
    RssSampler s = RssSampler.start(ProcessHandle.current().pid(), 5);
    byte[] touched = new byte[32 << 20];
    for (int i = 0; i < touched.length; i += 4096) {
      touched[i] = 1;
    }
    Thread.sleep(50);
    RssSampler.Peak p = s.stop();
    assertTrue(p.samples() >= 2, "samples " + p.samples());
    assertTrue(p.peakRssBytes() > 32L << 20, "peak RSS " + p.peakRssBytes());
    assertTrue(p.hwmBytes() >= p.peakRssBytes(), p.hwmBytes() + " < " + p.peakRssBytes());
    assertEquals(1, touched[4096]);
  }

  @Test
  void aProcessThatIsGoneReadsAsUnknown() {
    assertArrayEquals(new long[] {-1, -1}, MemoryProbe.rssAndPeakBytes(Long.MAX_VALUE));
  }
}
