package dev.vireo.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** `vireo --version`: the build's version (filtered into version.properties) and the JVM. */
final class VersionInfo implements IVersionProvider {
    static String version() {
        try (InputStream in = VersionInfo.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    @Override
    public String[] getVersion() {
        return new String[] {
            "vireo " + version(),
            "JVM " + Runtime.version() + " (" + System.getProperty("java.vendor") + "), " + SimdInfo.describe()
        };
    }
}
