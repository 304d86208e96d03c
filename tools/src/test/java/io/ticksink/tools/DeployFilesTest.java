package io.ticksink.tools;

import static org.assertj.core.api.Assertions.assertThat;

import io.ticksink.cli.Durations;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import picocli.CommandLine.ParseResult;

/**
 * Checks the files under {@code deploy/} without a Docker engine or a cluster: every YAML file
 * parses, the objects and settings agree with the consumer's contract (health paths, port,
 * option names, metric names, shutdown timeout) and the Dockerfile copies jars the build makes.
 */
class DeployFilesTest {

    /** The consumer's options the deploy files use, as environment variables. */
    private static final Set<String> CONSUMER_SETTINGS = Set.of("TICKSINK_BOOTSTRAP_SERVERS", "TICKSINK_TOPIC",
            "TICKSINK_GROUP_ID", "TICKSINK_DATA_DIR", "TICKSINK_DLQ_TOPIC", "TICKSINK_GROUP_INSTANCE_ID",
            "TICKSINK_HTTP_PORT", "TICKSINK_HTTP_ADDRESS", "TICKSINK_SHUTDOWN_TIMEOUT", "TICKSINK_LOG_FORMAT",
            "TICKSINK_CONFIG");
    /** The consumer's Prometheus metrics (histograms add _bucket, _sum, _count). */
    private static final Set<String> CONSUMER_METRICS = Set.of("ticksink_ticks_stored_total", "ticksink_batches_total",
            "ticksink_batch_write_seconds", "ticksink_write_retries_total", "ticksink_dead_letters_total",
            "ticksink_consumer_lag", "ticksink_last_commit_age_seconds", "ticksink_open_databases", "ticksink_ready",
            "ticksink_ticks_skipped_total");
    private static final int HTTP_PORT = 9400;
    /**
     * After SIGTERM the consumer spends up to --shutdown-timeout on the batch in hand, then closes
     * the Kafka clients; its shutdown hook halts the process when that takes longer than
     * Main.CLOSE_GRACE (15 s) past the shutdown timeout.
     */
    private static final Duration CLIENT_CLOSE_BOUNDS = Duration.ofSeconds(15);
    /** Left on top of the worst-case stop for the JVM's exit and the last log lines. */
    private static final Duration STOP_MARGIN = Duration.ofSeconds(10);
    private static final String EXIT_ON_OOM = "-XX:+ExitOnOutOfMemoryError";
    /** The day the merge scripts' {@code $(date ...)} are evaluated on, in the tests. */
    private static final LocalDate TODAY = LocalDate.of(2026, 1, 20);

    private static Path root;
    private static Path deploy;
    private static Duration shutdownTimeout;

    @BeforeAll
    static void locateTheRepository() throws IOException {
        // surefire runs in the module directory; the deploy files sit beside it
        Path moduleDir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        root = Files.isDirectory(moduleDir.resolve("../deploy")) ? moduleDir.getParent() : moduleDir;
        deploy = root.resolve("deploy");
        assertThat(deploy).isDirectory();
        Map<String, Object> configMap = single("k8s/configmap.yaml");
        shutdownTimeout = Durations.parse(String.valueOf(map(configMap.get("data")).get("TICKSINK_SHUTDOWN_TIMEOUT")));
    }

    @Test
    void everyYamlFileUnderDeployParses() throws IOException {
        List<Path> files = yamlFiles();

        assertThat(files).hasSizeGreaterThanOrEqualTo(8);
        for (Path file : files) {
            assertThat(documents(file)).as(file.toString()).isNotEmpty().doesNotContainNull();
        }
    }

    @Test
    void kubernetesManifestsHoldTheExpectedKinds() throws IOException {
        Set<String> kinds = new HashSet<>();
        try (Stream<Path> files = Files.list(deploy.resolve("k8s"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
                documents(file).forEach(doc -> kinds.add(String.valueOf(doc.get("kind"))));
            }
        }

        assertThat(kinds).containsExactlyInAnyOrder("StatefulSet", "Service", "ConfigMap", "Secret",
                "PodDisruptionBudget", "Kustomization", "ServiceAccount", "NetworkPolicy", "CronJob", "PersistentVolumeClaim");
    }

    @Test
    void kustomizationAppliesEveryManifestButTheSecretExample() throws IOException {
        List<String> resources = list(single("k8s/kustomization.yaml").get("resources")).stream().map(String::valueOf).toList();

        assertThat(resources).containsExactlyInAnyOrder("configmap.yaml", "service.yaml", "statefulset.yaml", "pdb.yaml",
                "serviceaccount.yaml", "networkpolicy.yaml", "archive-pvc.yaml", "merge-cronjob.yaml");
        assertThat(resources).allSatisfy(file -> assertThat(deploy.resolve("k8s").resolve(file)).isRegularFile());
    }

    @Test
    void podsRunUnderTheirOwnServiceAccountWithoutAnApiToken() throws IOException {
        Map<String, Object> podSpec = map(map(map(single("k8s/statefulset.yaml").get("spec")).get("template")).get("spec"));
        Map<String, Object> account = single("k8s/serviceaccount.yaml");

        assertThat(podSpec).containsEntry("automountServiceAccountToken", false)
                .containsEntry("serviceAccountName", map(account.get("metadata")).get("name"));
        assertThat(account).containsEntry("automountServiceAccountToken", false);
    }

    @Test
    void networkPolicyLetsInOnlyTheHttpPortAndLetsOutOnlyKafkaAndDns() throws IOException {
        Map<String, Object> statefulSet = single("k8s/statefulset.yaml");
        Map<String, Object> podLabels = map(map(map(map(statefulSet.get("spec")).get("template")).get("metadata")).get("labels"));
        Map<String, Object> spec = map(single("k8s/networkpolicy.yaml").get("spec"));
        String bootstrap = String.valueOf(map(single("k8s/configmap.yaml").get("data")).get("TICKSINK_BOOTSTRAP_SERVERS"));
        // kafka-bootstrap.kafka.svc:9092: the brokers' namespace and port
        Matcher broker = Pattern.compile("^[\\w-]+\\.([\\w-]+)\\.svc[\\w.]*:(\\d+)").matcher(bootstrap.split(",")[0]);
        assertThat(broker.find()).as("an in-cluster bootstrap address " + bootstrap).isTrue();

        assertThat(podLabels).containsAllEntriesOf(map(map(spec.get("podSelector")).get("matchLabels")));
        assertThat(list(spec.get("policyTypes"))).containsExactlyInAnyOrder("Ingress", "Egress");
        List<Object> ingress = list(spec.get("ingress"));
        assertThat(ingress).isNotEmpty().allSatisfy(rule -> {
            assertThat(ports(rule)).as("ingress ports").containsExactly("TCP/" + HTTP_PORT);
            // an empty or missing "from" lets in everyone
            assertThat(list(map(rule).get("from"))).isNotEmpty().allSatisfy(peer -> {
                assertThat(map(peer)).doesNotContainKey("ipBlock");
                if (map(peer).containsKey("namespaceSelector")) {
                    assertThat(map(map(map(peer).get("namespaceSelector")).get("matchLabels")))
                            .containsEntry("kubernetes.io/metadata.name", "monitoring");
                } else {
                    assertThat(map(peer)).as("a peer of this namespace").containsOnlyKeys("podSelector");
                }
            });
        });
        List<Object> egress = list(spec.get("egress"));
        assertThat(egress).hasSize(2).allSatisfy(rule -> assertThat(list(map(rule).get("to"))).isNotEmpty());
        assertThat(egress).anySatisfy(rule -> {
            assertThat(ports(rule)).contains("TCP/" + broker.group(2));
            assertThat(list(map(rule).get("to"))).allSatisfy(peer -> assertThat(
                    map(map(map(peer).get("namespaceSelector")).get("matchLabels")))
                    .containsEntry("kubernetes.io/metadata.name", broker.group(1)));
        });
        assertThat(egress).anySatisfy(rule -> assertThat(ports(rule)).containsExactlyInAnyOrder("UDP/53", "TCP/53"));
    }

    @Test
    void everyWayToRunTheImageOrTheUnitEndsTheJvmOnOutOfMemory() throws IOException {
        String dockerfile = Files.readString(deploy.resolve("Dockerfile"));
        Matcher entrypoint = Pattern.compile("(?m)^ENTRYPOINT (.*)$").matcher(dockerfile);
        Map<String, String> unit = keyValues(deploy.resolve("systemd/ticksink-consumer.service"));
        Map<String, Object> container = consumerContainer();

        assertThat(entrypoint.find()).isTrue();
        assertThat(entrypoint.group(1)).contains("\"" + EXIT_ON_OOM + "\"");
        assertThat(unit.get("ExecStart")).contains(" " + EXIT_ON_OOM + " ");
        // the pod and the compose services run the image's entry point as it is
        assertThat(container).doesNotContainKeys("command", "args");
        assertThat(list(container.get("env")).stream().map(e -> String.valueOf(map(e).get("name"))))
                .doesNotContain("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS");
        for (Map<String, Object> service : composeConsumers()) {
            assertThat(service).doesNotContainKeys("entrypoint", "command");
        }
    }

    @Test
    void statefulSetProbesPointAtTheHealthPathsOnTheHttpPort() throws IOException {
        Map<String, Object> container = consumerContainer();
        Map<String, Object> port = map(list(container.get("ports")).get(0));

        assertThat(port).containsEntry("containerPort", HTTP_PORT);
        assertThat(probe(container, "livenessProbe", port)).isEqualTo("/health/live");
        assertThat(probe(container, "readinessProbe", port)).isEqualTo("/health/ready");
        assertThat(probe(container, "startupProbe", port)).isEqualTo("/health/live");
    }

    @Test
    void statefulSetRunsThreeNonRootPodsWithTheirOwnVolumesAndStaticMembership() throws IOException {
        Map<String, Object> spec = map(single("k8s/statefulset.yaml").get("spec"));
        Map<String, Object> podSpec = map(map(spec.get("template")).get("spec"));
        Map<String, Object> container = consumerContainer();
        Map<String, Object> groupInstance = list(container.get("env")).stream().map(DeployFilesTest::map)
                .filter(e -> "TICKSINK_GROUP_INSTANCE_ID".equals(e.get("name"))).findFirst().orElseThrow();

        assertThat(spec).containsEntry("replicas", 3);
        assertThat(list(spec.get("volumeClaimTemplates"))).hasSize(1);
        assertThat(map(map(groupInstance.get("valueFrom")).get("fieldRef"))).containsEntry("fieldPath", "metadata.name");
        assertThat(map(podSpec.get("securityContext"))).containsEntry("runAsNonRoot", true);
        assertThat(Duration.ofSeconds(((Number) podSpec.get("terminationGracePeriodSeconds")).longValue()))
                .as("terminationGracePeriodSeconds").isGreaterThanOrEqualTo(worstCaseStop(shutdownTimeout).plus(STOP_MARGIN));
        assertThat(map(map(map(spec.get("template")).get("metadata")).get("annotations")))
                .containsEntry("prometheus.io/scrape", "true")
                .containsEntry("prometheus.io/port", Integer.toString(HTTP_PORT))
                .containsEntry("prometheus.io/path", "/metrics");
    }

    @Test
    void headlessServiceAndDisruptionBudgetSelectTheConsumerPods() throws IOException {
        Map<String, Object> statefulSet = single("k8s/statefulset.yaml");
        Map<String, Object> podLabels = map(map(map(map(statefulSet.get("spec")).get("template")).get("metadata")).get("labels"));
        Map<String, Object> service = single("k8s/service.yaml");
        Map<String, Object> pdb = single("k8s/pdb.yaml");

        assertThat(map(service.get("spec"))).containsEntry("clusterIP", "None");
        assertThat(map(statefulSet.get("spec"))).containsEntry("serviceName", map(service.get("metadata")).get("name"));
        assertThat(podLabels).containsAllEntriesOf(map(map(service.get("spec")).get("selector")));
        assertThat(map(pdb.get("spec"))).containsEntry("maxUnavailable", 1);
        assertThat(podLabels).containsAllEntriesOf(map(map(map(pdb.get("spec")).get("selector")).get("matchLabels")));
    }

    @Test
    void composeRunsThreeConsumersEachWithItsOwnVolumeAndHealthcheck() throws IOException {
        Map<String, Object> services = map(single("docker-compose.yml").get("services"));
        int replicas = 0;
        Set<String> volumes = new HashSet<>();
        Set<String> instanceIds = new HashSet<>();
        for (Object value : services.values()) {
            Map<String, Object> service = map(value);
            Map<String, Object> env = service.get("environment") == null ? Map.of() : map(service.get("environment"));
            if (!env.containsKey("TICKSINK_BOOTSTRAP_SERVERS")) {
                continue;
            }
            Map<String, Object> deployment = service.get("deploy") == null ? Map.of() : map(service.get("deploy"));
            replicas += ((Number) deployment.getOrDefault("replicas", 1)).intValue();
            list(service.get("volumes")).stream().map(String::valueOf).filter(v -> v.endsWith(":/data")).forEach(volumes::add);
            instanceIds.add(String.valueOf(env.get("TICKSINK_GROUP_INSTANCE_ID")));
            assertThat(String.valueOf(map(service.get("healthcheck")).get("test"))).contains("http://127.0.0.1:9400/health/ready");
            assertThat(Durations.parse(String.valueOf(service.get("stop_grace_period")))).as("stop_grace_period")
                    .isGreaterThanOrEqualTo(worstCaseStop(Durations.parse(String.valueOf(env.get("TICKSINK_SHUTDOWN_TIMEOUT"))))
                            .plus(STOP_MARGIN));
            assertThat(map(map(service.get("depends_on")).get("topics")))
                    .containsEntry("condition", "service_completed_successfully");
        }

        assertThat(replicas).isEqualTo(3);
        assertThat(volumes).hasSize(3);
        assertThat(instanceIds).hasSize(3);
    }

    @Test
    void composeStartsAKraftBrokerAndCreatesBothTopics() throws IOException {
        Map<String, Object> services = map(single("docker-compose.yml").get("services"));
        Map<String, Object> kafka = map(services.get("kafka"));
        String topics = String.valueOf(map(services.get("topics")).get("command"));

        assertThat(String.valueOf(kafka.get("image"))).startsWith("apache/kafka:");
        assertThat(map(kafka.get("environment"))).containsEntry("KAFKA_PROCESS_ROLES", "broker,controller");
        assertThat(topics).contains("--topic ticks --partitions 6").contains("--topic ticks.dlq");
    }

    @Test
    void prometheusRulesParseAndWatchTheConsumerMetrics() throws IOException {
        List<Map<String, Object>> rules = new ArrayList<>();
        for (Object group : list(single("prometheus/alerts.yml").get("groups"))) {
            list(map(group).get("rules")).forEach(rule -> rules.add(map(rule)));
        }
        String allExpressions = String.join("\n", rules.stream().map(r -> String.valueOf(r.get("expr"))).toList());

        assertThat(rules).isNotEmpty().allSatisfy(rule -> {
            assertThat(rule.get("alert")).asString().isNotBlank();
            assertThat(rule.get("expr")).asString().isNotBlank();
            assertThat(map(rule.get("labels"))).containsKey("severity");
            assertThat(map(rule.get("annotations"))).containsKey("summary");
        });
        assertThat(allExpressions).contains("ticksink_consumer_lag", "rate(ticksink_write_retries_total[5m])",
                "ticksink_ready == 0", "ticksink_dead_letters_total", "ticksink_last_commit_age_seconds", "up{");
        Matcher metric = Pattern.compile("ticksink_[a-z_]+").matcher(allExpressions);
        while (metric.find()) {
            assertThat(CONSUMER_METRICS).as("metric in alerts.yml").contains(metric.group());
        }
    }

    @Test
    void theImageStartsWithTheClassDataArchiveItsTrainingRunWrote() throws IOException {
        String dockerfile = Files.readString(deploy.resolve("Dockerfile"));
        Matcher training = Pattern.compile("(?m)^RUN java -XX:ArchiveClassesAtExit=(\\S+) [^\\n]*(?:\\\\\\n[^\\n]*)*?"
                + "-jar (\\S+) --demo \\d+").matcher(dockerfile);
        Matcher entrypoint = Pattern.compile("(?m)^ENTRYPOINT (.*)$").matcher(dockerfile);

        assertThat(training.find()).as("a training run writes the archive").isTrue();
        assertThat(entrypoint.find()).isTrue();
        assertThat(entrypoint.group(1)).as("the consumer maps the archive the training run wrote, for the same jar")
                .contains("\"-XX:SharedArchiveFile=" + training.group(1) + "\"", "\"-jar\", \"" + training.group(2) + "\"");
        assertThat(dockerfile.indexOf("ArchiveClassesAtExit")).as("trained after the jar is copied, as root, before USER")
                .isGreaterThan(dockerfile.indexOf("COPY --from=build /src/consumer/target/ticksink-consumer.jar"))
                .isLessThan(dockerfile.indexOf("\nUSER "));
    }

    @Test
    void dockerfileCopiesTheJarsTheMavenBuildProduces() throws IOException {
        String dockerfile = Files.readString(deploy.resolve("Dockerfile"));
        Matcher copy = Pattern.compile("(?m)^COPY --from=build /src/([\\w-]+)/target/([\\w.-]+)\\.jar (\\S+)$").matcher(dockerfile);
        Map<String, String> copied = new LinkedHashMap<>();
        while (copy.find()) {
            String module = copy.group(1);
            String pom = Files.readString(root.resolve(module).resolve("pom.xml"));
            copied.put(module, copy.group(3));
            assertThat(pom).as(module + "/pom.xml builds the runnable jar the image copies")
                    .contains("maven-shade-plugin", "<finalName>" + copy.group(2) + "</finalName>");
        }

        assertThat(copied).containsOnlyKeys("consumer", "migrator", "tools")
                .containsEntry("consumer", "/app/ticksink-consumer.jar");
        assertThat(dockerfile)
                .contains("FROM maven:3.9-eclipse-temurin-17 AS build", "mvn -B -DskipTests package", "FROM eclipse-temurin:17-jre")
                .containsPattern("(?m)^ENTRYPOINT \\[\"java\", .*\"-jar\", \"/app/ticksink-consumer.jar\"\\]$")
                .containsPattern("(?m)^USER 10001")
                .contains("install -y --no-install-recommends curl", "curl -fsS -o /dev/null http://127.0.0.1:9400/health/ready")
                .contains("VOLUME /data");
    }

    @Test
    void systemdUnitStopsWithSigtermWithinTheShutdownTimeout() throws IOException {
        Map<String, String> unit = keyValues(deploy.resolve("systemd/ticksink-consumer.service"));
        Map<String, String> env = keyValues(deploy.resolve("systemd/ticksink.env"));

        assertThat(unit).containsEntry("KillSignal", "SIGTERM").containsEntry("Restart", "on-failure")
                .containsEntry("ProtectSystem", "strict").containsEntry("ReadWritePaths", "/var/lib/ticksink")
                .containsEntry("EnvironmentFile", "/etc/ticksink/ticksink.env");
        assertThat(unit.get("ExecStart")).endsWith("-jar /opt/ticksink/ticksink-consumer.jar");
        assertThat(Duration.ofSeconds(Long.parseLong(unit.get("TimeoutStopSec")))).as("TimeoutStopSec")
                .isGreaterThanOrEqualTo(worstCaseStop(Durations.parse(env.get("TICKSINK_SHUTDOWN_TIMEOUT"))).plus(STOP_MARGIN));
        assertThat(env.get("TICKSINK_DATA_DIR")).startsWith("/var/lib/ticksink/");
    }

    @Test
    void deployFilesUseOnlyTheConsumersSettings() throws IOException {
        Set<String> known = new HashSet<>(CONSUMER_SETTINGS);
        Path config = root.resolve("consumer/src/main/java/io/ticksink/consumer/ConsumerConfig.java");
        if (Files.exists(config)) {
            // the consumer's config class is the authority: every option --x-y reads TICKSINK_X_Y; the
            // options it shares with the other commands are the cli module's mixins
            Set<String> declared = new HashSet<>();
            StringBuilder sources = new StringBuilder(Files.readString(config));
            try (Stream<Path> mixins = Files.list(root.resolve("cli/src/main/java/io/ticksink/cli"))) {
                for (Path mixin : mixins.filter(p -> p.toString().endsWith("Option.java")).toList()) {
                    sources.append(Files.readString(mixin));
                }
            }
            Matcher option = Pattern.compile("names = \"--([a-z-]+)\"").matcher(sources);
            while (option.find()) {
                declared.add("TICKSINK_" + option.group(1).replace('-', '_').toUpperCase(java.util.Locale.ROOT));
            }
            assertThat(declared).as("options of " + root.relativize(config)).containsAll(CONSUMER_SETTINGS);
            known = declared;
        }
        Pattern setting = Pattern.compile("TICKSINK_[A-Z_]+");
        List<Path> files = new ArrayList<>(yamlFiles());
        files.add(deploy.resolve("Dockerfile"));
        files.add(deploy.resolve("systemd/ticksink-consumer.service"));
        files.add(deploy.resolve("systemd/ticksink.env"));
        files.add(deploy.resolve("systemd/ticksink-merge.service"));
        files.add(deploy.resolve("systemd/ticksink-merge.timer"));
        for (Path file : files) {
            Matcher m = setting.matcher(Files.readString(file));
            while (m.find()) {
                assertThat(known).as("setting in " + root.relativize(file)).contains(m.group());
            }
        }
    }

    @Test
    void aMergeCronJobPerConsumerPodMergesItsOwnVolumeIntoTheArchiveWithTheConsumersImage() throws IOException {
        Map<String, Object> statefulSet = single("k8s/statefulset.yaml");
        Map<String, Object> stsSpec = map(statefulSet.get("spec"));
        String stsName = String.valueOf(map(statefulSet.get("metadata")).get("name"));
        String claimTemplate = String.valueOf(map(map(list(stsSpec.get("volumeClaimTemplates")).get(0)).get("metadata")).get("name"));
        int replicas = ((Number) stsSpec.get("replicas")).intValue();
        Map<String, Object> archive = single("k8s/archive-pvc.yaml");
        String archiveClaim = String.valueOf(map(archive.get("metadata")).get("name"));
        List<Map<String, Object>> cronJobs = documents(deploy.resolve("k8s/merge-cronjob.yaml")).stream()
                .filter(doc -> "CronJob".equals(doc.get("kind"))).toList();
        Map<String, Object> serviceSelector = map(map(single("k8s/service.yaml").get("spec")).get("selector"));

        // block storage, like the consumers': SQLite's locks and WAL index do not work across hosts
        assertThat(list(map(archive.get("spec")).get("accessModes"))).containsExactly("ReadWriteOnce");
        assertThat(cronJobs).as("one merge CronJob per consumer pod").hasSize(replicas);
        Set<String> mergedClaims = new HashSet<>();
        Set<String> schedules = new HashSet<>();
        for (Map<String, Object> cronJob : cronJobs) {
            Map<String, Object> spec = map(cronJob.get("spec"));
            Map<String, Object> jobSpec = map(map(spec.get("jobTemplate")).get("spec"));
            Map<String, Object> template = map(jobSpec.get("template"));
            Map<String, Object> podSpec = map(template.get("spec"));
            List<Object> containers = list(podSpec.get("containers"));
            assertThat(containers).hasSize(1);
            Map<String, Object> container = map(containers.get(0));
            Map<String, String> claims = new LinkedHashMap<>();
            for (Object volume : list(podSpec.get("volumes"))) {
                if (map(volume).containsKey("persistentVolumeClaim")) {
                    claims.put(String.valueOf(map(volume).get("name")),
                            String.valueOf(map(map(volume).get("persistentVolumeClaim")).get("claimName")));
                }
            }
            Map<String, String> mounts = new LinkedHashMap<>();
            list(container.get("volumeMounts")).forEach(m -> mounts.put(String.valueOf(map(m).get("name")),
                    String.valueOf(map(m).get("mountPath"))));
            String source = claims.entrySet().stream().filter(e -> !e.getValue().equals(archiveClaim)).map(Map.Entry::getKey)
                    .findFirst().orElseThrow();
            String sourceClaim = claims.get(source);
            String pod = sourceClaim.substring(claimTemplate.length() + 1);
            Map<String, Object> affinity = map(list(map(map(podSpec.get("affinity")).get("podAffinity"))
                    .get("requiredDuringSchedulingIgnoredDuringExecution")).get(0));

            assertThat(claims.values()).as("volumes of " + cronJob.get("metadata")).containsExactlyInAnyOrder(sourceClaim, archiveClaim);
            // the StatefulSet names pod N's claim <template>-<statefulset>-N
            assertThat(sourceClaim).matches(Pattern.quote(claimTemplate + "-" + stsName + "-") + "\\d+");
            assertThat(Integer.parseInt(pod.substring(stsName.length() + 1))).isBetween(0, replicas - 1);
            mergedClaims.add(sourceClaim);
            // a ReadWriteOnce volume is mounted only on the node it is attached to: its pod's
            assertThat(map(map(affinity.get("labelSelector")).get("matchLabels")))
                    .containsExactly(Map.entry("statefulset.kubernetes.io/pod-name", pod));
            assertThat(affinity).containsEntry("topologyKey", "kubernetes.io/hostname");
            assertThat(container.get("image")).isEqualTo(consumerContainer().get("image"));
            assertThat(spec).containsEntry("timeZone", "Etc/UTC").containsEntry("concurrencyPolicy", "Forbid");
            schedules.add(String.valueOf(spec.get("schedule")));
            assertThat(podSpec).containsEntry("automountServiceAccountToken", false);
            assertThat(map(podSpec.get("securityContext"))).containsEntry("runAsNonRoot", true);
            // not a consumer: neither in the Service nor in the consumers' disruption budget
            assertThat(map(map(template.get("metadata")).get("labels"))).doesNotContainEntry("app.kubernetes.io/component",
                    serviceSelector.get("app.kubernetes.io/component"));

            List<String> command = new ArrayList<>(list(container.get("command")).stream().map(String::valueOf).toList());
            list(container.get("args")).forEach(a -> command.add(String.valueOf(a)));
            assertThat(command.subList(0, 2)).containsExactly("/bin/sh", "-c");
            ParseResult merge = mergeArguments(command.get(2), "/app/ticksink-tools.jar");
            assertThat(merge.matchedOptionValue("--data-dir", Path.of(""))).isEqualTo(Path.of(mounts.get(claims.entrySet().stream()
                    .filter(e -> e.getValue().equals(archiveClaim)).map(Map.Entry::getKey).findFirst().orElseThrow())));
            assertThat(merge.<List<Path>>matchedOptionValue("--from", List.of())).containsExactly(Path.of(mounts.get(source)));
        }
        assertThat(mergedClaims).as("every consumer volume is merged").hasSize(replicas);
        assertThat(schedules).as("the jobs take turns on the archive").hasSize(replicas);
    }

    @Test
    void theMergeJobsMayReachNothingOnTheNetwork() throws IOException {
        Map<String, Object> policy = documents(deploy.resolve("k8s/merge-cronjob.yaml")).stream()
                .filter(doc -> "NetworkPolicy".equals(doc.get("kind"))).findFirst().orElseThrow();
        Map<String, Object> cronJob = documents(deploy.resolve("k8s/merge-cronjob.yaml")).get(0);
        Map<String, Object> podLabels = map(map(map(map(map(map(cronJob.get("spec")).get("jobTemplate")).get("spec"))
                .get("template")).get("metadata")).get("labels"));
        Map<String, Object> spec = map(policy.get("spec"));

        assertThat(podLabels).containsAllEntriesOf(map(map(spec.get("podSelector")).get("matchLabels")));
        assertThat(list(spec.get("policyTypes"))).containsExactlyInAnyOrder("Ingress", "Egress");
        assertThat(spec).doesNotContainKeys("ingress", "egress");
    }

    @Test
    void theMergeTimerStartsAOneshotMergeOfTheConsumersDataDirAfterMidnightUtc() throws IOException {
        Map<String, String> timer = keyValues(deploy.resolve("systemd/ticksink-merge.timer"));
        Path serviceFile = deploy.resolve("systemd").resolve(timer.getOrDefault("Unit", "ticksink-merge.service"));
        Map<String, String> service = keyValues(serviceFile);
        Map<String, String> consumer = keyValues(deploy.resolve("systemd/ticksink-consumer.service"));
        Map<String, String> env = keyValues(deploy.resolve("systemd/ticksink.env"));
        String execStart = service.get("ExecStart");
        Matcher shell = Pattern.compile("^/bin/sh -c '(.*)'$").matcher(execStart);

        assertThat(serviceFile).isRegularFile();
        assertThat(timer.get("OnCalendar")).endsWith(" UTC");
        assertThat(timer).containsEntry("Persistent", "true");
        assertThat(service).containsEntry("Type", "oneshot").containsEntry("User", consumer.get("User"))
                .containsEntry("ProtectSystem", "strict").containsEntry("ReadWritePaths", consumer.get("ReadWritePaths"));
        assertThat(shell.find()).as(execStart).isTrue();
        // systemd turns $$ into $ and %% into % before the shell sees the line
        String script = shell.group(1).replace("$$", "$").replace("%%", "%");
        String toolsJar = consumer.get("ExecStart").replaceAll(".* -jar (\\S+)/ticksink-consumer\\.jar$", "$1/ticksink-tools.jar");
        ParseResult merge = mergeArguments(script, toolsJar);
        Path archive = merge.matchedOptionValue("--data-dir", Path.of(""));
        assertThat(merge.<List<Path>>matchedOptionValue("--from", List.of())).contains(Path.of(env.get("TICKSINK_DATA_DIR")));
        assertThat(archive.startsWith(Path.of(service.get("ReadWritePaths")))).as(archive + " inside ReadWritePaths").isTrue();
        assertThat(Path.of(env.get("TICKSINK_DATA_DIR")).startsWith(archive)).as("the data dir inside the archive").isFalse();
    }

    @Test
    void composeMergesEveryConsumersVolumeWithTheConsumersImage() throws IOException {
        Map<String, Object> services = map(single("docker-compose.yml").get("services"));
        Map<String, Object> merge = map(services.get("merge"));
        Map<String, String> mounts = new LinkedHashMap<>();
        list(merge.get("volumes")).stream().map(String::valueOf).forEach(v -> mounts.put(v.split(":")[0], v.split(":")[1]));
        List<String> consumerVolumes = composeConsumers().stream().flatMap(c -> list(c.get("volumes")).stream())
                .map(String::valueOf).filter(v -> v.endsWith(":/data")).map(v -> v.split(":")[0]).toList();
        List<Object> entrypoint = list(merge.get("entrypoint"));
        // compose turns $$ into $ before the shell sees the line
        String script = String.valueOf(list(merge.get("command")).get(0)).replace("$$", "$");

        assertThat(merge.get("image")).isEqualTo(composeConsumers().get(0).get("image"));
        assertThat(list(merge.get("profiles"))).as("not started by a plain `up`").isNotEmpty();
        assertThat(entrypoint).containsExactly("/bin/sh", "-c");
        ParseResult parsed = mergeArguments(script, "/app/ticksink-tools.jar");
        assertThat(parsed.<List<Path>>matchedOptionValue("--from", List.of())).containsExactlyInAnyOrderElementsOf(
                consumerVolumes.stream().map(v -> Path.of(mounts.get(v))).toList());
        assertThat(mounts.values().stream().map(Path::of)).contains(parsed.matchedOptionValue("--data-dir", Path.of("")));
    }

    /**
     * Parses the {@code ticksink-tools} arguments of a shell line that runs {@code java ... -jar
     * jar merge ...} with the tools' own command line, and checks that it merges yesterday (UTC).
     * Each {@code $(date -u -d EXPR +%F)} is replaced by the day it names as of {@link #TODAY}.
     */
    private static ParseResult mergeArguments(String script, String jar) {
        Matcher date = Pattern.compile("\\$\\(date -u -d ['\"]?(yesterday|(\\d+) days ago)['\"]? \\+%F\\)").matcher(script);
        StringBuilder expanded = new StringBuilder();
        while (date.find()) {
            long back = date.group(2) == null ? 1 : Long.parseLong(date.group(2));
            date.appendReplacement(expanded, TODAY.minusDays(back).toString());
        }
        date.appendTail(expanded);
        assertThat(expanded.toString()).as("every $( ) is a date the test understands").doesNotContain("$(");
        List<String> words = shellWords(expanded.toString());
        int jarAt = words.indexOf("-jar");

        assertThat(words.get(0)).as(script).isEqualTo("exec");
        assertThat(words.get(1)).endsWith("java");
        assertThat(words.subList(0, Math.max(0, jarAt))).contains(EXIT_ON_OOM);
        assertThat(jarAt).isPositive();
        assertThat(words.get(jarAt + 1)).isEqualTo(jar);
        assertThat(words.get(jarAt + 2)).isEqualTo("merge");
        // the tools' own command line: an unknown option, a bad day or duration, a missing --from fails here
        ParseResult parsed = Main.commandLine(Clock.system(ZoneOffset.UTC), new PrintWriter(new StringWriter()),
                new PrintWriter(new StringWriter())).parseArgs(words.subList(jarAt + 2, words.size()).toArray(String[]::new)).subcommand();
        assertThat(parsed.commandSpec().name()).isEqualTo("merge");
        assertThat(parsed.<List<LocalDate>>matchedOptionValue("--day", List.of())).contains(TODAY.minusDays(1));
        return parsed;
    }

    /** Splits a shell line into words the way sh does for plain words and '...' or "..." quoting (no expansions left). */
    private static List<String> shellWords(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = null;
        char quote = 0;
        for (char c : line.toCharArray()) {
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                word = word == null ? new StringBuilder() : word;
            } else if (Character.isWhitespace(c)) {
                if (word != null) {
                    words.add(word.toString());
                    word = null;
                }
            } else {
                word = word == null ? new StringBuilder() : word;
                word.append(c);
            }
        }
        assertThat(quote).as("quotes closed in " + line).isEqualTo((char) 0);
        if (word != null) {
            words.add(word.toString());
        }
        return words;
    }

    /** From SIGTERM to exit at worst: the batch in hand, then closing the Kafka clients, cut off by the shutdown hook. */
    private static Duration worstCaseStop(Duration shutdownTimeout) {
        return shutdownTimeout.plus(CLIENT_CLOSE_BOUNDS);
    }

    /** A NetworkPolicy rule's ports as PROTOCOL/PORT (TCP when no protocol is named). */
    private static List<String> ports(Object rule) {
        return list(map(rule).get("ports")).stream().map(DeployFilesTest::map)
                .map(p -> p.getOrDefault("protocol", "TCP") + "/" + p.get("port")).toList();
    }

    private static List<Map<String, Object>> composeConsumers() throws IOException {
        List<Map<String, Object>> consumers = new ArrayList<>();
        for (Object value : map(single("docker-compose.yml").get("services")).values()) {
            Map<String, Object> service = map(value);
            if (service.get("environment") != null && map(service.get("environment")).containsKey("TICKSINK_BOOTSTRAP_SERVERS")) {
                consumers.add(service);
            }
        }
        assertThat(consumers).isNotEmpty();
        return consumers;
    }

    private static String probe(Map<String, Object> container, String name, Map<String, Object> port) {
        Map<String, Object> httpGet = map(map(container.get(name)).get("httpGet"));
        Object target = httpGet.get("port");
        assertThat(target).as(name + " port").isIn(HTTP_PORT, port.get("name"));
        return String.valueOf(httpGet.get("path"));
    }

    private static Map<String, Object> consumerContainer() throws IOException {
        Map<String, Object> spec = map(single("k8s/statefulset.yaml").get("spec"));
        List<Object> containers = list(map(map(spec.get("template")).get("spec")).get("containers"));
        assertThat(containers).hasSize(1);
        return map(containers.get(0));
    }

    private static List<Path> yamlFiles() throws IOException {
        try (Stream<Path> walk = Files.walk(deploy)) {
            return walk.filter(Files::isRegularFile)
                    .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList();
        }
    }

    private static Map<String, Object> single(String relative) throws IOException {
        List<Map<String, Object>> docs = documents(deploy.resolve(relative));
        assertThat(docs).as(relative).hasSize(1);
        return docs.get(0);
    }

    private static List<Map<String, Object>> documents(Path file) throws IOException {
        List<Map<String, Object>> docs = new ArrayList<>();
        for (Object doc : new Yaml().loadAll(Files.readString(file))) {
            if (doc != null) {
                docs.add(map(doc));
            }
        }
        return docs;
    }

    /** {@code key=value} lines of a systemd unit or environment file, comments and sections left out. */
    private static Map<String, String> keyValues(Path file) throws IOException {
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file)) {
            String l = line.strip();
            int eq = l.indexOf('=');
            if (!l.isEmpty() && !l.startsWith("#") && !l.startsWith("[") && eq > 0) {
                values.put(l.substring(0, eq), l.substring(eq + 1));
            }
        }
        return values;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        assertThat(value).isInstanceOf(Map.class);
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object value) {
        assertThat(value).isInstanceOf(List.class);
        return (List<Object>) value;
    }

    @Test
    void prometheusInComposeScrapesEveryConsumerServiceAndLoadsTheAlertRules() throws IOException {
        Map<String, Object> services = map(single("docker-compose.yml").get("services"));
        Set<String> consumerTargets = new HashSet<>();
        services.forEach((name, value) -> {
            Map<String, Object> service = map(value);
            Map<String, Object> env = service.get("environment") == null ? Map.of() : map(service.get("environment"));
            if (env.containsKey("TICKSINK_BOOTSTRAP_SERVERS")) {
                // inside the compose network a consumer is reached by its service name, on its container port
                consumerTargets.add(name + ":" + env.get("TICKSINK_HTTP_PORT"));
            }
        });
        Map<String, Object> prometheus = map(services.get("prometheus"));
        Map<String, String> mounts = bindMounts(prometheus);
        String configFile = list(prometheus.get("command")).stream().map(String::valueOf)
                .filter(a -> a.startsWith("--config.file=")).map(a -> a.substring("--config.file=".length())).findFirst().orElseThrow();
        Map<String, Object> config = single(relativeToDeploy(mounts, configFile));
        List<Map<String, Object>> ticksinkJobs = list(config.get("scrape_configs")).stream().map(DeployFilesTest::map)
                .filter(job -> String.valueOf(job.get("job_name")).contains("ticksink")).toList();

        assertThat(ticksinkJobs).as("a scrape job whose name the alert TicksinkDown selects").hasSize(1);
        Map<String, Object> job = ticksinkJobs.get(0);
        assertThat(job.getOrDefault("metrics_path", "/metrics")).isEqualTo("/metrics");
        Set<String> targets = new HashSet<>();
        list(job.get("static_configs")).forEach(c -> list(map(c).get("targets")).forEach(t -> targets.add(String.valueOf(t))));
        assertThat(targets).as("every consumer service of docker-compose.yml, and nothing else").isEqualTo(consumerTargets);
        // Prometheus reads rule files relative to its config file's directory
        Path configDir = Path.of(configFile).getParent();
        List<String> ruleFiles = list(config.get("rule_files")).stream()
                .map(rule -> relativeToDeploy(mounts, configDir.resolve(String.valueOf(rule)).toString())).toList();
        assertThat(ruleFiles).containsExactly("prometheus/alerts.yml");
    }

    @Test
    void grafanaInComposeIsProvisionedFromFilesThatExistWithTheDashboardOnThatPrometheus() throws IOException {
        Map<String, Object> services = map(single("docker-compose.yml").get("services"));
        Map<String, Object> grafana = map(services.get("grafana"));
        Map<String, String> mounts = bindMounts(grafana);
        Map<String, Object> env = map(grafana.get("environment"));

        assertThat(mounts).containsValues("/etc/grafana/provisioning/datasources", "/etc/grafana/provisioning/dashboards");
        List<Map<String, Object>> datasources = new ArrayList<>();
        List<Map<String, Object>> providers = new ArrayList<>();
        for (String file : yamlFilesIn(relativeToDeploy(mounts, "/etc/grafana/provisioning/datasources"))) {
            list(single(file).get("datasources")).forEach(d -> datasources.add(map(d)));
        }
        for (String file : yamlFilesIn(relativeToDeploy(mounts, "/etc/grafana/provisioning/dashboards"))) {
            list(single(file).get("providers")).forEach(d -> providers.add(map(d)));
        }
        assertThat(datasources).hasSize(1);
        assertThat(datasources.get(0)).containsEntry("type", "prometheus").containsEntry("isDefault", true)
                .containsEntry("url", "http://prometheus:9090");
        assertThat(list(map(services.get("prometheus")).get("ports")).stream().map(String::valueOf)).anyMatch(p -> p.endsWith(":9090"));
        assertThat(providers).hasSize(1);
        String dashboardsDir = relativeToDeploy(mounts, String.valueOf(map(providers.get(0).get("options")).get("path")));
        assertThat(deploy.resolve(dashboardsDir).resolve("ticksink.json")).isRegularFile();
        assertThat(relativeToDeploy(mounts, String.valueOf(env.get("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"))))
                .isEqualTo(dashboardsDir + "/ticksink.json");
        assertThat(env).containsEntry("GF_AUTH_ANONYMOUS_ENABLED", "true").containsEntry("GF_AUTH_ANONYMOUS_ORG_ROLE", "Viewer");
    }

    @Test
    void composeMonitoringImagesArePinnedAndTheirPortsListenOnLocalhostOnly() throws IOException {
        Map<String, Object> services = map(single("docker-compose.yml").get("services"));

        for (String name : List.of("prometheus", "grafana")) {
            Map<String, Object> service = map(services.get(name));
            assertThat(String.valueOf(service.get("image"))).as(name + " image").matches("[a-z/]+:v?[0-9]+\\.[0-9]+\\.[0-9]+");
            assertThat(list(service.get("ports"))).as(name + " ports").isNotEmpty()
                    .allSatisfy(p -> assertThat(String.valueOf(p)).startsWith("127.0.0.1:"));
        }
    }

    /** A service's bind mounts of files in deploy/: container path to the path relative to deploy/ (which must exist). */
    private static Map<String, String> bindMounts(Map<String, Object> service) {
        Map<String, String> mounts = new LinkedHashMap<>();
        for (Object volume : list(service.get("volumes"))) {
            String[] parts = String.valueOf(volume).split(":");
            if (parts[0].startsWith("./")) {
                String relative = parts[0].substring(2);
                assertThat(deploy.resolve(relative)).as("mounted " + volume).exists();
                mounts.put(relative, parts[1]);
            }
        }
        return mounts;
    }

    /** The path in deploy/ that a path inside the container comes from, through the bind mounts. */
    private static String relativeToDeploy(Map<String, String> mounts, String containerPath) {
        for (Map.Entry<String, String> mount : mounts.entrySet()) {
            Path inside = Path.of(mount.getValue());
            if (Path.of(containerPath).startsWith(inside)) {
                String rest = inside.relativize(Path.of(containerPath)).toString();
                return rest.isEmpty() ? mount.getKey() : mount.getKey() + "/" + rest;
            }
        }
        throw new AssertionError(containerPath + " is not mounted from deploy/: " + mounts);
    }

    private static List<String> yamlFilesIn(String relativeDir) throws IOException {
        try (Stream<Path> files = Files.list(deploy.resolve(relativeDir))) {
            List<String> yaml = files.filter(f -> f.toString().endsWith(".yml") || f.toString().endsWith(".yaml"))
                    .map(f -> deploy.relativize(f).toString()).sorted().toList();
            assertThat(yaml).as("provisioning files in " + relativeDir).isNotEmpty();
            return yaml;
        }
    }
}
