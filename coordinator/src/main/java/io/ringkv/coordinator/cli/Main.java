package io.ringkv.coordinator.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ringkv} command. */
@Command(name = "ringkv", mixinStandardHelpOptions = true, version = "ringkv 0.1.0",
        description = "A Dynamo-style distributed key-value store.",
        subcommands = {DevCommand.class, NodeCommand.class, PutCommand.class, GetCommand.class, DeleteCommand.class,
            LocateCommand.class, RingCommand.class, StatusCommand.class, HintsCommand.class, InitCommand.class,
            RepairCommand.class, RepairsCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    /** Held so the level set on it is not lost when java.util.logging drops an unreferenced logger. */
    private static final java.util.logging.Logger CLIENT_LOG = java.util.logging.Logger.getLogger("io.ringkv.client");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code (for tests). */
    public static int run(String... args) {
        // The client library reports background ring fetches through java.util.logging; a CLI
        // run prints its own one-line errors instead.
        CLIENT_LOG.setLevel(java.util.logging.Level.WARNING);
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("ringkv: " + oneLine(e));
            return 1;
        });
        cli.setParameterExceptionHandler((e, args2) -> {
            e.getCommandLine().getErr().println("ringkv: " + e.getMessage() + " (see ringkv "
                    + e.getCommandLine().getCommandName() + " --help)");
            return 2;
        });
        return cli.execute(args);
    }

    static String oneLine(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }
}
