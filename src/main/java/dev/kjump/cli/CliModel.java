package dev.kjump.cli;

import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.IGetter;
import picocli.CommandLine.Model.ISetter;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.Model.UsageMessageSpec;

/**
 * kjump's picocli command model, built with picocli's programmatic API instead of read from annotations: picocli's
 * annotations cost ~50 ms of every start: the JDK parses them and spins a proxy class per annotation type. Each
 * command declares its options in a static {@code spec} method next to its fields; this class gives each option
 * what the annotation on the field gave picocli: a binding to the field ({@link Binding}: one class for all, where a
 * lambda per option would be one more call site to link at every start), the field's type (which picks the
 * converter), its initial value, {@code <field>} as the label unless one is given, and for a positional parameter,
 * required unless its arity may be 0. The standard help options come last, as {@code mixinStandardHelpOptions}
 * put them.
 */
final class CliModel {
    private final CommandSpec spec;
    private final Object target;

    private CliModel(CommandSpec spec, Object target) {
        this.spec = spec;
        this.target = target;
    }

    /** The command {@code name} run by {@code command}, with its description (lines) for the usage help. */
    static CliModel command(Object command, String name, String... description) {
        CommandSpec spec = CommandSpec.wrapWithoutInspection(command);
        spec.name(name);
        if (description.length > 0) {
            spec.usageMessage().description(description);
        }
        return new CliModel(spec, command);
    }

    /**
     * Options shared by several commands, held by {@code options}: {@link #spec()} is added to each command with
     * {@link #mixin}, its user object is {@code options}.
     */
    static CliModel mixin(Object options) {
        return new CliModel(CommandSpec.wrapWithoutInspection(options), options);
    }

    /** The usage help's exit status section: {@code heading}, then one {@code "STATUS:meaning"} line each. */
    CliModel exitCodes(String heading, String... codes) {
        spec.usageMessage().exitCodeListHeading(heading).exitCodeList(UsageMessageSpec.keyValuesMap(codes));
        return this;
    }

    /** {@code --version} prints what {@code provider} says. */
    CliModel version(CommandLine.IVersionProvider provider) {
        spec.versionProvider(provider);
        return this;
    }

    /** The usage help lists the options as declared, not sorted by name. */
    CliModel unsortedOptions() {
        spec.usageMessage().sortOptions(false);
        return this;
    }

    /** The usage help's settings, for what the methods here do not cover. */
    UsageMessageSpec usage() {
        return spec.usageMessage();
    }

    /** Adds the options of {@code mixin} (a {@link #mixin(Object)}'s spec) under {@code name}. */
    CliModel mixin(String name, CommandSpec mixin) {
        spec.addMixin(name, mixin);
        return this;
    }

    /** An option with {@code names}, bound to the command's field {@code field}: {@link #add} it once described. */
    OptionSpec.Builder option(String field, String... names) {
        Field f = field(target.getClass(), field);
        return bind(OptionSpec.builder(names), f);
    }

    /**
     * An option with {@code names} set by calling the command's one-argument method {@code method} (of type
     * {@code type}), as picocli calls an annotated setter method: the option has no initial value.
     */
    OptionSpec.Builder optionSetter(String method, Class<?> type, String... names) {
        Method m;
        try {
            m = target.getClass().getDeclaredMethod(method, type);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(e);
        }
        m.setAccessible(true);
        Binding b = new Binding(target, m, spec);
        return OptionSpec.builder(names).type(type).paramLabel("<" + method + ">").getter(b).setter(b)
                .userObject(m).withToString("method " + abbreviate(m.toGenericString())).hasInitialValue(false)
                .descriptionKey("").prompt("");
    }

    /** A positional parameter bound to the command's field {@code field}: {@link #add} it once described. */
    PositionalParamSpec.Builder positional(String field) {
        Field f = field(target.getClass(), field);
        return bind(PositionalParamSpec.builder(), f);
    }

    /** Adds the option described. */
    CliModel add(OptionSpec.Builder option) {
        spec.addOption(option.build());
        return this;
    }

    /** Adds the positional parameter described: required unless its arity may be 0. */
    CliModel add(PositionalParamSpec.Builder parameter) {
        spec.addPositional(parameter.required(parameter.arity() == null || parameter.arity().min() > 0).build());
        return this;
    }

    /** The model. */
    CommandSpec spec() {
        return spec;
    }

    /** The model with {@code -h, --help} and {@code -V, --version} added last (picocli's mixinStandardHelpOptions). */
    CommandSpec withStandardHelpOptions() {
        CliModel h = mixin(new StandardHelp());
        h.add(h.option("helpRequested", "${picocli.help.name.0:--h}", "${picocli.help.name.1:---help}")
                .usageHelp(true).descriptionKey("mixinStandardHelpOptions.help")
                .description("Show this help message and exit."));
        h.add(h.option("versionRequested", "${picocli.version.name.0:--V}", "${picocli.version.name.1:---version}")
                .versionHelp(true).descriptionKey("mixinStandardHelpOptions.version")
                .description("Print version information and exit."));
        return spec.addMixin("mixinStandardHelpOptions", h.spec);
    }

    /**
     * picocli's {@code help} command, built as its annotations describe it (binding its two private fields by name:
     * a picocli that renames them fails at once, in every test that lists the commands).
     */
    static CommandSpec helpCommand() {
        CliModel m = command(new CommandLine.HelpCommand(), "help",
                "%nWhen no COMMAND is given, the usage help for the main command is displayed.",
                "If a COMMAND is specified, the help for that command is shown.%n");
        m.spec.helpCommand(true);
        m.usage().header("Display help information about the specified command.").synopsisHeading("%nUsage: ");
        m.add(m.option("helpRequested", "-h", "--help").usageHelp(true).descriptionKey("helpCommand.help")
                .description("Show usage help for the help command and exit."));
        m.add(m.positional("commands").paramLabel("COMMAND").arity("0..1").descriptionKey("helpCommand.command")
                .description("The COMMAND to display the usage help message for."));
        return m.spec;
    }

    /** What the standard help options set (nothing reads it: picocli acts on the options themselves). */
    static final class StandardHelp {
        boolean helpRequested;
        boolean versionRequested;
    }

    private static Field field(Class<?> type, String name) {
        try {
            Field f = type.getDeclaredField(name);
            f.setAccessible(true);
            return f;
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException(e);
        }
    }

    // one bind per kind of argument: the builder both extend is not public
    private OptionSpec.Builder bind(OptionSpec.Builder b, Field f) {
        Binding binding = new Binding(target, f, spec);
        Class<?>[] elements = typeArguments(f);
        if (elements != null) {
            b.auxiliaryTypes(elements);
        }
        return b.type(f.getType()).paramLabel("<" + f.getName() + ">").getter(binding).setter(binding).userObject(f)
                .withToString(toString(f)).initialValue(binding.get()).descriptionKey("").prompt("");
    }

    private PositionalParamSpec.Builder bind(PositionalParamSpec.Builder b, Field f) {
        Binding binding = new Binding(target, f, spec);
        Class<?>[] elements = typeArguments(f);
        if (elements != null) {
            b.auxiliaryTypes(elements);
        }
        return b.type(f.getType()).paramLabel("<" + f.getName() + ">").getter(binding).setter(binding).userObject(f)
                .withToString(toString(f)).initialValue(binding.get()).descriptionKey("").prompt("");
    }

    /** A collection's or map's element types, as picocli reads them off the field; null otherwise. */
    private static Class<?>[] typeArguments(Field f) {
        if (!(f.getGenericType() instanceof ParameterizedType p)) {
            return null;
        }
        List<Class<?>> types = new ArrayList<>();
        for (Type t : p.getActualTypeArguments()) {
            if (t instanceof Class<?> c) {
                types.add(c);
            }
        }
        return types.isEmpty() ? null : types.toArray(new Class<?>[0]);
    }

    /** How picocli names a field's option in its messages: {@code field int dev.kjump.cli.RunCommand.jumps}. */
    private static String toString(Field f) {
        return "field " + abbreviate(f.toGenericString());
    }

    private static String abbreviate(String text) {
        return text.replace("private ", "").replace("protected ", "").replace("public ", "").replace("java.lang.", "");
    }

    /**
     * An option's or positional parameter's value: a field of the object that holds it, or a setter method, set and
     * read as picocli's own bindings do (a method's value is the last one set; its failure is a parameter error).
     */
    static final class Binding implements IGetter, ISetter {
        private final Object target;
        private final Field field;
        private final Method method;
        private final CommandSpec spec;
        private Object last;

        Binding(Object target, Field field, CommandSpec spec) {
            this.target = target;
            this.field = field;
            this.method = null;
            this.spec = spec;
        }

        Binding(Object target, Method method, CommandSpec spec) {
            this.target = target;
            this.field = null;
            this.method = method;
            this.spec = spec;
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T get() {
            if (field == null) {
                return (T) last;
            }
            try {
                return (T) field.get(target);
            } catch (IllegalAccessException e) {
                throw new CommandLine.PicocliException("Could not get value for field " + field, e);
            }
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T set(T value) {
            T old = get();
            if (field != null) {
                try {
                    field.set(target, value);
                } catch (IllegalAccessException | IllegalArgumentException e) {
                    throw new CommandLine.PicocliException("Could not set value for field " + field + " to " + value,
                            e);
                }
                return old;
            }
            try {
                method.invoke(target, value);
                last = value;
                return old;
            } catch (InvocationTargetException e) {
                if (e.getTargetException() instanceof CommandLine.PicocliException p) {
                    throw p;
                }
                throw failed(value, e.getTargetException());
            } catch (IllegalAccessException | IllegalArgumentException e) {
                throw failed(value, e);
            }
        }

        private CommandLine.ParameterException failed(Object value, Throwable t) {
            CommandLine cmd = spec.commandLine() == null ? new CommandLine(spec) : spec.commandLine();
            return new CommandLine.ParameterException(cmd, "Could not invoke " + method + " with " + value + " ("
                    + t + ")", t);
        }
    }
}
