package io.pvmm.cli;

import io.pvmm.runtime.error.ErrorDocs;
import io.pvmm.runtime.error.PvmmError;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code pvmm explain CODE}: prints an error's entry from docs/errors.md; without a code, lists the codes. */
@Command(name = "explain", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Explain an error code: its cause, its fix and an example (the entry of docs/errors.md).")
final class ExplainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "CODE", arity = "0..1", description = "An error code, e.g. PVMM-E002 or E002; none lists every code.")
    String code;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (code == null) {
            for (PvmmError e : PvmmError.values()) {
                out.println(e.code() + "  " + e.title());
            }
            return ExitCodes.OK;
        }
        PvmmError error = PvmmError.fromCode(code).orElseThrow(() -> new ParameterException(spec.commandLine(),
                "unknown error code '" + code + "'; codes run from " + PvmmError.values()[0].code() + " to "
                        + PvmmError.values()[PvmmError.values().length - 1].code() + " (pvmm explain lists them)"));
        out.print(ErrorDocs.entry(error));
        return ExitCodes.OK;
    }
}
