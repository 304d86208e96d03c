package io.ticksink.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import io.ticksink.cli.ExitCodes;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KafkaSecretsTest {

    private final Map<String, String> env = new HashMap<>();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(args, env::get, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    /** Read here independently of the class under test, straight from Kafka's definitions. */
    private static Set<String> passwordTypeKeysOfKafkaClients() {
        Set<String> keys = new TreeSet<>();
        Stream.of(org.apache.kafka.clients.consumer.ConsumerConfig.configDef(), ProducerConfig.configDef(),
                        AdminClientConfig.configDef())
                .flatMap(def -> def.configKeys().values().stream())
                .filter(key -> key.type == ConfigDef.Type.PASSWORD)
                .forEach(key -> keys.add(key.name));
        return keys;
    }

    @Test
    void everyKeyOfPasswordTypeInTheKafkaClientDefinitionsIsMaskedByPrintConfig() {
        Set<String> passwordKeys = passwordTypeKeysOfKafkaClients();
        assertThat(passwordKeys).as("the definitions hold password keys").hasSizeGreaterThan(5);
        String[] args = Stream.concat(Stream.of("--print-config", "--bootstrap-servers", "kafka:9092"),
                passwordKeys.stream().flatMap(k -> Stream.of("--kafka-property", k + "=secret-of-" + k))).toArray(String[]::new);

        assertThat(run(args)).isZero();

        String printed = out.toString(StandardCharsets.UTF_8);
        for (String key : passwordKeys) {
            assertThat(printed).as(key).contains("kafka." + key + "=" + KafkaSecrets.MASK).doesNotContain("secret-of-" + key);
        }
    }

    @Test
    void theOauthAssertionPrivateKeyPassphraseIsMasked() {
        assertThat(KafkaSecrets.isSecret("sasl.oauthbearer.assertion.private.key.passphrase")).isTrue();
    }

    @Test
    void theJaasConfigIsMasked() {
        assertThat(KafkaSecrets.isSecret("sasl.jaas.config")).isTrue();
    }

    @Test
    void theOauthClientSecretIsMasked() {
        assertThat(KafkaSecrets.isSecret("sasl.oauthbearer.client.credentials.client.secret")).isTrue();
    }

    @Test
    void thePemKeystoreKeyAndCertificatesAreMasked() {
        assertThat(KafkaSecrets.isSecret("ssl.keystore.key")).isTrue();
        assertThat(KafkaSecrets.isSecret("ssl.keystore.certificate.chain")).isTrue();
        assertThat(KafkaSecrets.isSecret("ssl.truststore.certificates")).isTrue();
    }

    @Test
    void aPasswordKeyUnderAListenerPrefixIsMasked() {
        assertThat(KafkaSecrets.isSecret("listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config")).isTrue();
    }

    @Test
    void anUnknownKeyThatLooksSecretIsMasked() {
        assertThat(KafkaSecrets.isSecret("config.providers.vault.param.token")).isTrue();
        assertThat(KafkaSecrets.isSecret("some.plugin.api.key")).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"security.protocol", "sasl.mechanism", "ssl.truststore.location", "ssl.truststore.type",
        "sasl.oauthbearer.token.endpoint.url", "sasl.oauthbearer.client.credentials.client.id", "config.providers"})
    void aKnownSettingOfAnotherTypeIsShownInClear(String key) {
        assertThat(KafkaSecrets.isSecret(key)).isFalse();
    }

    @Test
    void aParseErrorThatQuotesASecretArgumentDoesNotShowIt() {
        assertThat(run("--kafka-propery", "ssl.key.password=s3cret",
                "--kafka-propery", "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required "
                        + "username=\"u\" password=\"hunter2\";")).isEqualTo(ExitCodes.USAGE);

        String message = err.toString(StandardCharsets.UTF_8);
        assertThat(message).as("the error names the argument").contains("ssl.key.password=" + KafkaSecrets.MASK)
                .doesNotContain("s3cret").doesNotContain("hunter2");
    }

    @Test
    void maskingTextKeepsOtherSettingsAndMasksJaasOptionsWherever() {
        assertThat(KafkaSecrets.maskText("a=1, ssl.key.password=x, b=2")).isEqualTo("a=1, ssl.key.password=" + KafkaSecrets.MASK);
        assertThat(KafkaSecrets.maskText("'security.protocol=SASL_SSL', 'ssl.key.password=x', 'b=2'"))
                .isEqualTo("'security.protocol=SASL_SSL', 'ssl.key.password=" + KafkaSecrets.MASK + "', 'b=2'");
        assertThat(KafkaSecrets.maskText("LoginModule required username=\"u\" password=\"p w\";"))
                .contains("username=\"u\"").doesNotContain("p w");
        assertThat(KafkaSecrets.maskText("LoginModule required username = \"u\" clientSecret = \"p w\";"))
                .isEqualTo("LoginModule required username = \"u\" clientSecret = \"" + KafkaSecrets.MASK + "\";");
    }
}
