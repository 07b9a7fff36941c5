package io.isledb.storage;

/**
 * Test access to the process-wide record of servers that passed the S3A create-if-absent probe
 * ({@code S3aWrites}): tests that count a first writing role's requests, probe included, forget it
 * first, since every test class of a JVM shares one S3 server.
 */
public final class AtomicityProbes {
  private AtomicityProbes() {}

  /** Forgets every server's probe: the next writing role on any S3A store probes again. */
  public static void forget() {
    S3aWrites.forgetVerifiedServers();
  }
}
