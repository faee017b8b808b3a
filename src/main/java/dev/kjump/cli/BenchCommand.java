package dev.kjump.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code kjump bench IMAGE}: placeholder until implemented below. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmark an image.")
public final class BenchCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        return 1;
    }
}
