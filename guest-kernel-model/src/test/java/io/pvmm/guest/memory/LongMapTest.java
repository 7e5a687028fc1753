package io.pvmm.guest.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;

@DisplayName("LongMap: a long-keyed map without boxing, as the slab cache's index of its slabs")
class LongMapTest {

    @Test
    @DisplayName("get finds what put stored, put replaces, remove unmaps, and size follows")
    void basics() {
        LongMap<String> m = new LongMap<>();
        assertThat(m.get(7)).isNull();
        m.put(7, "a");
        m.put(0, "zero");
        m.put(7, "b");
        assertThat(m.get(7)).isEqualTo("b");
        assertThat(m.get(0)).isEqualTo("zero");
        assertThat(m.size()).isEqualTo(2);
        m.remove(7);
        m.remove(99);
        assertThat(m.get(7)).isNull();
        assertThat(m.size()).isEqualTo(1);
    }

    @RepeatedTest(value = 6, name = "seed {currentRepetition}")
    @DisplayName("seeded puts and removes over a small key range (so probes collide and removals shift runs back) agree with a HashMap")
    void agreesWithHashMap(RepetitionInfo rep) {
        SplittableRandom rnd = new SplittableRandom(rep.getCurrentRepetition());
        LongMap<Long> m = new LongMap<>();
        Map<Long, Long> reference = new HashMap<>();
        long range = 1 + rnd.nextInt(400);
        for (int step = 0; step < 20_000; step++) {
            long key = rnd.nextBoolean() ? rnd.nextLong(range) : rnd.nextLong(range) << 20; // sequential and strided frames
            if (rnd.nextInt(3) == 0) {
                m.remove(key);
                reference.remove(key);
            } else {
                m.put(key, (long) step);
                reference.put(key, (long) step);
            }
            long probe = rnd.nextBoolean() ? rnd.nextLong(range) : rnd.nextLong(range) << 20;
            assertThat(m.get(probe)).as("step %d, key %d", step, probe).isEqualTo(reference.get(probe));
        }
        assertThat(m.size()).isEqualTo(reference.size());
        for (Map.Entry<Long, Long> e : reference.entrySet()) {
            assertThat(m.get(e.getKey())).isEqualTo(e.getValue());
        }
        List<Long> values = new ArrayList<>();
        m.forEachValue(values::add);
        assertThat(values).containsExactlyInAnyOrderElementsOf(reference.values());
    }
}
