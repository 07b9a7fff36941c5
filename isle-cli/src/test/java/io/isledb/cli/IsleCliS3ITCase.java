package io.isledb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.IsleDB;
import io.isledb.ObjectStore;
import io.isledb.testing.S3ServerExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code isle} on s3a:// against a real S3 server (s3proxy), settings through --hadoop. */
class IsleCliS3ITCase extends IsleCliScenario {
  @RegisterExtension static final S3ServerExtension S3 = new S3ServerExtension();

  private String prefix;

  @Override
  ObjectStore newStore() {
    prefix = S3.newPrefix("cli");
    return IsleDB.openStore(S3.uri(), prefix, S3.hadoopConf());
  }

  @Override
  List<String> location(ObjectStore store) {
    return hadoopArgs(S3.uri(), prefix, S3.hadoopConf());
  }

  private static List<String> hadoopArgs(String uri, String prefix, Map<String, String> conf) {
    List<String> args = new ArrayList<>(List.of("--uri", uri, "--prefix", prefix));
    conf.forEach((k, v) -> args.addAll(List.of("--hadoop", k + "=" + v)));
    return args;
  }

  @Test
  void theSecretKeyIsNeverPrintedEvenWhenItIsWrong() {
    String secret = S3.hadoopConf().get("fs.s3a.secret.key");
    Run ok = isle("ls", List.of());
    assertThat(ok.code()).isZero();
    assertThat(ok.out() + ok.err()).doesNotContain(secret);

    Map<String, String> wrong = S3.hadoopConf();
    wrong.put("fs.s3a.secret.key", "Wr0ng-S3cret-5e1f");
    wrong.put("fs.s3a.attempts.maximum", "1");
    wrong.put("fs.s3a.retry.limit", "1");
    List<String> args = new ArrayList<>(List.of("ls"));
    args.addAll(hadoopArgs(S3.uri(), prefix, wrong));
    Run denied = isle(args.toArray(String[]::new));
    assertThat(denied.code()).isEqualTo(IsleCli.FAILED);
    assertThat(denied.out() + denied.err())
        .doesNotContain("Wr0ng-S3cret-5e1f")
        .contains("isle ls:");
  }
}
