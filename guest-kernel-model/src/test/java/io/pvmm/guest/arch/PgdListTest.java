package io.pvmm.guest.arch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Iterator;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** pgd_list as 2.6.21 keeps it: each root once, the newest at the head, unlinked from anywhere. */
class PgdListTest {

    @Test
    @DisplayName("a root joins at the head once; a second add changes nothing")
    void addAtTheHead() {
        PgdList list = new PgdList();
        assertThat(list.add(0x1000L)).isTrue();
        assertThat(list.add(0x2000L)).isTrue();
        assertThat(list.add(0x3000L)).isTrue();
        assertThat(list.add(0x2000L)).isFalse();
        assertThat(list).containsExactly(0x3000L, 0x2000L, 0x1000L);
        assertThat(list.size()).isEqualTo(3);
        assertThat(list.contains(0x2000L)).isTrue();
        assertThat(list.contains(0x4000L)).isFalse();
    }

    @Test
    @DisplayName("a root leaves from the head, the middle or the tail; leaving twice changes nothing")
    void removeAnywhere() {
        PgdList list = new PgdList();
        for (long pgd = 0x1000; pgd <= 0x5000; pgd += 0x1000) {
            list.add(pgd);
        }
        assertThat(list.remove(0x3000L)).isTrue();
        assertThat(list).containsExactly(0x5000L, 0x4000L, 0x2000L, 0x1000L);
        assertThat(list.remove(0x5000L)).isTrue();
        assertThat(list).containsExactly(0x4000L, 0x2000L, 0x1000L);
        assertThat(list.remove(0x1000L)).isTrue();
        assertThat(list).containsExactly(0x4000L, 0x2000L);
        assertThat(list.remove(0x1000L)).isFalse();
        assertThat(list.size()).isEqualTo(2);
        list.add(0x6000L);
        assertThat(list).containsExactly(0x6000L, 0x4000L, 0x2000L);
        assertThat(list.remove(0x2000L)).isTrue();
        assertThat(list.remove(0x4000L)).isTrue();
        assertThat(list.remove(0x6000L)).isTrue();
        assertThat(list).isEmpty();
        assertThat(list.add(0x7000L)).isTrue();
        assertThat(list).containsExactly(0x7000L);
    }

    @Test
    @DisplayName("the iterator ends at the tail")
    void iteratorEnds() {
        PgdList list = new PgdList();
        list.add(0x1000L);
        Iterator<Long> it = list.iterator();
        assertThat(it.next()).isEqualTo(0x1000L);
        assertThat(it.hasNext()).isFalse();
        assertThatThrownBy(it::next).isInstanceOf(NoSuchElementException.class);
    }
}
