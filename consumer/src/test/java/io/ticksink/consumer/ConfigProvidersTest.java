package io.ticksink.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secrets kept out of the configuration through Kafka's config providers (the README's "Secrets"):
 * a Kubernetes Secret mounted as files is read by {@code DirectoryConfigProvider}, and both Kafka
 * clients of the consumer, the consumer and the dead-letter producer, see the resolved value.
 */
class ConfigProvidersTest {

    @TempDir
    Path dir;

    private ConsumerConfig configWithASecretFromAMountedDirectory() throws Exception {
        Path secrets = Files.createDirectories(dir.resolve("secrets"));
        Files.writeString(secrets.resolve("truststore-password"), "s3cret");
        ConsumerConfig config = new ConsumerConfig();
        new picocli.CommandLine(config).parseArgs("--batch-size", "500"); // every other option at its default
        config.kafkaProperties = new LinkedHashMap<>(Map.of(
                "config.providers", "secrets",
                "config.providers.secrets.class", "org.apache.kafka.common.config.provider.DirectoryConfigProvider",
                "ssl.truststore.password", "${secrets:" + secrets + ":truststore-password}"));
        return config;
    }

    @Test
    void theDeadLetterProducerResolvesASecretThroughAConfigProvider() throws Exception {
        Map<String, Object> properties = ConsumerApp.producerProperties(configWithASecretFromAMountedDirectory(), "127.0.0.1:1", "ticksink-dlq.test");
        properties.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        properties.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);

        ProducerConfig resolved = new ProducerConfig(properties);

        assertThat(resolved.getPassword("ssl.truststore.password").value()).isEqualTo("s3cret");
    }

    @Test
    void theKafkaConsumerResolvesASecretThroughAConfigProvider() throws Exception {
        Map<String, Object> properties = ConsumerApp.consumerProperties(configWithASecretFromAMountedDirectory(), "127.0.0.1:1");
        properties.put("key.deserializer", ByteArrayDeserializer.class);
        properties.put("value.deserializer", ByteArrayDeserializer.class);

        var resolved = new org.apache.kafka.clients.consumer.ConsumerConfig(properties);

        assertThat(resolved.getPassword("ssl.truststore.password").value()).isEqualTo("s3cret");
    }
}
