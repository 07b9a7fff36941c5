package io.isledb.storage;

/**
 * Runs calls into Hadoop with isle-core's own class loader as the thread's context class loader.
 *
 * <p>Hadoop and the AWS SDK look classes and services up through the calling thread's context class
 * loader (the SDK's XML parser factory, once per thread), and the threads of a FileSystem's pools,
 * started lazily by whichever thread first submits work to them, keep that thread's context class
 * loader for life. A FileSystem shared by several Flink jobs (one task manager's {@link
 * io.isledb.IsleResources}) would otherwise hold the user-code class loader of the job that first
 * used it, which Flink closes when that job ends: later jobs then fail with "Trying to access
 * closed classloader". Every entry into Hadoop from this package is inside {@link #enter()}.
 */
final class HadoopLoader {
  static final ClassLoader LOADER = HadoopLoader.class.getClassLoader();

  private HadoopLoader() {}

  /** Sets isle-core's class loader on this thread until the scope is closed. */
  static Scope enter() {
    Thread t = Thread.currentThread();
    ClassLoader previous = t.getContextClassLoader();
    if (previous != LOADER) {
      t.setContextClassLoader(LOADER);
    }
    return new Scope(previous);
  }

  /** Gives the thread its previous context class loader back. */
  static final class Scope implements AutoCloseable {
    private final ClassLoader previous;

    private Scope(ClassLoader previous) {
      this.previous = previous;
    }

    @Override
    public void close() {
      Thread t = Thread.currentThread();
      if (t.getContextClassLoader() != previous) {
        t.setContextClassLoader(previous);
      }
    }
  }
}
