package dev.distillmesh.trainer.run;

import dev.distillmesh.common.Durable;
import dev.distillmesh.trainer.run.model.RunStatus;
import dev.distillmesh.trainer.run.model.RunStatusCodec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * Everything a run needs to resume exactly: its step and data position, the adapter, Adam's state,
 * a publish that was started but not confirmed, and the run's record ({@link RunStatus}: evaluations,
 * publishes, state). Written atomically (temporary file, fsync, rename) with a CRC, so a crash
 * leaves the previous checkpoint or the new one, never a torn file.
 *
 * @param position LABELLED: questions consumed in the current epoch ordering; TRAFFIC: questions taken
 * @param pendingVersion a publish recorded before it was sent, 0 when none is pending
 * @param response the response adapter's state, or null when the run trains only the context adapter
 */
record Checkpoint(long step, long position, long adamSteps, int dim, double[] adapter, double[] m, double[] v,
    long pendingVersion, long pendingStep, RunStatus info, Response response) {

  /** The response adapter and its Adam state, for a run that trains it. */
  record Response(long adamSteps, double[] adapter, double[] m, double[] v, long pendingVersion) {}

  static final String FILE = "checkpoint.bin";
  private static final int MAGIC = 0x444d434b; // "DMCK"
  private static final int FORMAT = 2; // 2 added the response adapter; 1 is still read

  /** @param codec how the record inside is written */
  void write(Path dir, RunStatusCodec codec) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(adapter.length * 24 + 4096);
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(MAGIC);
    out.writeInt(FORMAT);
    out.writeLong(step);
    out.writeLong(position);
    out.writeLong(adamSteps);
    out.writeInt(dim);
    for (double[] array : new double[][] {adapter, m, v}) {
      for (double d : array) {
        out.writeDouble(d);
      }
    }
    out.writeLong(pendingVersion);
    out.writeLong(pendingStep);
    byte[] infoBytes = codec.encode(info);
    out.writeInt(infoBytes.length);
    out.write(infoBytes);
    out.writeBoolean(response != null);
    if (response != null) {
      out.writeLong(response.adamSteps());
      out.writeLong(response.pendingVersion());
      for (double[] array : new double[][] {response.adapter(), response.m(), response.v()}) {
        for (double d : array) {
          out.writeDouble(d);
        }
      }
    }
    CRC32C crc = new CRC32C();
    crc.update(bytes.toByteArray());
    out.writeLong(crc.getValue());
    out.flush();
    Durable.writeAtomically(dir.resolve(FILE), bytes.toByteArray());
  }

  /** The checkpoint in {@code dir}, or null when the run has none yet. */
  static Checkpoint read(Path dir, RunStatusCodec codec) throws IOException {
    Path file = dir.resolve(FILE);
    if (!Files.exists(file)) {
      return null;
    }
    byte[] all = Files.readAllBytes(file);
    if (all.length < 8) {
      throw new IOException(file + " is truncated");
    }
    CRC32C crc = new CRC32C();
    crc.update(all, 0, all.length - 8);
    long stored = java.nio.ByteBuffer.wrap(all, all.length - 8, 8).getLong();
    if (crc.getValue() != stored) {
      throw new IOException(file + " is damaged (CRC mismatch)");
    }
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(all, 0, all.length - 8));
    int format = in.readInt() == MAGIC ? in.readInt() : -1;
    if (format != 1 && format != FORMAT) {
      throw new IOException(file + " is not a trainer checkpoint of format 1 or " + FORMAT);
    }
    long step = in.readLong();
    long position = in.readLong();
    long adamSteps = in.readLong();
    int dim = in.readInt();
    double[][] arrays = new double[3][dim * dim];
    for (double[] array : arrays) {
      for (int i = 0; i < array.length; i++) {
        array[i] = in.readDouble();
      }
    }
    long pendingVersion = in.readLong();
    long pendingStep = in.readLong();
    byte[] infoBytes = new byte[in.readInt()];
    in.readFully(infoBytes);
    Response response = null;
    if (format >= 2 && in.readBoolean()) {
      long responseSteps = in.readLong();
      long responsePending = in.readLong();
      double[][] r = new double[3][dim * dim];
      for (double[] array : r) {
        for (int i = 0; i < array.length; i++) {
          array[i] = in.readDouble();
        }
      }
      response = new Response(responseSteps, r[0], r[1], r[2], responsePending);
    }
    return new Checkpoint(step, position, adamSteps, dim, arrays[0], arrays[1], arrays[2], pendingVersion, pendingStep,
        codec.decode(infoBytes), response);
  }
}
