package io.pvmm.runtime.guest;

import io.pvmm.api.PagingMode;
import io.pvmm.guest.arch.KernelLayout;
import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.run.AuditSchedule;
import io.pvmm.guest.workload.WorkloadSettings;
import io.pvmm.runtime.PvmmRuntime;
import io.pvmm.runtime.config.Configuration;
import io.pvmm.runtime.config.ConfigValue;
import io.pvmm.runtime.config.SettingNamespace;
import io.pvmm.runtime.error.PvmmError;
import io.pvmm.runtime.error.PvmmException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
