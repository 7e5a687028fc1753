package io.pvmm.runtime.guest;

import io.pvmm.api.KernelVersion;
import io.pvmm.api.PagingMode;
import io.pvmm.api.PlatformRequirements;
import io.pvmm.guest.arch.KernelLayout;
import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.config.KernelNotServed;
import io.pvmm.guest.run.AuditSchedule;
import io.pvmm.guest.workload.WorkloadSettings;
import io.pvmm.runtime.PvmmRuntime;
import io.pvmm.runtime.Selection;
import io.pvmm.runtime.config.Configuration;
import io.pvmm.runtime.config.ConfigValue;
import io.pvmm.runtime.config.SettingNamespace;
import io.pvmm.runtime.discovery.BackendRegistry;
import io.pvmm.runtime.discovery.DiscoveredBackend;
import io.pvmm.runtime.error.PvmmError;
import io.pvmm.runtime.error.PvmmException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What the runtime knows of the guest model: its two setting namespaces ({@code guest.*} and
 * {@code workload.*}), checked like every other setting, and how to read them into the model's
 * configuration with the runtime's error codes.
 */
public final class GuestRuntime {

    /** The guest's namespace. */
    public static final SettingNamespace GUEST = new SettingNamespace(GuestConfig.NAMESPACE, GuestConfig.specs());
    /** The workload's namespace: {@code workload.name} chooses the workload, the others size the built-ins. */
    public static final SettingNamespace WORKLOAD = new SettingNamespace(WorkloadSettings.NAMESPACE, WorkloadSettings.specs());
    /** The audit schedule's namespace: {@code audit.every}. */
    public static final SettingNamespace AUDIT = new SettingNamespace(AuditSchedule.NAMESPACE, AuditSchedule.specs());

    private GuestRuntime() {
    }

    /**
     * The runtime over the backends the SPI's class loader finds, with the guest's namespaces.
     *
     * @return the runtime
     */
    public static PvmmRuntime discover() {
        return withGuest(PvmmRuntime.discover());
    }

    /**
     * Adds the guest's namespaces to a runtime.
     *
     * @param runtime a runtime without them
     * @return the runtime with {@code guest.*}, {@code workload.*} and {@code audit.*}
     */
    public static PvmmRuntime withGuest(PvmmRuntime runtime) {
        return runtime.withNamespace(GUEST).withNamespace(WORKLOAD).withNamespace(AUDIT);
    }

    /**
     * The guest's configuration, checked against the paging mode it will boot in.
     *
     * @param config the configuration
     * @param mode   the paging mode (the memory size it can address depends on it)
     * @return the guest's settings
     * @throws PvmmException {@link PvmmError#INVALID_SETTING_VALUE} for a value out of range, naming its source
     */
    public static GuestConfig guestConfig(Configuration config, PagingMode mode) {
        Map<String, ConfigValue> values = config.namespace(GuestConfig.NAMESPACE);
        try {
            GuestConfig guest = GuestConfig.fromSettings(plain(config.settings(GuestConfig.NAMESPACE).asMap()));
            KernelLayout.checkMemory(mode, guest.memoryMib());
            return guest;
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw invalid(values, e, "guest");
        }
    }

    /**
     * The guest's configuration for the selected backend: checked against the paging mode, with the
     * kernel resolved, {@code guest.kernel} if it is set (and served), else the oldest kernel the
     * backend serves.
     *
     * @param registry  the discovered backends, to name those that serve a kernel the selected one does not
     * @param config    the configuration
     * @param selection the selected backend and mode
     * @return the guest's settings, {@link GuestConfig#kernel()} set
     * @throws PvmmException {@link PvmmError#INVALID_SETTING_VALUE} for a value out of range,
     *                       {@link PvmmError#KERNEL_NOT_SERVED} when {@code guest.kernel} is older than the backend serves
     */
    public static GuestConfig guestConfig(BackendRegistry registry, Configuration config, Selection selection) {
        GuestConfig guest = guestConfig(config, selection.mode());
        PlatformRequirements platform = selection.backend().platform().get(selection.mode());
        try {
            return guest.withKernel(guest.kernelFor(platform));
        } catch (KernelNotServed e) {
            throw kernelNotServed(registry, config, selection, e);
        }
    }

    private static PvmmException kernelNotServed(BackendRegistry registry, Configuration config, Selection selection, KernelNotServed e) {
        PagingMode mode = selection.mode();
        String accepted = Arrays.stream(KernelVersion.values()).filter(k -> k.isAtLeast(e.minimum()))
                .map(KernelVersion::toString).collect(Collectors.joining(", "));
        List<String> others = registry.backends().stream()
                .filter(b -> b.supports(mode) && b.platform().get(mode).serves(e.chosen()))
                .map(DiscoveredBackend::name).sorted().toList();
        ConfigValue value = config.get(GuestConfig.NAMESPACE + ".kernel");
        return new PvmmException(PvmmError.KERNEL_NOT_SERVED, value.source().description(), Map.of(
                "name", selection.name(), "kernel", e.chosen(), "minimum", e.minimum(), "why", e.minimum().summary(),
                "mode", mode.configName(), "accepted", accepted,
                "others", others.isEmpty() ? "" : " Backends that serve " + e.chosen() + ": " + String.join(", ", others) + "."));
    }

    /**
     * The built-in workloads' sizes.
     *
     * @param config the configuration
     * @return the workload settings
     * @throws PvmmException {@link PvmmError#INVALID_SETTING_VALUE} for a value out of range
     */
    public static WorkloadSettings workloadSettings(Configuration config) {
        Map<String, ConfigValue> values = config.namespace(WorkloadSettings.NAMESPACE);
        try {
            return WorkloadSettings.fromSettings(plain(config.settings(WorkloadSettings.NAMESPACE).asMap()));
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw invalid(values, e, "workload");
        }
    }

    /**
     * When the backend is audited.
     *
     * @param config the configuration
     * @return the audit schedule
     * @throws PvmmException {@link PvmmError#INVALID_SETTING_VALUE} for a value out of range
     */
    public static AuditSchedule auditSchedule(Configuration config) {
        Map<String, ConfigValue> values = config.namespace(AuditSchedule.NAMESPACE);
        try {
            return AuditSchedule.fromSettings(plain(config.settings(AuditSchedule.NAMESPACE).asMap()));
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw invalid(values, e, "audit");
        }
    }

    private static Map<String, String> plain(Map<String, String> m) {
        return new LinkedHashMap<>(m);
    }

    private static PvmmException invalid(Map<String, ConfigValue> values, RuntimeException e, String namespace) {
        String message = String.valueOf(e.getMessage());
        for (Map.Entry<String, ConfigValue> v : values.entrySet()) {
            String key = v.getKey();
            if (message.contains(key)) {
                return new PvmmException(PvmmError.INVALID_SETTING_VALUE, v.getValue().source().description(),
                        Map.of("value", v.getValue().value(), "key", v.getValue().key(), "problem", message));
            }
        }
        ConfigValue any = values.values().stream().findFirst().orElse(null);
        return new PvmmException(PvmmError.INVALID_SETTING_VALUE, any == null ? "configuration" : any.source().description(),
                Map.of("value", any == null ? "" : any.value(), "key", namespace + ".*", "problem", message));
    }

    /** @return every namespace the guest adds */
    public static List<SettingNamespace> namespaces() {
        return List.of(GUEST, WORKLOAD, AUDIT);
    }
}
