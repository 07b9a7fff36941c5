package io.isledb.cli;

import io.isledb.IsleException;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code isle}: inspects an IsleDB database on any supported storage (docs/isle-cli.md). Every
 * subcommand only reads; none opens a writer or fences a role.
 *
 * <p>Exit status: {@value #OK} success, {@value #CORRUPT} corruption found ({@code verify}, or met
 * by any subcommand), {@value #USAGE} usage error (unknown option, bad argument, a path or prefix
 * that holds no database), {@value #FAILED} any other failure (storage unreachable, ...), {@value
 * #NOT_FOUND} the key, table or version asked for does not exist.
 */
@Command(
    name = "isle",
    mixinStandardHelpOptions = true,
    version = "isle 0.1.0 (IsleDB inspection tool)",
    description = "Inspects an IsleDB database: read-only, on file://, s3a:// and abfs://.",
    subcommands = {
      LsCommand.class,
      ManifestCommand.class,
      SstDumpCommand.class,
      GetCommand.class,
      ScanCommand.class,
      TailCommand.class,
      VerifyCommand.class,
      GcCommand.class,
      CommandLine.HelpCommand.class
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "0:success",
      "1:corruption found (verify), or met while reading",
      "2:usage error, or no database at the URI and prefix",
      "3:another failure (for example storage unreachable)",
      "4:the key, table or version does not exist"
    })
public final class IsleCli implements Runnable {
  static final int OK = 0;
  static final int CORRUPT = 1;
  static final int USAGE = 2;
  static final int FAILED = 3;
  static final int NOT_FOUND = 4;

  @Spec CommandSpec spec;

  /** Runs the tool and exits with its status. */
  public static void main(String[] args) {
    Redacting redacting = new Redacting(args);
    // Library loggers write to System.err: redact there too.
    System.setErr(redacting.stream(new FileOutputStream(FileDescriptor.err)));
    int code =
        run(
            args,
            new OutputStreamWriter(System.out, StandardCharsets.UTF_8),
            new OutputStreamWriter(System.err, StandardCharsets.UTF_8));
    System.exit(code);
  }

  /**
   * Runs the tool with {@code args}, writing to {@code out} and {@code err}; returns its status.
   */
  public static int run(String[] args, Writer out, Writer err) {
    Redacting redacting = new Redacting(args);
    PrintWriter o = redacting.writer(out);
    PrintWriter e = redacting.writer(err);
    CommandLine cl =
        new CommandLine(new IsleCli())
            .setOut(o)
            .setErr(e)
            .setExecutionExceptionHandler(
                (ex, cmd, parsed) -> {
                  cmd.getErr().println("isle " + cmd.getCommandName() + ": " + describe(ex));
                  return exitCode(ex);
                });
    int code;
    try {
      code = cl.execute(args);
    } catch (Error ex) {
      // picocli hands Exceptions to the handler above; an Error (a class missing from a trimmed
      // classpath, out of memory) still gets one line and a status of its own, not a stack trace.
      e.println("isle: " + ex.getClass().getSimpleName() + ": " + ex.getMessage());
      code = FAILED;
    }
    o.flush();
    e.flush();
    return code;
  }

  static String describe(Exception ex) {
    if (ex instanceof IsleException ie) {
      return ie.kind() + ": " + ie.getMessage();
    }
    return ex.getClass().getSimpleName() + ": " + ex.getMessage();
  }

  static int exitCode(Exception ex) {
    if (ex instanceof NotFound) {
      return NOT_FOUND;
    }
    if (ex instanceof IsleException ie) {
      return switch (ie.kind()) {
        case CORRUPTION -> CORRUPT;
        case INVALID_ARGUMENT -> USAGE;
        default -> FAILED;
      };
    }
    return FAILED;
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand");
  }

  /** The key, table or version asked for does not exist (exit status {@value #NOT_FOUND}). */
  static final class NotFound extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NotFound(String message) {
      super(message);
    }
  }
}
