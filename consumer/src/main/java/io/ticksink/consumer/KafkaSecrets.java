package io.ticksink.consumer;

import java.util.Collections;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;

/**
 * Which Kafka client settings are secrets, so that the consumer never shows their values.
 *
 * <p>The list comes from the Kafka client's own definitions: every key of type
 * {@link ConfigDef.Type#PASSWORD} in the consumer's, the producer's and the admin client's
 * {@code configDef()}, so a secret setting added by a later Kafka release is masked without a
 * change here. A key under a prefix ({@code listener.name.x.sasl.jaas.config}) counts as the key it
 * ends with. A key Kafka does not define (a config provider's parameters, a plug-in's own setting)
 * is masked when its name looks secret. Stateless and thread safe.
 */
public final class KafkaSecrets {

    /** What is shown instead of a secret value. */
    public static final String MASK = "******";

    private static final Set<String> PASSWORD_KEYS = Collections.unmodifiableSet(keys(key -> key.type == ConfigDef.Type.PASSWORD));
    private static final Set<String> KNOWN_KEYS = Collections.unmodifiableSet(keys(key -> true));
    private static final Pattern LOOKS_SECRET =
            Pattern.compile("password|passwd|passphrase|secret|jaas|token|credential|private|apikey|api\\.key|\\.key$");
    /** The {@code key=} of a {@code key=value} in free text. */
    private static final Pattern ASSIGNMENT = Pattern.compile("([A-Za-z0-9_.\\-]+)=");
    /** A JAAS option such as {@code password="..."} or {@code clientSecret="..."}, wherever it appears. */
    private static final Pattern JAAS_OPTION =
            Pattern.compile("(?i)([A-Za-z_.]*(?:password|secret|passphrase|token)[A-Za-z_.]*\\s*=\\s*)\"[^\"]*\"");

    private KafkaSecrets() {
    }

    /** Every Kafka client key of type PASSWORD in the consumer, producer and admin definitions. */
    public static Set<String> passwordKeys() {
        return PASSWORD_KEYS;
    }

    private static Set<String> keys(Predicate<ConfigDef.ConfigKey> filter) {
        Set<String> keys = new TreeSet<>();
        Stream.of(org.apache.kafka.clients.consumer.ConsumerConfig.configDef(), ProducerConfig.configDef(),
                        AdminClientConfig.configDef())
                .flatMap(def -> def.configKeys().values().stream())
                .filter(filter)
                .forEach(key -> keys.add(key.name));
        return keys;
    }

    /** Whether the value of this Kafka client property is a secret that is never shown. */
    public static boolean isSecret(String key) {
        if (PASSWORD_KEYS.contains(key)) {
            return true;
        }
        for (String password : PASSWORD_KEYS) {
            if (key.endsWith("." + password)) {
                return true;
            }
        }
        // a key Kafka defines as another type is not a secret (sasl.oauthbearer.token.endpoint.url)
        return !KNOWN_KEYS.contains(key) && LOOKS_SECRET.matcher(key.toLowerCase(Locale.ROOT)).find();
    }

    /** The value as it may be shown: {@link #MASK} for a secret. */
    public static String shown(String key, String value) {
        return isSecret(key) ? MASK : value;
    }

    /**
     * Masks the secrets in a message that may quote the command line or a configuration (a parse
     * error naming an argument): the value of every secret {@code key=value}, and every JAAS option
     * such as {@code password="..."}.
     */
    public static String maskText(String text) {
        if (text == null) {
            return null;
        }
        StringBuilder masked = new StringBuilder();
        Matcher m = ASSIGNMENT.matcher(text);
        int from = 0;
        while (m.find(from)) {
            masked.append(text, from, m.end());
            from = m.end();
            if (isSecret(m.group(1))) {
                // a secret value (a JAAS line holds spaces) runs to the end of its quoted argument or line
                int end = from;
                while (end < text.length() && "'\r\n".indexOf(text.charAt(end)) < 0) {
                    end++;
                }
                masked.append(MASK);
                from = end;
            }
        }
        masked.append(text, from, text.length());
        return JAAS_OPTION.matcher(masked).replaceAll(r -> Matcher.quoteReplacement(r.group(1) + "\"" + MASK + "\""));
    }
}
