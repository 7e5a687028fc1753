package io.pvmm.guest.memory;

import java.util.function.Consumer;

/**
 * A map from {@code long} keys (page frames) to objects that boxes nothing: open addressing with linear
 * probing, at most half full, removal by backward shift so no tombstones build up. Not thread-safe:
 * its owner guards it.
 *
 * @param <V> the value type
 */
final class LongMap<V> {

    private long[] keys = new long[16];
    private Object[] values = new Object[16];
    private int shift = 64 - 4;
    private int size;

    private int home(long key) {
        return (int) ((key * 0x9E37_79B9_7F4A_7C15L) >>> shift);
    }

    /** @return the slot holding {@code key}, or the empty slot where its probe ends */
    private int slot(long key) {
        int mask = keys.length - 1;
        int i = home(key);
        while (values[i] != null && keys[i] != key) {
            i = (i + 1) & mask;
        }
        return i;
    }

    /**
     * @param key a key
     * @return its value, or null
     */
    @SuppressWarnings("unchecked")
    V get(long key) {
        return (V) values[slot(key)];
    }

    /**
     * Maps a key, replacing any value it had.
     *
     * @param key   a key
     * @param value a value, not null
     */
    void put(long key, V value) {
        if (value == null) {
            throw new NullPointerException("value");
        }
        if (2 * (size + 1) > keys.length) {
            grow();
        }
        int i = slot(key);
        if (values[i] == null) {
            size++;
        }
        keys[i] = key;
        values[i] = value;
    }

    private void grow() {
        long[] oldKeys = keys;
        Object[] oldValues = values;
        keys = new long[oldKeys.length * 2];
        values = new Object[oldValues.length * 2];
        shift--;
        for (int j = 0; j < oldKeys.length; j++) {
            if (oldValues[j] != null) {
                int i = slot(oldKeys[j]);
                keys[i] = oldKeys[j];
                values[i] = oldValues[j];
            }
        }
    }

    /**
     * Unmaps a key, if mapped.
     *
     * @param key a key
     */
    void remove(long key) {
        int mask = keys.length - 1;
        int hole = slot(key);
        if (values[hole] == null) {
            return;
        }
        values[hole] = null;
        size--;
        // pull back each later entry of the run whose home does not lie after the hole (cyclically)
        for (int i = (hole + 1) & mask; values[i] != null; i = (i + 1) & mask) {
            int h = home(keys[i]);
            boolean movable = hole <= i ? (h <= hole || h > i) : (h <= hole && h > i);
            if (movable) {
                keys[hole] = keys[i];
                values[hole] = values[i];
                values[i] = null;
                hole = i;
            }
        }
    }

    /** @return how many keys are mapped */
    int size() {
        return size;
    }

    /**
     * Runs an action on every value, in no particular order.
     *
     * @param action the action
     */
    @SuppressWarnings("unchecked")
    void forEachValue(Consumer<? super V> action) {
        for (Object v : values) {
            if (v != null) {
                action.accept((V) v);
            }
        }
    }
}
