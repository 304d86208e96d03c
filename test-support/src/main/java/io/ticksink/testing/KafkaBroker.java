package io.ticksink.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Hands a test its Kafka broker: a field or a constructor, test-method or lifecycle-method
 * parameter of type {@link KafkaTestCluster} so annotated receives the broker shared by every test
 * of the JVM ({@link KafkaTestCluster#get()}), started on first use. The annotation registers
 * {@link KafkaBrokerExtension} by itself.
 *
 * <pre>{@code
 * class StoreTicksIT {
 *     @KafkaBroker
 *     KafkaTestCluster kafka;
 * }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.PARAMETER})
@ExtendWith(KafkaBrokerExtension.class)
public @interface KafkaBroker {

    /**
     * A broker the test may stop and start ({@link KafkaTestCluster#embedded()} is present): the
     * shared one when it runs in this JVM, else a second in-process broker shared by the tests of
     * this JVM that ask for one.
     */
    boolean stoppable() default false;
}
