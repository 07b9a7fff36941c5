package io.isledb.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.IsleDB;
import io.isledb.ObjectStore;
import io.isledb.testing.S3ProxyServer;
import io.isledb.testing.S3ServerExtension;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** An s3a:// URI with embedded credentials: they never show in location(), errors or logs. */
class S3aCredentialsInUriITCase {
  @RegisterExtension static final S3ServerExtension S3 = new S3ServerExtension();

  @Test
  void credentialsInTheUriAreNeverShown() {
    Map<String, String> conf = S3.hadoopConf();
    String secret = conf.get("fs.s3a.secret.key");
    String uri =
        "s3a://" + conf.get("fs.s3a.access.key") + ":" + secret + "@" + S3ProxyServer.BUCKET;
    String prefix = S3.newPrefix("creds-in-uri");
    Throwable failure = null;
    try (ObjectStore store = IsleDB.openStore(uri, prefix, conf)) {
      assertThat(store.location()).isEqualTo("s3a://" + S3ProxyServer.BUCKET + "/" + prefix + "/");
      store.put("x", new byte[] {1});
      assertThat(store.get("x")).isPresent();
    } catch (RuntimeException e) {
      failure = e;
    }
    for (Throwable c = failure; c != null; c = c.getCause()) {
      assertThat(c.toString()).doesNotContain(secret);
    }
    assertThat(failure).as("%s", failure).isNull();
  }
}
