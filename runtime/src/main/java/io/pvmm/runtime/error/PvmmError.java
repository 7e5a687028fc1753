package io.pvmm.runtime.error;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The catalogue of every error pvmm reports, each with a stable code ({@code PVMM-E002}), a title,
 * a message template, its cause and its fix. The runtime's messages, {@code docs/errors.md} and
 * {@code pvmm explain} all come from here.
 *
 * <p>A template's first line is the headline; the others are detail lines. Placeholders are
 * {@code {name}}; an argument may span several lines, and detail lines that come out blank are
 * dropped, so an optional part is an argument that may be empty.
 *
 * <p><b>Stability:</b> a code never changes meaning and is never reused. Codes E001 to E018 are
 * fixed; later work adds codes from E019 on: E019 to E029 are the command line's own errors (its
 * parsing, conflicting options), E030 to E032 the command line's hook recordings and backend jar
 * checks, E033 to E039 the backend path's entries, E050 to E054 the import and recording of strace
 * logs, E065 the guest kernel a backend serves, E070 to E079 the cost model's profiles and overrides.
 */
public enum PvmmError {

    /** No provider was found at all. */
    NO_BACKEND(1, ErrorKind.BACKEND_SELECTION, "no backend provider found",
            "no backend provider found\nSearched: {searched}.\n"
                    + "Install a backend: put its jar on the class path (the distribution's lib/ directory holds the built-in ones).\n{failures}",
            "ServiceLoader found no class registered as io.pvmm.api.BackendProvider where the runtime looked. "
                    + "The distribution ships the native backend in lib/; a class path put together by hand may have left every backend jar out.",
            "Run pvmm through ./pvmm or the distribution's bin/pvmm, or add a backend jar (for example pvmm-backend-native) to the class path. "
                    + "A backend jar registers its provider in META-INF/services/io.pvmm.api.BackendProvider, and with provides in its module-info.",
            null, "searched", "the class path of class loader 'app'", "failures", ""),

    /** The configured backend name is not a discovered provider's name. */
    UNKNOWN_BACKEND(2, ErrorKind.BACKEND_SELECTION, "unknown backend",
            "unknown backend '{name}'\nDiscovered: {discovered}.{suggestion}\n{failures}",
            "The configured backend name is not the name of any discovered provider. Names are exact and lower-case; "
                    + "a backend whose jar is missing, or whose provider failed to load (PVMM-E004), is not discovered.",
            "Choose one of the discovered names (pvmm backends lists them with the jar each came from), "
                    + "correct the value in the source the message names, or install the backend's jar.",
            "system property pvmm.backend",
            "name", "xne",
            "discovered", "native (/opt/pvmm/lib/pvmm-backend-native-1.0.0.jar), vmi (/opt/pvmm/lib/pvmm-backend-vmi-1.0.0.jar), "
                    + "xen (/opt/pvmm/lib/pvmm-backend-xen-1.0.0.jar)",
            "suggestion", " Did you mean 'xen'?",
            "failures", ""),

    /** Two providers share one name. */
    DUPLICATE_BACKEND(3, ErrorKind.BACKEND_SELECTION, "two backend providers with one name",
            "more than one backend provider is named '{name}'\n{providers}\nA backend name must be unique: remove all but one of these jars.{more}",
            "Two providers on the class path return the same name, so configuration cannot tell them apart: "
                    + "usually two versions of one backend's jar, or a third-party backend that reused a built-in name.",
            "Remove the extra jar (keep the version you mean to run), or ask the third-party backend's author to choose another name.",
            null,
            "name", "xen",
            "providers", "- io.pvmm.backend.xen.XenProvider (/opt/pvmm/lib/pvmm-backend-xen-1.0.0.jar)\n"
                    + "- io.pvmm.backend.xen.XenProvider (/opt/pvmm/backends/pvmm-backend-xen-0.9.0.jar)",
            "more", ""),

    /** A provider's registration could not be turned into a usable provider. */
    PROVIDER_LOAD_FAILED(4, ErrorKind.WARNING, "a backend provider failed to load",
            "backend provider {provider} could not be loaded\nCause: {cause}\nThe other backends are still available.",
            "ServiceLoader found the provider's registration but could not use it: the class named in META-INF/services is missing or misspelt, "
                    + "does not implement io.pvmm.api.BackendProvider (on the class path, a second copy of the pvmm api ahead of pvmm's; "
                    + "a jar in backends/ always gets pvmm's api, so a copy bundled there is ignored, and only pvmm backends check flags it), "
                    + "has no public no-argument constructor, or its constructor or one of its descriptive methods "
                    + "(name, description, spiVersion, pagingModes, platform, settings) threw. It is a warning: every command lists it and "
                    + "goes on; selecting the backend then fails with PVMM-E002, whose message names this failure, and pvmm backends check "
                    + "reports the same jar as PVMM-E032.",
            "Read the cause. Keep the provider's constructor free of work (do it in create); make the service file name the provider "
                    + "class exactly; depend on pvmm-api with scope provided; run pvmm backends check on the jar.",
            "/opt/pvmm/backends/acme-backend-0.3.jar",
            "provider", "com.acme.pvmm.AcmeProvider",
            "cause", "java.lang.IllegalStateException: license file not found"),

    /** The chosen provider's create() threw. */
    BACKEND_CREATE_FAILED(5, ErrorKind.BACKEND_SELECTION, "a backend's create() failed",
            "backend '{name}' could not be created: its provider's create() threw\nCause: {cause}\nProvider: {provider} ({location}).",
            "The backend was selected and its settings were valid, but BackendProvider.create threw while building the backend for the guest.",
            "Read the cause: it is the backend's own error. Check the backend's settings (pvmm backends --explain lists them) "
                    + "and its documentation; if the cause is a bug in the backend, report it to its author with this message.",
            null,
            "name", "vmi",
            "cause", "java.lang.IllegalArgumentException: p2m-seed must be odd",
            "provider", "io.pvmm.backend.vmi.VmiProvider",
            "location", "/opt/pvmm/lib/pvmm-backend-vmi-1.0.0.jar"),

    /** The chosen backend does not support the configured paging mode. */
    UNSUPPORTED_PAGING_MODE(6, ErrorKind.BACKEND_SELECTION, "paging mode not supported by the backend",
            "backend '{name}' does not support paging mode '{mode}'\nIt supports: {supported}.\n"
                    + "Choose a supported mode (--mode, pvmm.mode), or another backend.",
            "Each backend lists the paging modes it can serve (BackendProvider.pagingModes); the configured mode is not among them.",
            "Set the mode to one the backend supports, or choose a backend that supports the mode; pvmm backends lists each backend's modes.",
            "--mode option",
            "name", "acme",
            "mode", "pae",
            "supported", "two-level"),

    /** The chosen provider was built against an SPI version this runtime cannot run. */
    INCOMPATIBLE_SPI_VERSION(7, ErrorKind.BACKEND_SELECTION, "backend built against an incompatible SPI version",
            "backend '{name}' was built against SPI {providerVersion}, which this runtime's SPI {runtimeVersion} cannot run\n"
                    + "Rule: a provider runs when its major version equals the runtime's and its minor version is not newer.\n"
                    + "Provider: {provider} ({location}).",
            "BackendProvider.spiVersion names the SPI version the backend was compiled against. A different major version, "
                    + "or a newer minor version, may call methods this runtime does not have.",
            "Use a build of the backend made against an SPI this runtime can run (same major version, minor version not newer), "
                    + "or run a pvmm whose SPI can run the backend.",
            "system property pvmm.backend",
            "name", "acme",
            "providerVersion", "2.0",
            "runtimeVersion", "1.1",
            "provider", "com.acme.pvmm.AcmeProvider",
            "location", "/opt/pvmm/backends/acme-backend-2.1.jar"),

    /** A configuration key that nothing declares. */
    UNKNOWN_SETTING(8, ErrorKind.CONFIGURATION, "unknown setting key",
            "unknown setting '{key}'\nAccepted: {accepted}.{suggestion}",
            "Every key pvmm reads is declared: the runtime's own (backend, backend.path, mode, config), each discovered backend's settings "
                    + "as <backend>.<key>, and the namespaces the guest model registers. A key outside them is most often a typo, "
                    + "and is refused rather than ignored.",
            "Correct the key in the source the message names (the suggestion is the closest declared key), or remove it. "
                    + "pvmm backends lists each backend's settings; docs/configuration.md tells how a key is spelt in each source.",
            "system property pvmm.bakend",
            "key", "pvmm.bakend",
            "accepted", "pvmm.backend, pvmm.config, pvmm.mode",
            "suggestion", " Did you mean 'pvmm.backend'?"),

    /** A declared key with a value that does not fit its type. */
    INVALID_SETTING_VALUE(9, ErrorKind.CONFIGURATION, "invalid setting value",
            "invalid value '{value}' for setting '{key}'\n{problem}",
            "The key is declared, but the value does not fit its type: a boolean, an integer, a number, or one of a list of choices.",
            "Give a value the message accepts, in the source it names.",
            "environment PVMM_MODE",
            "value", "pea",
            "key", "mode",
            "problem", "'pea' is not one of two-level, pae"),

    /** The configuration file cannot be read or parsed. */
    CONFIG_FILE_UNREADABLE(10, ErrorKind.CONFIGURATION, "configuration file unreadable or malformed",
            "configuration file {path} cannot be used\n{problem}",
            "A configuration file named explicitly (--config, pvmm.config, PVMM_CONFIG) does not exist or cannot be read, "
                    + "or a file cannot be parsed as Java properties in UTF-8. A missing ./pvmm.properties is not an error: that file is optional.",
            "Point the option at an existing, readable file, or fix the line the message names. "
                    + "Keys are written pvmm.<key>=<value>, one per line; # starts a comment.",
            "--config option",
            "path", "/home/ana/sim.properties",
            "problem", "No such file."),

    /** A workload name that is neither built in nor a trace file. */
    UNKNOWN_WORKLOAD(11, ErrorKind.CONFIGURATION, "unknown workload",
            "unknown workload '{name}'\nAvailable: {available}.{suggestion}",
            "The workload named in configuration is neither a built-in workload nor a trace file.",
            "Choose one of the listed workloads, or give the path of a trace file.",
            "--set option",
            "name", "fork-strom",
            "available", "boot, fork-storm",
            "suggestion", " Did you mean 'fork-storm'?"),

    /** A trace file line that does not follow the trace format. */
    MALFORMED_TRACE(12, ErrorKind.INPUT, "malformed trace file",
            "trace file {path} is malformed at line {line}\nExpected: {expected}.\nFound: {found}",
            "A line of a trace file does not follow the trace format.",
            "Fix the line, or record the trace again. Each line is one event: an operation name followed by its arguments.",
            null,
            "path", "/home/ana/traces/make.trace",
            "line", "17",
            "expected", "mmap <pid> <address> <length>",
            "found", "mmap 12 0x08048000"),

    /** A trace file that is missing or unreadable. */
    TRACE_UNREADABLE(13, ErrorKind.INPUT, "trace file missing or unreadable",
            "trace file {path} cannot be read\nCause: {cause}",
            "The trace file named in configuration does not exist or cannot be read.",
            "Check the path (a relative path is resolved against the working directory) and the file's permissions.",
            null,
            "path", "/home/ana/traces/make.trace",
            "cause", "java.nio.file.NoSuchFileException: /home/ana/traces/make.trace"),

    /** An output path that cannot be written. */
    OUTPUT_NOT_WRITABLE(14, ErrorKind.INPUT, "output path not writable",
            "output path {path} is not writable\nCause: {cause}",
            "pvmm could not create or write a report or result file at the path given.",
            "Choose a path in a directory that exists and that you can write, or create the directory first.",
            null,
            "path", "/reports/run.html",
            "cause", "java.nio.file.AccessDeniedException: /reports/run.html"),

    /** A file offered as a backend that is not one. */
    NOT_A_BACKEND_JAR(15, ErrorKind.INPUT, "not a backend jar",
            "{path} is not a backend jar\n{problem}",
            "A file offered as a backend is not a readable jar, or registers no io.pvmm.api.BackendProvider "
                    + "in META-INF/services or in its module-info.",
            "Give the jar the backend's project builds (not its sources or tests jar); a backend jar registers exactly one provider.",
            null,
            "path", "/home/ana/acme-backend-0.3-sources.jar",
            "problem", "It registers no io.pvmm.api.BackendProvider in META-INF/services."),

    /** The guest's memory is exhausted. */
    GUEST_OUT_OF_MEMORY(16, ErrorKind.RUN, "guest out of memory",
            "the guest ran out of memory\n{detail}",
            "Reserved; this version does not raise it. The model meets a guest out of memory as the kernel does: the fork, "
                    + "fault or table allocation that finds no free frame fails with -ENOMEM or VM_FAULT_OOM, and the run's report "
                    + "counts it under outcomes. The code keeps its meaning for a later version that stops a run on it.",
            "Give the guest more memory (guest.memory-mib), or run a lighter workload, if the outcomes show "
                    + "out-of-memory failures you did not intend.",
            null,
            "detail", "pte_alloc_one found no free frame: 4096 of 4096 frames in use."),

    /** A backend threw something other than a ParavirtViolation. */
    BACKEND_FAILURE(17, ErrorKind.RUN, "a backend failed during a run",
            "backend '{name}' threw {exception} in {operation}\n"
                    + "A backend refuses a call with a ParavirtViolation; any other exception is a bug in the backend.\nCause: {cause}",
            "The backend threw an exception that is not a ParavirtViolation while the guest ran.",
            "Report it to the backend's author with this message, the workload and the seed that reproduce it.",
            null,
            "name", "acme",
            "exception", "java.lang.NullPointerException",
            "operation", "allocPt(0x1a3)",
            "cause", "java.lang.NullPointerException: Cannot invoke \"Shadow.copy()\" because \"shadow\" is null"),

    /** The guest model's own invariant check failed. */
    GUEST_BUG(18, ErrorKind.RUN, "the guest hit a BUG",
            "the guest hit BUG: {invariant}\n{detail}",
            "The guest kernel model checks the invariants the kernel checks with BUG_ON, and one of them failed with no "
                    + "guest bug injected: the model has a bug. (With a bug injected on purpose, guest.bug, the BUG is an expected "
                    + "outcome: pvmm run and pvmm compare report it as a finding and exit with 4, without this error.)",
            "Report it with the workload, the mode, the backend and the seed that reproduce it.",
            null,
            "invariant", "pmd_bad(*pmd)",
            "detail", "pmd entry 0x00000063 at 0x00101c00 does not point to a page table."),

    /** One key given two different values on the command line. */
    CONFLICTING_OPTIONS(19, ErrorKind.CONFIGURATION, "one setting given twice on the command line",
            "'{key}' is given two values on the command line: '{first}' ({firstSource}) and '{second}' ({secondSource})\n"
                    + "The command line overrides every other source, so within it a key takes one value: give it once.",
            "An option and --set name the same key (--backend xen --set backend=vmi), or --set names it twice with different "
                    + "values. pvmm cannot tell which was meant, so it refuses rather than pick one; the same value given twice is accepted.",
            "Remove one of the two. To override a value from the environment or the configuration file, give it once on the command line.",
            null,
            "key", "backend",
            "first", "xen",
            "firstSource", "--backend option",
            "second", "vmi",
            "secondSource", "--set option"),

    /** The command line cannot be parsed. */
    BAD_COMMAND_LINE(20, ErrorKind.INPUT, "the command line cannot be parsed",
            "{problem}\n{suggestions}\nRun '{command} --help' for usage, or 'pvmm help'.",
            "The command line names a command or option pvmm does not have, leaves out a value or an argument an option or "
                    + "command needs, gives a single-valued option twice, or writes a value in a form the option does not take "
                    + "(--set and -D take KEY=VALUE).",
            "Correct the command line as the message says; each command's --help lists its options and arguments, "
                    + "and docs/cli.md has them all.",
            null,
            "problem", "Unknown option: '--nosuch'",
            "suggestions", "Possible solutions: --seed",
            "command", "pvmm run"),

    /** A hook recording line that does not follow the format. */
    MALFORMED_HOOK_RECORDING(30, ErrorKind.INPUT, "malformed hook recording",
            "hook recording {path} is malformed at line {line}\nExpected: {expected}.\nFound: {found}",
            "A file given to pvmm replay-hooks is not a hook recording as pvmm run --record-hooks writes it: "
                    + "the header is missing or incomplete, a call names an unknown method or has the wrong number of "
                    + "arguments, an argument is not a hexadecimal number, or the file ends before its end line.",
            "Record the run again with pvmm run --record-hooks FILE; docs/cli.md describes the format line by line.",
            null,
            "path", "/home/ana/fork.hooks",
            "line", "12",
            "expected", "<vcpu> setPte <pa> <value>",
            "found", "0 setPte 0x1c00"),

    /** A hook recording that is missing or unreadable. */
    HOOK_RECORDING_UNREADABLE(31, ErrorKind.INPUT, "hook recording missing or unreadable",
            "hook recording {path} cannot be read\nCause: {cause}",
            "The file given to pvmm replay-hooks does not exist or cannot be read.",
            "Check the path (a relative path is resolved against the working directory) and the file's permissions.",
            null,
            "path", "/home/ana/fork.hooks",
            "cause", "java.nio.file.NoSuchFileException: /home/ana/fork.hooks"),

    /** A backend jar that failed some of pvmm backends check's checks. */
    BACKEND_JAR_CHECK_FAILED(32, ErrorKind.INPUT, "backend jar failed its checks",
            "{path} failed {failed} of the backend checks\n{problems}",
            "pvmm backends check found that a jar registers its provider, and is a backend, but breaks a rule a "
                    + "backend jar must keep: the service file and module-info name different providers, the jar bundles "
                    + "its own copy of the pvmm SPI classes, or its provider cannot be constructed or describe itself.",
            "Fix each failed check the report lists: name the same provider class in META-INF/services/io.pvmm.api.BackendProvider "
                    + "and in module-info's provides; depend on pvmm-api with scope provided so its classes stay out of the jar; "
                    + "keep the provider's constructor free of work.",
            null,
            "path", "/home/ana/acme-backend-0.3.jar",
            "failed", "1",
            "problems", "failed: no copy of the SPI classes: the jar holds 14 classes of io.pvmm.api (e.g. io/pvmm/api/ParavirtOps.class)"),

    /** A directory of the backend path does not exist. */
    BACKEND_PATH_MISSING(33, ErrorKind.WARNING, "backend path directory does not exist",
            "backend path directory {path} does not exist\nNothing was loaded from it.",
            "A directory named by --backend-path, pvmm.backend.path or PVMM_BACKEND_PATH does not exist (often a typo, or a path "
                    + "relative to another working directory). The distribution's own backends/ may be missing without a warning.",
            "Correct the path, or create the directory and put the backend's jar in it; pvmm backends lists what each directory gave.",
            "--backend-path option",
            "path", "/home/ana/pvmm-backnds"),

    /** An entry of the backend path is a file. */
    BACKEND_PATH_NOT_A_DIRECTORY(34, ErrorKind.WARNING, "backend path entry is not a directory",
            "backend path entry {path} is {what}, not a directory\n{hint}\nNothing was loaded from it.",
            "The backend path names directories, each holding backend jars or sub-directories of jars; this entry is a file, "
                    + "often the backend's jar itself.",
            "Name the directory that holds the jar, or copy the jar into the distribution's backends/ directory.",
            "--backend-path option",
            "path", "/home/ana/acme-backend-0.3.jar",
            "what", "a jar",
            "hint", "The backend path names directories of backend jars: name the jar's directory, /home/ana, or copy the jar into a directory of the path."),

    /** A jar on the backend path cannot be read. */
    BACKEND_JAR_UNREADABLE(35, ErrorKind.WARNING, "backend jar cannot be read",
            "{path} on the backend path is not a readable jar: {problem}\nIt was not loaded.",
            "A file named *.jar in a backend directory is not a zip archive (truncated by a copy, or another file renamed), "
                    + "or is an empty one.",
            "Copy the backend's jar again from its build (target/*.jar), and check it with pvmm backends check.",
            "--backend-path option",
            "path", "/home/ana/pvmm-backends/acme-backend-0.3.jar",
            "problem", "it cannot be read as a jar: java.util.zip.ZipException: zip END header not found"),

    /** A file on the backend path that is not a jar. */
    NOT_A_JAR_ON_BACKEND_PATH(36, ErrorKind.WARNING, "file on the backend path is not a jar",
            "{path} on the backend path is not a jar\nOnly *.jar files, and sub-directories of them, are loaded; it was ignored.",
            "A backend directory holds a file whose name does not end in .jar (a zip of the jar, a renamed download, notes).",
            "Unpack or rename what should be a backend jar; move other files out of the backend directory.",
            "distribution (PVMM_HOME)",
            "path", "/opt/pvmm/backends/acme-backend-0.3.zip"),

    /** A jar on the backend path that registers no provider. */
    BACKEND_JAR_REGISTERS_NOTHING(37, ErrorKind.WARNING, "backend jar registers no provider",
            "{path} on the backend path registers no backend provider\n{problem}\nIt was loaded, but gives no backend.",
            "The jar has no META-INF/services/io.pvmm.api.BackendProvider. Backend jars are loaded on the class path, where "
                    + "ServiceLoader reads only that file: a provides in module-info alone is not seen.",
            "Add META-INF/services/io.pvmm.api.BackendProvider naming the provider class (AutoService writes it), rebuild, and check "
                    + "the jar with pvmm backends check.",
            "--backend-path option",
            "path", "/home/ana/pvmm-backends/acme-backend-0.3.jar",
            "problem", "Its module-info provides io.pvmm.api.BackendProvider with com.acme.pvmm.AcmeProvider, but backend jars are loaded "
                    + "on the class path, where only META-INF/services/io.pvmm.api.BackendProvider is read."),

    /** The configured guest kernel is older than the selected backend serves. */
    KERNEL_NOT_SERVED(65, ErrorKind.CONFIGURATION, "guest kernel older than the backend serves",
            "backend '{name}' cannot run guest kernel {kernel}: it serves {minimum} and later\n"
                    + "Why: {why}\nAccepted for '{name}' in {mode} mode: {accepted}.{others}\n"
                    + "Remove guest.kernel to run '{name}' at {minimum}, set an accepted version, or choose another backend.",
            "A backend declares the oldest guest kernel it serves (PlatformRequirements.minimumKernel). Xen's is 2.6.23, the first "
                    + "kernel with the pv-ops Xen guest (arch/i386/xen): 2.6.21's paravirt_ops has no activate_mm, dup_mmap, exit_mmap "
                    + "or pagetable_setup_start/done, where Xen pins and unpins roots, and its PAE roots always share the kernel pmd, "
                    + "which Xen refuses. guest.kernel chose an older kernel than that.",
            "Leave guest.kernel unset (each backend then runs the oldest kernel it serves: 2.6.21 for native, vmi, shadow and nested, "
                    + "2.6.23 for xen), set it to a version the message accepts, or choose a backend that serves the kernel "
                    + "(pvmm backends lists each backend's minimum kernel under platform).",
            "--set guest.kernel",
            "name", "xen",
            "kernel", "2.6.21",
            "minimum", "2.6.23",
            "why", "2.6.23 is the first Xen pv-ops kernel: it added the activate_mm, dup_mmap, exit_mmap and pagetable_setup_start/done "
                    + "hooks and the unshared PAE kernel pmd.",
            "mode", "two-level",
            "accepted", "2.6.23",
            "others", " Backends that serve 2.6.21: native, nested, shadow, vmi."),

    /** An strace log that cannot be imported as a trace. */
    STRACE_LOG_MALFORMED(50, ErrorKind.INPUT, "strace log cannot be imported",
            "strace log {path} cannot be imported: {problem}\nAccepted: {accepted}.\n{fix}\nNothing was written.",
            "pvmm import-strace reads what strace -f -e trace=%process,%memory -o FILE writes (strace 6; -t, -tt, -ttt, -T, -i "
                    + "and -y are understood). The file is empty, holds no strace line at all, or a memory call the import needs "
                    + "has arguments it cannot read (for example after -X raw or -e abbrev options that change how strace writes them).",
            "Give the file strace wrote with -o, recorded with -f -e trace=%process,%memory, or record one in one step with "
                    + "pvmm record -- COMMAND. The line number in the message points at the first line that could not be read.",
            null,
            "path", "make.strace",
            "problem", "line 17: cannot read the arguments of mmap(NULL, 8192, PROT_READ) = 0x7f0c7f295000",
            "accepted", "mmap(ADDR|NULL, LEN, PROT_...|..., MAP_...|..., FD, OFFSET) = ADDR",
            "fix", "Record the log again with strace -f -e trace=%process,%memory -o FILE, or fix the line."),

    /** An strace log that cannot be read. */
    STRACE_LOG_UNREADABLE(51, ErrorKind.INPUT, "strace log missing or unreadable",
            "strace log {path} cannot be read\nCause: {cause}",
            "The file given to pvmm import-strace does not exist, is a directory, or cannot be read.",
            "Check the path (a relative path is resolved against the working directory) and the file's permissions.",
            null,
            "path", "/home/ana/make.strace",
            "cause", "java.nio.file.NoSuchFileException: /home/ana/make.strace"),

    /** A mapping that does not fit in the i386 user space, with --oversize refuse. */
    MAPPING_DOES_NOT_FIT(52, ErrorKind.INPUT, "a mapping does not fit in the i386 user space",
            "strace log {path}, line {line}: {problem}\nAccepted: {accepted}.\n{fix}\nNothing was written.",
            "The traced program mapped more, or more widely spread, memory than the 3 GiB i386 user space holds below its mmap "
                    + "base (0xB7F00000) once its program and heap are placed, and the import was asked to refuse such mappings "
                    + "(--oversize refuse).",
            "Import with --oversize clip (the default), which keeps the part of each mapping that fits and lists what it cut "
                    + "among the warnings, or trace a smaller run of the program.",
            null,
            "path", "java.strace",
            "line", "212",
            "problem", "mmap of 0x100000000 bytes at 0x7f0000000000 does not fit: only 0xafc00000 bytes fit, at 0x8300000",
            "accepted", "mappings that fit, with the program's others, below 0xB7F00000 in the 3 GiB i386 user space",
            "fix", "Import with --oversize clip to keep the part that fits, or trace a smaller run of the program."),

    /** pvmm record needs strace and cannot find it. */
    STRACE_NOT_FOUND(53, ErrorKind.RUN, "strace is not installed",
            "strace not found: {detail}\npvmm record runs strace -f -e trace=%process,%memory -o FILE COMMAND to record a program.\n"
                    + "Install it (Debian, Ubuntu: apt-get install strace; Fedora: dnf install strace), or name it with --strace PATH.",
            "pvmm record looks for strace on the PATH (or runs the program --strace names) and found none that it could start.",
            "Install strace with the system's package manager (apt-get install strace on Debian and Ubuntu), or give its path "
                    + "with --strace. An strace log recorded elsewhere can be imported with pvmm import-strace FILE.",
            null,
            "detail", "no strace on PATH (/usr/local/bin:/usr/bin:/bin)"),

    /** strace ran but left no log to import. */
    STRACE_RECORD_FAILED(54, ErrorKind.RUN, "strace did not record the command",
            "strace did not record '{command}': {detail}\nstrace said: {stderr}",
            "strace started but wrote no log: the command could not be found or run, or strace could not trace it "
                    + "(ptrace forbidden in a container, for example).",
            "Check that the command runs on its own; in a container, allow ptrace (for Docker: --cap-add=SYS_PTRACE). "
                    + "strace's own message is quoted.",
            null,
            "command", "mkae -j2",
            "detail", "strace exited with status 1 and wrote no log",
            "stderr", "strace: Can't stat 'mkae': No such file or directory"),

    /** A cost profile names an event there is no such event for. */
    COST_PROFILE_UNKNOWN_EVENT(70, ErrorKind.INPUT, "a cost profile names an unknown event",
            "cost profile {profile} ({resource}), line {line}: unknown event '{event}'\nAccepted: {accepted}.{suggestion}",
            "Each line of a cost profile prices one event: the guest's own work as guest.<event> in the profile the model "
                    + "ships, a backend's typed cost events (io.pvmm.api.CostEvent ids) in the profile the backend ships. "
                    + "The line names neither.",
            "Correct the event's name (pvmm explain PVMM-E070 lists the accepted forms; docs/validation.md lists the "
                    + "events), or remove the line. A backend's profile names its events without a prefix.",
            null,
            "profile", "xeon-2003",
            "resource", "jar:file:/opt/pvmm/lib/pvmm-backend-xen-1.0.0.jar!/io/pvmm/backend/xen/cost/xeon-2003.profile",
            "line", "4",
            "event", "hypercal",
            "accepted", "hypercall, validated-entry, trap-and-emulate, vm-exit, shadow-update, tlb-flush, tlb-miss, "
                    + "walk-reference, pin, multicall",
            "suggestion", " Did you mean 'hypercall'?"),

    /** A cost profile line that cannot be read. */
    COST_PROFILE_MALFORMED(71, ErrorKind.INPUT, "a cost profile line cannot be read",
            "cost profile {profile} ({resource}), line {line}: {problem}\nAccepted: {accepted}.",
            "A cost profile holds one event a line: its name, its cycles as a whole number, and where the figure comes from. "
                    + "The guest's profile also holds one clock line. The line is not in that shape: the cycles are not a "
                    + "number, or the citation is missing (every cost carries its source, or says it is assumed).",
            "Write the line as EVENT CYCLES CITATION, for example: hypercall 1080 lmbench null call, SOSP 2003 Table 3; "
                    + "an assumed figure says so: validated-entry 40 assumed: no published figure.",
            null,
            "profile", "p4-2006",
            "resource", "io/pvmm/guest/cost/p4-2006.profile",
            "line", "7",
            "problem", "'guest.page-fault 1,093' has no citation",
            "accepted", "EVENT CYCLES CITATION; clock GHZ DESCRIPTION; # comments and blank lines"),

    /** No cost profile has the configured name. */
    UNKNOWN_COST_PROFILE(72, ErrorKind.CONFIGURATION, "unknown cost profile",
            "unknown cost profile '{name}'\nAccepted: {accepted}.{suggestion}",
            "The cost model prices a run with a named profile of the guest's hardware (its clock and the cost of the "
                    + "guest's own work), which each backend completes with its own costs. No profile has that name.",
            "Choose one of the accepted profiles (docs/validation.md says what hardware each stands for).",
            "--set cost.profile",
            "name", "p4",
            "accepted", "xeon-2003, p4-2006",
            "suggestion", " Did you mean 'p4-2006'?"),

    /** A cost override names an unknown backend or event, or is not a number. */
    BAD_COST_OVERRIDE(73, ErrorKind.CONFIGURATION, "a cost override cannot be applied",
            "cost override {key}={value}: {problem}\nAccepted: {accepted}.",
            "A cost override replaces one figure of the profile: cost.<backend>.<event>=cycles for a backend's event, "
                    + "cost.guest.<event>=cycles for the guest's own work. The key names no discovered backend or no event, "
                    + "or the value is not a whole number of cycles.",
            "Correct the key or the value: the backend is a discovered backend's name (or guest), the event one of the "
                    + "accepted ones, the cycles a whole number, 0 or more.",
            "--set",
            "key", "cost.xen.hypercal",
            "value", "900",
            "problem", "xen has no event 'hypercal'",
            "accepted", "cost.<backend>.<event>=cycles with a CostEvent id, cost.guest.<event>=cycles with syscall, page-fault, "
                    + "clear-page, copy-page, page-walk, tlb-flush, context-switch");

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z]+)}");

    private final int number;
    private final ErrorKind kind;
    private final String title;
    private final String template;
    private final String cause;
    private final String fix;
    private final String exampleSource;
    private final Map<String, String> exampleArgs;

    PvmmError(int number, ErrorKind kind, String title, String template, String cause, String fix,
              String exampleSource, String... exampleArgs) {
        this.number = number;
        this.kind = kind;
        this.title = title;
        this.template = template;
        this.cause = cause;
        this.fix = fix;
        this.exampleSource = exampleSource;
        this.exampleArgs = new LinkedHashMap<>();
        for (int i = 0; i < exampleArgs.length; i += 2) {
            this.exampleArgs.put(exampleArgs[i], exampleArgs[i + 1]);
        }
    }

    /**
     * The stable code, {@code PVMM-E} and three digits.
     *
     * @return e.g. {@code PVMM-E002}
     */
    public String code() {
        return String.format(Locale.ROOT, "PVMM-E%03d", number);
    }

    /**
     * The number of the code.
     *
     * @return e.g. 2 for {@code PVMM-E002}
     */
    public int number() {
        return number;
    }

    /**
     * The anchor of the error's entry in {@code docs/errors.md}.
     *
     * @return e.g. {@code pvmm-e002}
     */
    public String anchor() {
        return code().toLowerCase(Locale.ROOT);
    }

    /**
     * Where the error is documented, as printed at the end of every message.
     *
     * @return e.g. {@code docs/errors.md#pvmm-e002}
     */
    public String docsLink() {
        return "docs/errors.md#" + anchor();
    }

    /**
     * The class of the error, which fixes the exit code.
     *
     * @return the kind
     */
    public ErrorKind kind() {
        return kind;
    }

    /**
     * A short title, the same for every occurrence.
     *
     * @return e.g. {@code unknown backend}
     */
    public String title() {
        return title;
    }

    /**
     * The message template, with {@code {name}} placeholders.
     *
     * @return the template
     */
    public String template() {
        return template;
    }

    /**
     * Why the error happens, for the documentation.
     *
     * @return the cause in plain words
     */
    public String cause() {
        return cause;
    }

    /**
     * What to do about it, for the documentation.
     *
     * @return the fix in plain words
     */
    public String fix() {
        return fix;
    }

    /**
     * A message as the runtime would report it, for the documentation.
     *
     * @return the example exception
     */
    public PvmmException example() {
        return new PvmmException(this, exampleSource, exampleArgs);
    }

    /**
     * Finds an error by its code, ignoring case; {@code PVMM-E002}, {@code E002} and {@code e2} all
     * name {@link #UNKNOWN_BACKEND}.
     *
     * @param code the code to look up
     * @return the error, or empty if no error has that code
     */
    public static Optional<PvmmError> fromCode(String code) {
        String c = code.trim().toUpperCase(Locale.ROOT);
        if (c.startsWith("PVMM-")) {
            c = c.substring("PVMM-".length());
        }
        if (!c.matches("E\\d{1,3}")) {
            return Optional.empty();
        }
        int n = Integer.parseInt(c.substring(1));
        for (PvmmError e : values()) {
            if (e.number == n) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    /**
     * Fills the template's placeholders.
     *
     * @param args a value for every placeholder, and nothing else
     * @return the filled template, lines separated by {@code \n}
     * @throws IllegalArgumentException if a placeholder has no value or a value has no placeholder
     */
    String fill(Map<String, ?> args) {
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder();
        Set<String> used = new HashSet<>();
        while (m.find()) {
            String name = m.group(1);
            if (!args.containsKey(name)) {
                throw new IllegalArgumentException(code() + ": no value for {" + name + "}");
            }
            used.add(name);
            m.appendReplacement(out, Matcher.quoteReplacement(String.valueOf(args.get(name))));
        }
        m.appendTail(out);
        for (String name : args.keySet()) {
            if (!used.contains(name)) {
                throw new IllegalArgumentException(code() + ": the template has no {" + name + "}");
            }
        }
        return out.toString();
    }
}
