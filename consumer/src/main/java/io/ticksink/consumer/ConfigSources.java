package io.ticksink.consumer;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Where option values come from when the command line does not give them: an environment
 * variable {@code TICKSINK_<OPTION_NAME>}, then the properties file named by {@code --config} or
 * {@code TICKSINK_CONFIG} (keys are option names without dashes, Kafka client properties are
 * {@code kafka.<property>}), then the option's default. The command line wins over all of them.
 */
public final class ConfigSources implements CommandLine.IDefaultValueProvider {

    public static final String ENV_PREFIX = "TICKSINK_";
    public static final String KAFKA_PREFIX = "kafka.";

    private final Function<String, String> env;
    private final Properties file;
    private final Path filePath;

    private ConfigSources(Function<String, String> env, Properties file, Path filePath) {
        this.env = env;
        this.file = file;
        this.filePath = filePath;
    }

    /** Finds the config file in the arguments or the environment and reads it. */
    public static ConfigSources load(String[] args, Function<String, String> env) {
        String path = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                path = args[i + 1];
            } else if (args[i].startsWith("--config=")) {
                path = args[i].substring("--config=".length());
            }
        }
        if (path == null) {
            path = env.apply(ENV_PREFIX + "CONFIG");
        }
        Properties properties = new Properties();
        Path filePath = null;
        if (path != null && !path.isBlank()) {
            filePath = Path.of(path);
            try (Reader reader = Files.newBufferedReader(filePath, StandardCharsets.UTF_8)) {
                properties.load(reader);
            } catch (IOException e) {
                throw new IllegalArgumentException("--config: cannot read " + filePath + ": " + e.getMessage(), e);
            }
        }
        return new ConfigSources(env, properties, filePath);
    }

    public static String envName(String optionName) {
        return ENV_PREFIX + optionName.replaceFirst("^-+", "").replace('-', '_').toUpperCase(Locale.ROOT);
    }

    @Override
    public String defaultValue(ArgSpec argSpec) {
        if (!(argSpec instanceof OptionSpec option) || option.longestName().equals("--config")) {
            return null;
        }
        String value = env.apply(envName(option.longestName()));
        if (value != null) {
            return value;
        }
        return file.getProperty(option.longestName().replaceFirst("^-+", ""));
    }

    /** The Kafka client properties of the file ({@code kafka.*} keys, prefix removed). */
    public Map<String, String> kafkaProperties() {
        Map<String, String> kafka = new LinkedHashMap<>();
        for (String key : file.stringPropertyNames()) {
            if (key.startsWith(KAFKA_PREFIX)) {
                kafka.put(key.substring(KAFKA_PREFIX.length()), file.getProperty(key));
            }
        }
        return kafka;
    }

    /** Where an option's value came from, for {@code --print-config}. */
    public String sourceOf(OptionSpec option, boolean onCommandLine) {
        if (onCommandLine) {
            return "command line";
        }
        if (env.apply(envName(option.longestName())) != null) {
            return "environment " + envName(option.longestName());
        }
        if (file.getProperty(option.longestName().replaceFirst("^-+", "")) != null) {
            return "file " + filePath;
        }
        return "default";
    }
}
