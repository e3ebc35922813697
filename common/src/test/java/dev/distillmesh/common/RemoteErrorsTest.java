package dev.distillmesh.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.common.DomainException.Kind;
import io.grpc.Status;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RemoteErrorsTest {
  private static final Map<Status.Code, Kind> RULE = Map.ofEntries(
      Map.entry(Status.Code.OK, Kind.INTERNAL),
      Map.entry(Status.Code.CANCELLED, Kind.CANCELLED),
      Map.entry(Status.Code.UNKNOWN, Kind.INTERNAL),
      Map.entry(Status.Code.INVALID_ARGUMENT, Kind.INVALID_ARGUMENT),
      Map.entry(Status.Code.DEADLINE_EXCEEDED, Kind.DEADLINE_EXCEEDED),
      Map.entry(Status.Code.NOT_FOUND, Kind.NOT_FOUND),
      Map.entry(Status.Code.ALREADY_EXISTS, Kind.ALREADY_EXISTS),
      Map.entry(Status.Code.PERMISSION_DENIED, Kind.FAILED_PRECONDITION),
      Map.entry(Status.Code.RESOURCE_EXHAUSTED, Kind.RESOURCE_EXHAUSTED),
      Map.entry(Status.Code.FAILED_PRECONDITION, Kind.FAILED_PRECONDITION),
      Map.entry(Status.Code.ABORTED, Kind.ABORTED),
      Map.entry(Status.Code.OUT_OF_RANGE, Kind.OUT_OF_RANGE),
      Map.entry(Status.Code.UNIMPLEMENTED, Kind.FAILED_PRECONDITION),
      Map.entry(Status.Code.INTERNAL, Kind.INTERNAL),
      Map.entry(Status.Code.UNAVAILABLE, Kind.UNAVAILABLE),
      Map.entry(Status.Code.DATA_LOSS, Kind.INTERNAL),
      Map.entry(Status.Code.UNAUTHENTICATED, Kind.FAILED_PRECONDITION));

  @ParameterizedTest
  @EnumSource(Status.Code.class)
  void everyRemoteCodeMapsByTheDocumentedRule(Status.Code code) {
    DomainException e = RemoteErrors.toDomain("index-service (127.0.0.1:7401)",
        Status.fromCode(code).withDescription("why").asRuntimeException());
    assertEquals(RULE.get(code), e.kind(), code.toString());
    assertEquals(RULE.get(code), RemoteErrors.kindOf(code));
    assertTrue(e.getMessage().startsWith("index-service (127.0.0.1:7401)"), e.getMessage());
    assertTrue(e.getMessage().contains("why"), e.getMessage());
    assertTrue(e.getMessage().contains(code.toString()), e.getMessage());
  }

  @Test
  void aRefusedCredentialSaysWhatToCheck() {
    DomainException e = RemoteErrors.toDomain("teacher-service (t:1)",
        Status.UNAUTHENTICATED.withDescription("missing bearer token").asException());
    assertEquals(Kind.FAILED_PRECONDITION, e.kind());
    assertTrue(e.getMessage().contains("admin token or client certificate"), e.getMessage());
  }

  @Test
  void wrappedStatusesAreUnwrapped() {
    var status = Status.NOT_FOUND.withDescription("no such collection").asRuntimeException();
    assertEquals(Status.Code.NOT_FOUND, RemoteErrors.codeOf(new CompletionException(status)));
    assertEquals(Status.Code.NOT_FOUND, RemoteErrors.codeOf(new ExecutionException(status)));
    assertEquals(Kind.NOT_FOUND, RemoteErrors.toDomain("p", new CompletionException(status)).kind());
  }

  @Test
  void domainFailuresPassThroughAndOthersAreInternal() {
    DomainException original = DomainException.invalid("bad");
    assertSame(original, RemoteErrors.toDomain("p", new CompletionException(original)));
    assertNull(RemoteErrors.codeOf(original));
    DomainException io = RemoteErrors.toDomain("p", new IOException("disk"));
    assertEquals(Kind.INTERNAL, io.kind());
    assertTrue(io.getMessage().contains("IOException: disk"), io.getMessage());
  }
}
