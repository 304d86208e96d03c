package io.ticksink.testing;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * The JUnit 5 extension behind {@link KafkaBroker}: injects the JVM's shared broker into
 * {@code @KafkaBroker} fields (static ones before all tests of the class, instance ones before
 * each test) and resolves {@code @KafkaBroker KafkaTestCluster} parameters. The broker is started
 * once per JVM and outlives the test classes (it stops when the JVM exits), as starting one costs
 * seconds; every test isolates itself with its own topics and groups.
 */
public final class KafkaBrokerExtension implements BeforeAllCallback, BeforeEachCallback, ParameterResolver {

    @Override
    public void beforeAll(ExtensionContext context) {
        inject(context.getRequiredTestClass(), null);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        for (Object instance : context.getRequiredTestInstances().getAllInstances()) {
            inject(instance.getClass(), instance);
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.isAnnotated(KafkaBroker.class)
                && parameter.getParameter().getType() == KafkaTestCluster.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return broker(parameter.findAnnotation(KafkaBroker.class).orElseThrow());
    }

    private static KafkaTestCluster broker(KafkaBroker annotation) {
        return annotation.stoppable() ? KafkaTestCluster.stoppable() : KafkaTestCluster.get();
    }

    /** Sets the static fields ({@code instance} null) or the instance fields of {@code type} and its superclasses. */
    private static void inject(Class<?> type, Object instance) {
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field field : c.getDeclaredFields()) {
                KafkaBroker annotation = field.getAnnotation(KafkaBroker.class);
                if (annotation == null || Modifier.isStatic(field.getModifiers()) != (instance == null)) {
                    continue;
                }
                if (field.getType() != KafkaTestCluster.class || Modifier.isFinal(field.getModifiers())) {
                    throw new ExtensionConfigurationException("@KafkaBroker needs a non-final field of type "
                            + KafkaTestCluster.class.getSimpleName() + ": " + field);
                }
                try {
                    field.setAccessible(true);
                    field.set(instance, broker(annotation));
                } catch (IllegalAccessException e) {
                    throw new ExtensionConfigurationException("cannot set " + field, e);
                }
            }
        }
    }
}
