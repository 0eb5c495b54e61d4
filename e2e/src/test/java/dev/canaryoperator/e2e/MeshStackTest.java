package dev.canaryoperator.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * One API server and one Prometheus for a test class; each test builds its own {@link Mesh} (a
 * namespace, its traffic and its operator process) and may record its release's statuses. Both are
 * closed after the test, and a failed test prints the end of its operator's log.
 */
abstract class MeshStackTest {
  static MeshStack stack;
  Mesh mesh;
  StatusLog status;

  @RegisterExtension
  final TestWatcher operatorLogOnFailure =
      new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
          if (mesh != null) {
            System.err.println(
                "operator log "
                    + mesh.operator().log()
                    + " (last lines):"
                    + mesh.operator().logTail());
          }
        }
      };

  @BeforeAll
  static void startStack() throws Exception {
    stack = MeshStack.start();
  }

  @AfterAll
  static void stopStack() {
    if (stack != null) {
      stack.close();
    }
  }

  @AfterEach
  void closeMesh() {
    if (status != null) {
      status.close();
    }
    if (mesh != null) {
      mesh.close();
    }
  }
}
