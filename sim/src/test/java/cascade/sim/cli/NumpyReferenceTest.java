package cascade.sim.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue 12: which BLAS NumPy runs on, from the libraries its process maps (paths as seen on Debian 12). */
class NumpyReferenceTest {
    @Test
    void debiansNumpyOnTheReferenceBlasIsNotTunedAlthoughLapackMapsOpenblas() {
        // Measured at 3.2 GFLOP/s: sgemm goes to libblas.so.3, OpenBLAS is only there for LAPACK.
        NumpyReference.Blas b = NumpyReference.Blas.of(List.of(
            "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblasp-r0.3.21.so",
            "/usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0"));
        assertEquals(NumpyReference.Blas.REFERENCE, b);
    }

    @Test
    void debiansNumpyThroughTheOpenblasAlternativeIsOpenblas() {
        assertEquals(NumpyReference.Blas.OPENBLAS, NumpyReference.Blas.of(List.of(
            "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblasp-r0.3.21.so",
            "/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3")));
    }

    @Test
    void aWheelsBundledOpenblasIsOpenblasAndNoLibraryIsNoBlas() {
        assertEquals(NumpyReference.Blas.OPENBLAS, NumpyReference.Blas.of(List.of(
            "/root/.pyenv/versions/3.11.7/lib/python3.11/site-packages/numpy.libs/libscipy_openblas64_-32a4b2a6.so")));
        assertEquals(NumpyReference.Blas.MKL, NumpyReference.Blas.of(List.of("/opt/intel/lib/libmkl_rt.so.2")));
        assertEquals(NumpyReference.Blas.NONE, NumpyReference.Blas.of(List.of()));
    }

    @Test
    void onlyATunedBlasIsComparable() {
        NumpyReference reference = new NumpyReference("/usr/bin/python3", "1.24.2", NumpyReference.Blas.REFERENCE,
            List.of("/usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0"), null, 3.2);
        NumpyReference.Search onlyReference = new NumpyReference.Search(reference, List.of(reference), List.of());
        assertNull(onlyReference.comparable());
        NumpyReference tuned = new NumpyReference("/usr/bin/python3", "1.24.2", NumpyReference.Blas.OPENBLAS,
            List.of("/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3"), "Zen", 49.6);
        assertEquals(tuned, new NumpyReference.Search(tuned, List.of(reference, tuned), List.of()).comparable());
    }
}
