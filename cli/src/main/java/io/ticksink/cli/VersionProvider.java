package io.ticksink.cli;

import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code --version} of every ticksink command ({@code versionProvider = VersionProvider.class}):
 * the command's name and the {@code Implementation-Version} of the jar it runs from, or
 * {@value #DEVELOPMENT} when it runs from a build's class directories.
 */
public final class VersionProvider implements IVersionProvider {

    /** Printed instead of a version outside a packaged jar (an IDE, a test). */
    public static final String DEVELOPMENT = "(development build)";

    @Spec
    CommandSpec spec;

    @Override
    public String[] getVersion() {
        return new String[] {spec.root().name() + " " + version(spec.root().userObject().getClass())};
    }

    /** The {@code Implementation-Version} of the jar holding {@code type}, or {@link #DEVELOPMENT}. */
    public static String version(Class<?> type) {
        String version = type.getPackage().getImplementationVersion();
        return version == null ? DEVELOPMENT : version;
    }
}
