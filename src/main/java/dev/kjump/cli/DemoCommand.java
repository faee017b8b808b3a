package dev.kjump.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code kjump demo}: placeholder until implemented below. */
@Command(name = "demo", mixinStandardHelpOptions = true, description = "Run the built-in demo.")
public final class DemoCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        return 1;
    }
}
