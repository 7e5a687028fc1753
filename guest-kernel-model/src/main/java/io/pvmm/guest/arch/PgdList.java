package io.pvmm.guest.arch;

import java.util.AbstractSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * {@code pgd_list} (arch/i386/mm/pgtable.c, 2.6.21): the roots threaded through their
 * {@code struct page}s. {@code pgd_list_add} puts a root at the head, {@code pgd_list_del} unlinks it
 * wherever it is, and a walk ({@code set_pmd_pte}, {@code vmalloc_sync_all}) goes from the head, so the
 * newest root is written first. Not thread-safe: every use is under {@code pgd_lock}.
 */
final class PgdList extends AbstractSet<Long> {

    /** A root's links: {@code page->index} (next) and the back pointer kept in {@code page_private}. */
    private static final class Node {
        final long pgd;
        Node next;
        Node prev;

        Node(long pgd) {
            this.pgd = pgd;
        }
    }

    private final Map<Long, Node> nodes = new HashMap<>();
    private Node head;

    /** {@code pgd_list_add}: at the head. */
    @Override
    public boolean add(Long pgd) {
        if (nodes.containsKey(pgd)) {
            return false;
        }
        Node n = new Node(pgd);
        n.next = head;
        if (head != null) {
            head.prev = n;
        }
        head = n;
        nodes.put(pgd, n);
        return true;
    }

    /** {@code pgd_list_del}. */
    @Override
    public boolean remove(Object pgd) {
        Node n = nodes.remove(pgd);
        if (n == null) {
            return false;
        }
        if (n.prev != null) {
            n.prev.next = n.next;
        } else {
            head = n.next;
        }
        if (n.next != null) {
            n.next.prev = n.prev;
        }
        return true;
    }

    @Override
    public boolean contains(Object pgd) {
        return nodes.containsKey(pgd);
    }

    @Override
    public int size() {
        return nodes.size();
    }

    /** @return the roots from the head: the most recently added first */
    @Override
    public Iterator<Long> iterator() {
        return new Iterator<>() {
            private Node at = head;

            @Override
            public boolean hasNext() {
                return at != null;
            }

            @Override
            public Long next() {
                if (at == null) {
                    throw new NoSuchElementException();
                }
                long pgd = at.pgd;
                at = at.next;
                return pgd;
            }
        };
    }
}
