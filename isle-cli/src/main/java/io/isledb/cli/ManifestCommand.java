package io.isledb.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isledb.IsleException;
import io.isledb.ObjectStore;
import io.isledb.inspect.Inspector;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code isle manifest}: one version as readable JSON. */
@Command(
    name = "manifest",
    mixinStandardHelpOptions = true,
    description =
        "One version (default: the newest) as indented JSON: the manifest's snapshot form"
            + " (docs/FORMAT.md), keys decoded.")
final class ManifestCommand extends StoreCommand {
  private static final Set<String> KEY_FIELDS = Set.of("smallest", "largest", "clipFrom", "clipTo");
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  @Parameters(index = "0", arity = "0..1", paramLabel = "<version>", description = "The version.")
  Long version;

  @Option(
      names = "--keys",
      description =
          "How table keys are written: printable, hex or base64 (as stored); default printable.")
  String keys = "printable";

  @Override
  int run(ObjectStore store, Inspector in) throws Exception {
    if (version != null && version > in.head()) {
      throw new IsleCli.NotFound(
          "version " + version + " does not exist (head is " + in.head() + ")");
    }
    String json = in.versionJson(version == null ? -1 : version);
    if (keys.equals("base64")) {
      out().println(json);
      return IsleCli.OK;
    }
    Bytes format;
    try {
      format = Bytes.valueOf(keys);
    } catch (IllegalArgumentException e) {
      throw IsleException.invalidArgument("--keys must be printable, hex or base64, got " + keys);
    }
    JsonNode root = JSON.readTree(json);
    decodeKeys(root, format);
    out().println(JSON.writeValueAsString(root));
    return IsleCli.OK;
  }

  private static void decodeKeys(JsonNode node, Bytes format) {
    if (node instanceof ObjectNode o) {
      for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (KEY_FIELDS.contains(e.getKey()) && e.getValue().isTextual()) {
          e.setValue(o.textNode(format.show(Base64.getDecoder().decode(e.getValue().asText()))));
        } else {
          decodeKeys(e.getValue(), format);
        }
      }
    } else if (node.isArray()) {
      node.forEach(n -> decodeKeys(n, format));
    }
  }
}
