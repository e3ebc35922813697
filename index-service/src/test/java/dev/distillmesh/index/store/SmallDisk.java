package dev.distillmesh.index.store;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

/**
 * A small tmpfs mounted on a test's directory, so that a disk really fills up ({@code mount -t
 * tmpfs} needs root; a test without it is skipped with the reason). A filler file takes the free
 * space and gives it back on request.
 */
public final class SmallDisk implements AutoCloseable {
  private final Path mountPoint;
  private final Path filler;

  private SmallDisk(Path mountPoint) {
    this.mountPoint = mountPoint;
    this.filler = mountPoint.resolve("filler");
  }

  /** Mounts a tmpfs of {@code megabytes} on {@code dir} (created), or skips the test. */
  public static SmallDisk mount(Path dir, int megabytes) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + megabytes + "m", "tmpfs", dir.toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    boolean done = p.waitFor(30, TimeUnit.SECONDS);
    assumeTrue(done && p.exitValue() == 0, "cannot mount a " + megabytes + " MiB tmpfs on " + dir
        + " (needs root): " + out.strip());
    return new SmallDisk(dir);
  }

  public Path root() {
    return mountPoint;
  }

  /** Grows the filler until the disk is full; returns the bytes it took. */
  public long fill() throws IOException {
    long added = 0;
    ByteBuffer chunk = ByteBuffer.allocate(4096);
    try (FileChannel ch = FileChannel.open(filler, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.APPEND)) {
      while (true) {
        chunk.clear();
        int n = ch.write(chunk);
        if (n <= 0) {
          break;
        }
        added += n;
      }
    } catch (IOException full) {
      // no space left: the disk is full
    }
    return added;
  }

  /** Gives back {@code bytes} of the filler's space (all of it when the filler is smaller). */
  public void free(long bytes) throws IOException {
    if (!Files.exists(filler)) {
      return;
    }
    try (FileChannel ch = FileChannel.open(filler, StandardOpenOption.WRITE)) {
      ch.truncate(Math.max(0, ch.size() - bytes));
    }
  }

  /** Removes the filler. */
  public void freeAll() throws IOException {
    Files.deleteIfExists(filler);
  }

  @Override
  public void close() throws IOException, InterruptedException {
    new ProcessBuilder("umount", "-l", mountPoint.toString()).inheritIO().start().waitFor(30, TimeUnit.SECONDS);
  }
}
