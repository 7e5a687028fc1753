package io.pvmm.runtime.wiring;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.BackendContext;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The context a backend receives")
class SettingsContextTest {

    @Test
    @DisplayName("forwards every BackendContext method, so a method added to the SPI cannot be missed")
    void overridesEveryMethod() {
        for (Method m : BackendContext.class.getMethods()) {
            if (Modifier.isStatic(m.getModifiers())) {
                continue;
            }
            assertThat(Arrays.stream(SettingsContext.class.getDeclaredMethods())
                    .anyMatch(d -> d.getName().equals(m.getName()) && Arrays.equals(d.getParameterTypes(), m.getParameterTypes())))
                    .as("SettingsContext overrides %s", m.getName()).isTrue();
        }
    }
}
