package dev.kjump.image;

/**
 * A file that cannot be used as a kexec image: not readable, not an ELF executable for i386, or malformed.
 * The message has the form {@code "<file>: <problem>"}.
 */
public final class ImageException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final String problem;

    /**
     * Creates an exception for the file {@code source}.
     *
     * @param source  the file name, as given to {@link Image#parse(byte[], String)} or the path to {@link Image#load}
     * @param problem what is wrong with it
     */
    public ImageException(String source, String problem) {
        this(source, problem, null);
    }

    /**
     * Creates an exception for the file {@code source} with an underlying cause.
     *
     * @param source  the file name
     * @param problem what is wrong with it
     * @param cause   the underlying exception, or {@code null}
     */
    public ImageException(String source, String problem, Throwable cause) {
        super(source + ": " + problem, cause);
        this.source = source;
        this.problem = problem;
    }

    /**
     * The name of the offending file.
     *
     * @return the file name
     */
    public String source() {
        return source;
    }

    /**
     * The problem, without the file name.
     *
     * @return the problem description
     */
    public String problem() {
        return problem;
    }
}
