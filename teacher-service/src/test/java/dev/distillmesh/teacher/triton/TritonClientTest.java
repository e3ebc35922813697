package dev.distillmesh.teacher.triton;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.common.DomainException;
import dev.distillmesh.common.DomainException.Kind;
import dev.distillmesh.common.RemoteErrors;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How a failed call to Triton becomes a domain failure: {@link RemoteErrors}' kinds, but NOT_FOUND
 * (the model is not served) is FAILED_PRECONDITION, and every message names Triton and the model.
 * The calls that produce these statuses over a socket are in {@link TritonTeacherTest}.
 */
class TritonClientTest {
  private final ManagedChannel channel =
      InProcessChannelBuilder.forName(InProcessServerBuilder.generateName()).build(); // never called
  private final TritonClient client = new TritonClient(channel, "triton.test:8001", Duration.ofSeconds(30));

  @AfterEach
  void close() {
    channel.shutdownNow();
  }

  private DomainException translate(Status status) {
    return client.translate(new CompletionException(status.asRuntimeException()), "scorer");
  }

  @Test
  void everyCodeTakesTheCommonKindButNotFound() {
    for (Status.Code code : Status.Code.values()) {
      if (code == Status.Code.OK) {
        continue;
      }
      DomainException e = translate(Status.fromCode(code).withDescription("said Triton"));
      Kind expected = code == Status.Code.NOT_FOUND ? Kind.FAILED_PRECONDITION : RemoteErrors.kindOf(code);
      assertEquals(expected, e.kind(), code.name());
      assertTrue(e.getMessage().startsWith("Triton at triton.test:8001, model 'scorer'"), e.getMessage());
      assertTrue(e.getMessage().contains("said Triton"), e.getMessage());
    }
  }

  @Test
  void tritonsOwnWordingWhereItAddsMeaning() {
    assertTrue(translate(Status.NOT_FOUND.withDescription("unknown model")).getMessage()
        .contains("is not served there (NOT_FOUND: unknown model); deploy it in Triton's model repository"));
    assertTrue(translate(Status.INVALID_ARGUMENT.withDescription("bad")).getMessage()
        .contains("rejected the request: bad"));
    assertTrue(translate(Status.RESOURCE_EXHAUSTED).getMessage()
        .contains("is out of capacity or the message is too large: (no message)"));
    assertTrue(translate(Status.UNAUTHENTICATED.withDescription("no certificate")).getMessage()
        .contains("refused this service's credential"));
  }

  @Test
  void serverLevelCallsNameTritonOnlyAndDomainFailuresPassThrough() {
    DomainException server = client.translate(Status.UNAVAILABLE.withDescription("down").asRuntimeException(), null);
    assertEquals("Triton at triton.test:8001, is unavailable: down", server.getMessage());

    DomainException mine = DomainException.invalid("already mapped");
    assertSame(mine, client.translate(new CompletionException(mine), "scorer"));

    DomainException other = client.translate(new IllegalStateException("bug"), "scorer");
    assertEquals(Kind.INTERNAL, other.kind());
    assertTrue(other.getMessage().contains("Triton at triton.test:8001, model 'scorer'"), other.getMessage());
  }
}
