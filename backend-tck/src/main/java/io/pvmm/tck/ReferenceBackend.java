package io.pvmm.tck;

import io.pvmm.api.BackendContext;
import io.pvmm.api.BackendSettings;
import io.pvmm.api.GuestMemory;
import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtOps;
import io.pvmm.api.PlatformRequirements;
import io.pvmm.guest.run.BackendFactory;
import java.util.List;
import java.util.Objects;

/**
 * The kit's oracle: bare hardware, where every lifecycle hook does nothing and every write stores its
 * value. It is not a backend anyone selects (it is not registered with {@link java.util.ServiceLoader});
 * the kit runs the same guest on it, under the platform the backend under test requires, to know
 * where the guest's pages must map.
 */
public final class ReferenceBackend implements ParavirtOps {

    private final GuestMemory memory;

    private ReferenceBackend(GuestMemory memory) {
        this.memory = Objects.requireNonNull(memory, "memory");
    }

    /**
     * A factory for the reference backend under given platform requirements, so the guest boots the
     * way it boots for the backend it is compared with.
     *
     * @param platform what the compared backend requires of the guest
     * @return the factory
     */
    public static BackendFactory factory(PlatformRequirements platform) {
        Objects.requireNonNull(platform, "platform");
        return new BackendFactory() {
            @Override
            public String name() {
                return "reference";
            }

            @Override
            public PlatformRequirements platform(PagingMode mode) {
                return platform;
            }

            @Override
            public BackendSettings settings() {
                return BackendSettings.defaults(List.of());
            }

            @Override
            public ParavirtOps create(BackendContext context) {
                return new ReferenceBackend(context.memory());
            }
        };
    }

    @Override
    public void allocPt(long pfn) {
    }

    @Override
    public void allocPd(long pfn) {
    }

    @Override
    public void allocPdClone(long pfn, long clonePfn, int start, int count) {
    }

    @Override
    public void releasePt(long pfn) {
    }

    @Override
    public void releasePd(long pfn) {
    }

    @Override
    public void setPte(long ptePa, long value) {
        memory.writeEntry(ptePa, value);
    }

    @Override
    public void setPmd(long pmdPa, long value) {
        memory.writeEntry(pmdPa, value);
    }
}
