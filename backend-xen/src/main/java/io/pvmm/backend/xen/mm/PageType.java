package io.pvmm.backend.xen.mm;

/**
 * The type field of a frame's {@code type_info} ({@code xen/include/asm-x86/mm.h}, Xen 3.1): what the
 * frame is used as while its type count is above zero. Descriptor and L4 types are not modelled.
 */
public enum PageType {

    /** {@code PGT_none}: never typed. */
    NONE(0),
    /** {@code PGT_l1_page_table}: a pte page. */
    L1(1),
    /** {@code PGT_l2_page_table}: a page directory (a 2-level root, or a PAE pmd). */
    L2(2),
    /** {@code PGT_l3_page_table}: a PAE root (the PDPT). */
    L3(3),
    /** {@code PGT_writable_page}: mapped writable somewhere. */
    WRITABLE(7);

    private final int bits;

    PageType(int bits) {
        this.bits = bits;
    }

    /** @return the value of the type field (bits 29-31 of {@code type_info}) */
    int bits() {
        return bits;
    }

    /** @return whether this is a page-table type ({@code <= PGT_l4_page_table}, not none) */
    public boolean isPageTable() {
        return this == L1 || this == L2 || this == L3;
    }

    static PageType ofBits(int bits) {
        return switch (bits) {
            case 0 -> NONE;
            case 1 -> L1;
            case 2 -> L2;
            case 3 -> L3;
            case 7 -> WRITABLE;
            default -> throw new IllegalArgumentException("type field " + bits);
        };
    }
}
