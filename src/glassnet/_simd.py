"""A SIMD vector type for numba, and the register-blocked matrix product built on it.

numba compiles loops over scalars; LLVM vectorises the simple ones, but it cannot keep a tile of
a matrix product's output in registers across the loop over the shared dimension, which is what
makes a product fast. This module gives numba kernels an explicit vector value, ``Vec``: a row
of ``LANES`` consecutive floats (64 float32 = four AVX-512 registers; 16 = two AVX2 registers
elsewhere) held as one LLVM vector. :func:`matmul` keeps a 4 x LANES block of its output in
registers while it streams through the inputs (skipping steps whose inputs are all zero on
CPUs where that pays). :func:`flush_subnormals` and
:func:`restore_fp_control` switch the CPU's handling of subnormal floats (x86-64's MXCSR).

Operations (each compiles to a few vector instructions):

- ``vsplat(like, x)``: every lane ``x``, in the dtype of the array ``like``;
- ``vload(a, i, j)``: ``a[i, j:j + LANES]``, lanes past the row's end read as 0;
- ``vstore(a, i, j, v)``: ``a[i, j:j + LANES] = v``, lanes past the row's end left alone;
- ``vfma(a, b, c)``: ``a * b + c`` lane by lane (``llvm.fmuladd``: one fused instruction where
  the CPU has FMA, a multiply and an add where it does not);
- ``vlanes(like)``: ``LANES`` for the dtype of ``like``, a compile-time constant.

``vload`` and ``vstore`` need a C-contiguous 2-D float32 or float64 array; they do not check
``i`` (callers keep it in range). The kernel lives in this file because numba's on-disk cache is
keyed on the contents of the file that defines a function: an edit to the vector operations
must invalidate the compiled kernel too. Only :mod:`glassnet._numba_kernels` imports this module,
so numba is imported only when its kernels are selected.
"""

from __future__ import annotations

import llvmlite
import llvmlite.binding as llvm
import numpy as np
from llvmlite import ir
from numba import carray, config, njit, types
from numba.core import cgutils
from numba.core.errors import TypingError
from numba.extending import intrinsic, models, register_model

# One Vec is four 512-bit registers with AVX-512 (32 of them), two 256-bit ones otherwise (AVX2
# has 16): the kernel holds four Vecs of accumulators plus two operands without spilling. numba
# compiles for the host unless NUMBA_CPU_NAME names another target (a cache shared between
# machines): then the host's AVX-512 says nothing, and the narrower Vec is the safe choice.
AVX512 = config.CPU_NAME is None and llvm.get_host_cpu_features().get("avx512f", False)
_VEC_BITS = 4 * 512 if AVX512 else 2 * 256
# LLVM lanes (floats) per Vec, by dtype
LANES = {types.float32: _VEC_BITS // 32, types.float64: _VEC_BITS // 64}
_I32 = ir.IntType(32)


class Vec(types.Type):
    """The numba type of ``lanes`` floats of ``dtype`` held as one LLVM vector."""

    def __init__(self, dtype, lanes: int):
        self.dtype, self.lanes = dtype, lanes
        super().__init__(name=f"Vec({dtype} x {lanes})")


@register_model(Vec)
class _VecModel(models.PrimitiveModel):
    def __init__(self, dmm, fe_type):
        element = dmm.lookup(fe_type.dtype).get_value_type()
        super().__init__(dmm, fe_type, ir.VectorType(element, fe_type.lanes))


def _vec_type(array, what: str) -> Vec:
    if not isinstance(array, types.Array) or array.dtype not in LANES:
        raise TypingError(f"{what} needs a float32 or float64 array, got {array}")
    return Vec(array.dtype, LANES[array.dtype])


def _row_array(array, what: str) -> Vec:
    if array.ndim != 2 or array.layout != "C":
        raise TypingError(f"{what} needs a C-contiguous 2-D array, got {array}")
    return _vec_type(array, what)


def _splat(builder, vector_type, value):
    """A vector with every lane ``value``."""
    one = builder.insert_element(ir.Constant(vector_type, ir.Undefined), value,
                                 ir.Constant(_I32, 0))
    zeros = ir.Constant(ir.VectorType(_I32, vector_type.count), [0] * vector_type.count)
    return builder.shuffle_vector(one, one, zeros)


def _row_pointer(context, builder, sig, args):
    """For (a, i, j, ...): a pointer to a[i, j] typed as a Vec pointer, j, the row's length and
    the Vec's LLVM type."""
    array_type, array = sig.args[0], context.make_array(sig.args[0])(context, builder, args[0])
    i, j = (context.cast(builder, v, t, types.intp)
            for v, t in zip(args[1:3], sig.args[1:3], strict=True))
    element = cgutils.get_item_pointer(context, builder, array_type, array, [i, j],
                                       wraparound=False)
    width = cgutils.unpack_tuple(builder, array.shape)[1]
    vector = context.get_value_type(Vec(array_type.dtype, LANES[array_type.dtype]))
    return builder.bitcast(element, vector.as_pointer()), j, width, vector


def _tail_mask(builder, j, width, lanes):
    """Lane l is on when j + l < width."""
    index_type = ir.VectorType(j.type, lanes)
    lane_index = builder.add(_splat(builder, index_type, j),
                             ir.Constant(index_type, list(range(lanes))))
    return builder.icmp_signed("<", lane_index, _splat(builder, index_type, width))


def _llvm_suffix(vector) -> str:
    return f"v{vector.count}{'f32' if vector.element == ir.FloatType() else 'f64'}"


def _masked_intrinsic(builder, name, vector, mask_type):
    """LLVM's llvm.masked.load / llvm.masked.store for ``vector``, its name mangled for the
    pointers llvmlite writes (typed ones unless llvmlite says otherwise)."""
    typed = getattr(llvmlite, "ir_layer_typed_pointers_enabled", True)
    pointer_suffix = "p0" + _llvm_suffix(vector) if typed else "p0"
    pointer = vector.as_pointer()
    if name == "load":  # (pointer, alignment, mask, pass-through) -> vector
        signature = ir.FunctionType(vector, [pointer, _I32, mask_type, vector])
    else:  # (value, pointer, alignment, mask)
        signature = ir.FunctionType(ir.VoidType(), [vector, pointer, _I32, mask_type])
    return cgutils.get_or_insert_function(
        builder.module, signature, f"llvm.masked.{name}.{_llvm_suffix(vector)}.{pointer_suffix}")


@intrinsic
def vload(typingctx, array, i, j):
    vec = _row_array(array, "vload")

    def codegen(context, builder, sig, args):
        pointer, j, width, vector = _row_pointer(context, builder, sig, args)
        whole = builder.icmp_signed("<=", builder.add(j, ir.Constant(j.type, vec.lanes)), width)
        with builder.if_else(whole) as (then, otherwise):
            with then:
                full_block, full = builder.basic_block, builder.load(pointer, align=4)
            with otherwise:
                mask = _tail_mask(builder, j, width, vec.lanes)
                load = _masked_intrinsic(builder, "load", vector, mask.type)
                part = builder.call(load, [pointer, ir.Constant(_I32, 4), mask,
                                           ir.Constant(vector, None)])
                part_block = builder.basic_block
        value = builder.phi(vector)
        value.add_incoming(full, full_block)
        value.add_incoming(part, part_block)
        return value

    return vec(array, i, j), codegen


@intrinsic
def vstore(typingctx, array, i, j, value):
    vec = _row_array(array, "vstore")
    if value != vec:
        raise TypingError(f"vstore: {value} does not fit {array}")

    def codegen(context, builder, sig, args):
        pointer, j, width, vector = _row_pointer(context, builder, sig, args)
        whole = builder.icmp_signed("<=", builder.add(j, ir.Constant(j.type, vec.lanes)), width)
        with builder.if_else(whole) as (then, otherwise):
            with then:
                builder.store(args[3], pointer, align=4)
            with otherwise:
                mask = _tail_mask(builder, j, width, vec.lanes)
                store = _masked_intrinsic(builder, "store", vector, mask.type)
                builder.call(store, [args[3], pointer, ir.Constant(_I32, 4), mask])
        return context.get_dummy_value()

    return types.void(array, i, j, value), codegen


@intrinsic
def vsplat(typingctx, like, x):
    vec = _vec_type(like, "vsplat")

    def codegen(context, builder, sig, args):
        value = context.cast(builder, args[1], sig.args[1], vec.dtype)
        return _splat(builder, context.get_value_type(vec), value)

    return vec(like, x), codegen


@intrinsic
def vfma(typingctx, a, b, c):
    if not (isinstance(a, Vec) and a == b == c):
        raise TypingError(f"vfma needs three vectors of one type, got {a}, {b}, {c}")

    def codegen(context, builder, sig, args):
        vector = args[0].type
        # fmuladd, not fma: without FMA hardware llvm.fma becomes a call to a software fmaf
        fma = cgutils.get_or_insert_function(builder.module, ir.FunctionType(vector, [vector] * 3),
                                             f"llvm.fmuladd.{_llvm_suffix(vector)}")
        return builder.call(fma, args)

    return a(a, b, c), codegen


@intrinsic
def vlanes(typingctx, like):
    lanes = _vec_type(like, "vlanes").lanes

    def codegen(context, builder, sig, args):
        return context.get_constant(types.intp, lanes)

    return types.intp(like), codegen


def _product_kernel(name: str, skip_zeros: bool, listed: bool):
    """The product kernel: over every inner step, over every step but those whose four inputs
    are zero (``skip_zeros``), or over listed steps (``listed``: block k of four rows, counted
    from row 0, runs ``steps[k, :counts[k]]``, from :func:`nonzero_steps`); numba compiles the
    two flags as constants. Each variant gets its own name: numba keys its disk cache and the
    compiled code's environment on it, and two closures of one name loaded from the cache
    crash. (A jitted helper held in the closure would not cache at all: every process
    recompiled.)"""

    def matmul(a, b, out, first, stop, col_first, col_stop, steps, counts):
        """out[first:stop, col_first:col_stop] = a[first:stop] @ b[:, col_first:col_stop], four
        rows by one Vec (``LANES`` columns, from ``col_first``) of ``out`` in registers at once.

        ``b`` and ``out`` must be C-contiguous with the same float dtype (``a`` may be any view,
        such as ``x.T`` for a weight gradient) and the shapes must fit; the caller checks. With
        fewer rows than inner steps (a forward product: a batch through a layer) the blocks go
        column strip by column strip, so a Vec-wide strip of ``b`` stays in cache for every
        row; otherwise (a weight gradient) row by row. With ``skip_zeros``, a step s where
        ``a[i:i+4, s]`` is all zero is skipped (it would add exactly +0). The last block
        repeats the last row instead of reading past it: it computes the same numbers again.
        Each number of ``out`` is the same sum in the same order whatever part of ``out`` a
        call covers, so parts split between threads give the bits one call gives.
        """
        lanes, last = vlanes(out), stop - 1
        row_blocks = (stop - first + 3) // 4
        col_blocks = (col_stop - col_first + lanes - 1) // lanes
        columns_outer = a.shape[0] < a.shape[1]
        bi = bj = 0  # the block's row and column, stepped without a division
        first_block = first // 4  # listed: first is a multiple of 4
        for _ in range(row_blocks * col_blocks):
            i, j = first + 4 * bi, col_first + lanes * bj
            i1, i2, i3 = min(i + 1, last), min(i + 2, last), min(i + 3, last)
            c0 = c1 = c2 = c3 = vsplat(out, 0)
            block = first_block + bi
            for t in range(counts[block] if listed else a.shape[1]):
                s = steps[block, t] if listed else t
                a0, a1, a2, a3 = a[i, s], a[i1, s], a[i2, s], a[i3, s]
                if skip_zeros and a0 == 0 and a1 == 0 and a2 == 0 and a3 == 0:
                    continue
                row = vload(b, s, j)
                c0 = vfma(vsplat(out, a0), row, c0)
                c1 = vfma(vsplat(out, a1), row, c1)
                c2 = vfma(vsplat(out, a2), row, c2)
                c3 = vfma(vsplat(out, a3), row, c3)
            vstore(out, i, j, c0)
            vstore(out, i1, j, c1)
            vstore(out, i2, j, c2)
            vstore(out, i3, j, c3)
            if columns_outer:
                bi += 1
                if bi == row_blocks:
                    bi, bj = 0, bj + 1
            else:
                bj += 1
                if bj == col_blocks:
                    bi, bj = bi + 1, 0
        return out

    matmul.__name__ = matmul.__qualname__ = name
    return njit(cache=True, error_model="numpy", nogil=True)(matmul)


_matmul_skipping = _product_kernel("_matmul_skipping", skip_zeros=True, listed=False)
_matmul_dense = _product_kernel("_matmul_dense", skip_zeros=False, listed=False)
matmul_listed = _product_kernel("matmul_listed", skip_zeros=False, listed=True)
NO_STEPS, NO_COUNTS = np.zeros((0, 0), np.int32), np.zeros(0, np.int64)  # not listed


@njit(cache=True, error_model="numpy", nogil=True)
def matmul_skipping_zeros(a, b, out, first, stop, col_first, col_stop):
    """The product kernel skipping steps whose four inputs are all zero."""
    return _matmul_skipping(a, b, out, first, stop, col_first, col_stop, NO_STEPS, NO_COUNTS)


@njit(cache=True, error_model="numpy", nogil=True)
def matmul_dense(a, b, out, first, stop, col_first, col_stop):
    """The product kernel over every step."""
    return _matmul_dense(a, b, out, first, stop, col_first, col_stop, NO_STEPS, NO_COUNTS)


@njit(cache=True, error_model="numpy", nogil=True)
def nonzero_steps(a, steps, counts):
    """For each block k of four rows of the C-contiguous ``a`` (the last block repeating its
    last row, as the product kernel does), the inner steps where any of the four is nonzero:
    ``steps[k, :counts[k]]``. :func:`matmul_listed` over them runs exactly the steps that
    :func:`matmul_skipping_zeros` runs, without the branch per step that the CPU mispredicts
    on data like MNIST's (a forward product at batch 64 of 784-512: 165 us skipping, 111 us
    listed plus 7.5 us for the lists, on one core)."""
    rows, inner = a.shape
    last = rows - 1
    nonzero = np.empty(inner, np.int32)
    for k in range((rows + 3) // 4):
        i = 4 * k
        r0, r1, r2, r3 = a[i], a[min(i + 1, last)], a[min(i + 2, last)], a[min(i + 3, last)]
        for s in range(inner):  # vectorised: no branch
            nonzero[s] = (r0[s] != 0) | (r1[s] != 0) | (r2[s] != 0) | (r3[s] != 0)
        block, count = steps[k], 0
        for s in range(inner):  # written always, kept when nonzero: no branch
            block[count] = s
            count += nonzero[s]
        counts[k] = count


# Skipping a step whose four inputs are all zero (81% of MNIST's pixels, about half the ReLU
# outputs) paid on an AMD Zen 4 (x@W1 46 against 56-60 us) and cost on an Intel Xeon of the
# Sapphire/Emerald Rapids generation, whose branch mispredictions outweigh the skipped work
# (dW1 87 against 57 us, x@W1 61 against 52): benchmarks/RESULTS.md. The two give the same
# bits for finite inputs (a skipped step adds exactly +0); only 0 * inf differs: NaN dense, as
# in BLAS, nothing when skipped.
SKIPS_ZEROS = llvm.get_host_cpu_name().startswith("znver")
matmul = matmul_skipping_zeros if SKIPS_ZEROS else matmul_dense


# -- subnormal floats -------------------------------------------------------------------------
# x86-64's MXCSR register: FTZ (bit 15) writes a subnormal result as zero, DAZ (bit 6) reads a
# subnormal input as zero. On other CPUs the two functions below do nothing and return 0.
_X86 = llvm.get_process_triple().startswith("x86_64")
_FTZ_DAZ = 0x8040


def _mxcsr_call(builder, name, slot):
    i8_pointer = ir.IntType(8).as_pointer()
    function = cgutils.get_or_insert_function(
        builder.module, ir.FunctionType(ir.VoidType(), [i8_pointer]), f"llvm.x86.sse.{name}")
    builder.call(function, [builder.bitcast(slot, i8_pointer)])


@intrinsic
def _read_mxcsr(typingctx):
    def codegen(context, builder, sig, args):
        if not _X86:
            return ir.Constant(_I32, 0)
        slot = cgutils.alloca_once(builder, _I32)
        _mxcsr_call(builder, "stmxcsr", slot)
        return builder.load(slot)

    return types.uint32(), codegen


@intrinsic
def _write_mxcsr(typingctx, value):
    if not isinstance(value, types.Integer):
        raise TypingError(f"_write_mxcsr needs an integer, got {value}")

    def codegen(context, builder, sig, args):
        if _X86:
            slot = cgutils.alloca_once(builder, _I32)
            builder.store(context.cast(builder, args[0], sig.args[0], types.uint32), slot)
            _mxcsr_call(builder, "ldmxcsr", slot)
        return context.get_dummy_value()

    return types.void(value), codegen


@njit(cache=True, nogil=True)
def flush_subnormals():
    """On x86-64, from now on this thread reads and writes subnormal floats as zero (FTZ and
    DAZ, as TensorFlow's kernels run); returns the previous setting for
    :func:`restore_fp_control`. Elsewhere it does nothing."""
    previous = _read_mxcsr()
    _write_mxcsr(previous | _FTZ_DAZ)
    return previous


@njit(cache=True, nogil=True)
def restore_fp_control(previous):
    """Put back the FTZ and DAZ bits that :func:`flush_subnormals` returned (the rest of the
    register, such as the exception flags raised meanwhile, stays as it is now)."""
    _write_mxcsr((_read_mxcsr() & ~_FTZ_DAZ) | (previous & _FTZ_DAZ))


# -- Adam, over a range of the flat parameters ------------------------------------------------
@njit(cache=True, error_model="numpy", nogil=True)
def adam(p, g, m, v, lr_t, c1, c2, eps, decay, first, stop):
    """Adam (decoupled weight decay ``decay`` first, as AdamW) on p[first:stop]. Each number is
    updated alone, so ranges split between threads give the bits one call gives. It lives
    here because the team's loop below calls it."""
    # views, so that the loop's indices are known to be >= 0 (no wraparound test: it vectorises)
    p, g, m, v = p[first:stop], g[first:stop], m[first:stop], v[first:stop]
    for i in range(p.size):
        pi = p[i] - p[i] * decay if decay else p[i]
        gi = g[i]
        mi = m[i] + (gi - m[i]) * c1
        vi = v[i] + (gi * gi - v[i]) * c2
        m[i] = mi
        v[i] = vi
        p[i] = pi - mi / (np.sqrt(vi) + eps) * lr_t


# -- a transpose, in tiles ---------------------------------------------------------------------
@njit(cache=True, nogil=True)
def transpose(a, out):
    """out = a.T for a 2-D ``a`` and a C-contiguous ``out`` of the transposed shape, 16 x 16 at
    a time (a row stride of 4 KiB otherwise sends every write of a column to one cache set)."""
    rows, columns = a.shape
    for i0 in range(0, rows, 16):
        tile_rows = min(16, rows - i0)
        for j0 in range(0, columns, 16):
            tile_columns = min(16, columns - j0)
            source = a[i0:i0 + tile_rows, j0:j0 + tile_columns]
            target = out[j0:j0 + tile_columns, i0:i0 + tile_rows]
            for j in range(tile_columns):
                for i in range(tile_rows):
                    target[j, i] = source[i, j]


# -- a sum of squares, over a range -------------------------------------------------------------
@njit(cache=True, error_model="numpy", nogil=True, fastmath={"reassoc"})
def sum_squares(x, first, stop):
    """sum(x[first:stop] ** 2) in x's dtype, summed in any order (reassociated, so it
    vectorises): a test that a gradient is finite, not a value to train on. An inf or a NaN
    anywhere makes it inf or NaN, as the ordered sum would."""
    x = x[first:stop]
    total = x.dtype.type(0)
    for i in range(x.size):
        total += x[i] * x[i]
    return total


# -- atomics, the pause instruction and the cycle counter, for the team of threads -------------
def _int64_vector(array, what: str):
    if not (isinstance(array, types.Array) and array.ndim == 1 and array.dtype == types.int64):
        raise TypingError(f"{what} needs a 1-D int64 array, got {array}")


def _slot_pointer(context, builder, sig, args):
    """A pointer to a[i] for (a, i, ...), a a 1-D int64 array."""
    array_type, array = sig.args[0], context.make_array(sig.args[0])(context, builder, args[0])
    i = context.cast(builder, args[1], sig.args[1], types.intp)
    return cgutils.get_item_pointer(context, builder, array_type, array, [i], wraparound=False)


@intrinsic
def atomic_load(typingctx, array, i):
    """a[i], read so that every write made before the write that stored it is seen too."""
    _int64_vector(array, "atomic_load")

    def codegen(context, builder, sig, args):
        return builder.load_atomic(_slot_pointer(context, builder, sig, args), "acquire", 8)

    return types.int64(array, i), codegen


@intrinsic
def atomic_store(typingctx, array, i, value):
    """a[i] = value, after (as every thread sees it) every write made before it."""
    _int64_vector(array, "atomic_store")

    def codegen(context, builder, sig, args):
        value = context.cast(builder, args[2], sig.args[2], types.int64)
        builder.store_atomic(value, _slot_pointer(context, builder, sig, args), "release", 8)
        return context.get_dummy_value()

    return types.void(array, i, value), codegen


@intrinsic
def atomic_add(typingctx, array, i, value):
    """a[i] += value in one indivisible step; returns the value before."""
    _int64_vector(array, "atomic_add")

    def codegen(context, builder, sig, args):
        value = context.cast(builder, args[2], sig.args[2], types.int64)
        return builder.atomic_rmw("add", _slot_pointer(context, builder, sig, args), value,
                                  "acq_rel")

    return types.int64(array, i, value), codegen


@intrinsic
def compare_and_swap(typingctx, array, i, expected, new):
    """If a[i] == expected, a[i] = new, in one indivisible step; True if it did."""
    _int64_vector(array, "compare_and_swap")

    def codegen(context, builder, sig, args):
        expected, new = (context.cast(builder, v, t, types.int64)
                         for v, t in zip(args[2:], sig.args[2:], strict=True))
        pair = builder.cmpxchg(_slot_pointer(context, builder, sig, args), expected, new,
                               "acq_rel", "acquire")
        return builder.extract_value(pair, 1)

    return types.boolean(array, i, expected, new), codegen


@intrinsic
def spin_pause(typingctx):
    """x86's PAUSE, the polite instruction for a waiting loop (nothing elsewhere)."""

    def codegen(context, builder, sig, args):
        if _X86:
            pause = cgutils.get_or_insert_function(
                builder.module, ir.FunctionType(ir.VoidType(), []), "llvm.x86.sse2.pause")
            builder.call(pause, [])
        return context.get_dummy_value()

    return types.void(), codegen


@intrinsic
def cycle_count(typingctx):
    """The CPU's cycle counter (x86's time-stamp counter): cheap, for timing a wait."""

    def codegen(context, builder, sig, args):
        counter = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(ir.IntType(64), []), "llvm.readcyclecounter")
        return builder.call(counter, [])

    return types.int64(), codegen


@intrinsic
def address_pointer(typingctx, address):
    """The integer ``address`` as a pointer, for ``numba.carray``."""
    if not isinstance(address, types.Integer):
        raise TypingError(f"address_pointer needs an integer, got {address}")

    def codegen(context, builder, sig, args):
        value = context.cast(builder, args[0], sig.args[0], types.int64)
        return builder.inttoptr(value, ir.IntType(8).as_pointer())

    return types.voidptr(address), codegen


# -- the team: one job split into chunks that any thread may claim ----------------------------
# The leading thread (the one training) describes a job in the int64 control array, then
# publishes it in one word, CLAIM: job number << 40 | hi << 20 | lo, the unclaimed chunks being
# lo .. hi - 1. The lead claims from the front (lo + 1), workers from the back (hi - 1), each by
# compare-and-swap on CLAIM, and each thread counts the chunks it finishes in DONE; the lead
# returns once DONE reaches the chunk count. A worker that is late, asleep or descheduled never
# holds the lead up: the lead claims what is left itself. The lead writes a new job only after
# every chunk of the last was done, so a claim that succeeds always reads the fields of the job
# it claimed from. The slots the threads write often sit on 64-byte lines of their own.
#
# Claiming from both ends keeps each part of the flat buffers with one core from job to job:
# a weight gradient split by rows and Adam's ranges over the same buffer both give the lead the
# first rows and the worker the last, so each core updates the gradient it computed, and the
# weights and moments it updated last step, from its own cache (when chunks went to whichever
# core came first, Adam over 101K numbers ran slower on two cores than on one).
CLAIM, DONE, PARKED, STOP, SHARED = 0, 8, 16, 24, 25  # SHARED: chunks the workers ran
OP, ROWS, STEP, FP_CONTROL, STEPS, COUNTS = 32, 33, 34, 35, 36, 37  # STEPS: 0 unless listed
A, A_TRANSPOSED, INNER, B, COLUMNS, OUT, OUT_ROWS = 40, 41, 42, 43, 44, 45, 46  # a product
P, G, M, V = 40, 41, 42, 43  # Adam's arrays (ROWS holds their size); SUM_SQUARES reads P
CONTROL_SLOTS = 48
MATMUL, ADAM, SUM_SQUARES = 1, 2, 3
PARTIALS = 8  # scalars[PARTIALS + chunk]: a sum of squares' chunk totals
_FIELD = (1 << 20) - 1  # CLAIM's chunk fields: a job has fewer chunks than this


@njit(cache=True, nogil=True)
def _array(address, shape, dtype):
    return carray(address_pointer(address), shape, dtype)


@njit(cache=True, nogil=True)
def _float32_array(address, shape):
    return _array(address, shape, np.float32)


@njit(cache=True, error_model="numpy", nogil=True)
def _run_chunk(control, scalars, chunk):
    first = chunk * control[STEP]
    stop = min(first + control[STEP], control[ROWS])
    if control[OP] == MATMUL:  # ROWS counts what is split: out's rows, or its columns
        rows, inner, columns = control[OUT_ROWS], control[INNER], control[COLUMNS]
        b = _float32_array(control[B], (inner, columns))
        out = _float32_array(control[OUT], (rows, columns))
        r0, r1, c0, c1 = (0, rows, first, stop) if rows < inner else (first, stop, 0, columns)
        if control[STEPS]:  # a forward product over the lead's lists of nonzero steps
            blocks = (rows + 3) // 4
            steps = _array(control[STEPS], (blocks, inner), np.int32)
            counts = _array(control[COUNTS], blocks, np.int64)
            a = _float32_array(control[A], (rows, inner))
            matmul_listed(a, b, out, r0, r1, c0, c1, steps, counts)
        elif control[A_TRANSPOSED]:
            matmul(_float32_array(control[A], (inner, rows)).T, b, out, r0, r1, c0, c1)
        else:
            matmul(_float32_array(control[A], (rows, inner)), b, out, r0, r1, c0, c1)
    elif control[OP] == SUM_SQUARES:
        scalars[PARTIALS + chunk] = sum_squares(_float32_array(control[P], control[ROWS]),
                                                first, stop)
    else:
        size = control[ROWS]
        p, g = _float32_array(control[P], size), _float32_array(control[G], size)
        m, v = _float32_array(control[M], size), _float32_array(control[V], size)
        f32 = np.float32
        adam(p, g, m, v, f32(scalars[0]), f32(scalars[1]), f32(scalars[2]), f32(scalars[3]),
             f32(scalars[4]), first, stop)


@njit(cache=True, nogil=True)
def _claim_and_run(control, scalars, from_back):
    """Run chunks of the published job, from its front or its back, until none is left
    unclaimed; how many it ran."""
    ran = 0
    while True:
        word = atomic_load(control, CLAIM)
        lo, hi = word & _FIELD, (word >> 20) & _FIELD
        if lo >= hi:
            return ran
        chunk, claimed = (hi - 1, word - (1 << 20)) if from_back else (lo, word + 1)
        if compare_and_swap(control, CLAIM, word, claimed):
            # the job cannot change before this chunk is counted done: its fields are stable
            previous = _read_mxcsr()
            _write_mxcsr(control[FP_CONTROL])  # the lead's floating-point mode, for its bits
            _run_chunk(control, scalars, chunk)
            _write_mxcsr(previous)
            atomic_add(control, DONE, 1)
            ran += 1


@njit(cache=True, nogil=True)
def _lead(control, scalars, op, rows, step):
    """Publish a job of ``rows`` split by ``step`` (its operands already in ``control``), take
    a share from the front, wait for the rest."""
    chunks = (rows + step - 1) // step  # _team keeps it to threads x CHUNKS_PER_THREAD
    control[OP], control[ROWS], control[STEP] = op, rows, step
    control[FP_CONTROL] = _read_mxcsr()
    control[DONE] = 0
    job = ((atomic_load(control, CLAIM) >> 40) + 1) & 0x7FFFFF
    atomic_store(control, CLAIM, job << 40 | chunks << 20)
    _claim_and_run(control, scalars, False)
    while atomic_load(control, DONE) < chunks:
        spin_pause()


@njit(cache=True, nogil=True)
def team_matmul(control, scalars, a, b, out, step, steps, counts):
    """out = a @ b (float32; ``a`` C- or F-contiguous, ``b`` and ``out`` C-contiguous) split
    in chunks of ``step`` (a multiple of 4) rows, or, where :func:`matmul` walks the columns
    outermost, of ``step`` (a multiple of ``LANES``) columns. With ``counts`` as long as
    ``a``'s blocks of four rows, over the lists of :func:`nonzero_steps` (``a`` C-contiguous,
    split by columns)."""
    listed = len(counts) == (len(a) + 3) // 4
    control[STEPS] = steps.ctypes.data if listed else 0
    control[COUNTS] = counts.ctypes.data
    control[A], control[A_TRANSPOSED] = a.ctypes.data, a.strides[0] < a.strides[1]
    control[INNER], control[COLUMNS] = a.shape[1], b.shape[1]
    control[B], control[OUT], control[OUT_ROWS] = b.ctypes.data, out.ctypes.data, out.shape[0]
    split = out.shape[0] if a.shape[0] >= a.shape[1] else out.shape[1]
    _lead(control, scalars, MATMUL, split, step)


@njit(cache=True, nogil=True)
def team_adam(control, scalars, p, g, m, v, step):
    """:func:`adam` over all of ``p`` (float32, contiguous; the factors in ``scalars[:5]``) in
    chunks of ``step`` numbers."""
    control[P], control[G] = p.ctypes.data, g.ctypes.data
    control[M], control[V] = m.ctypes.data, v.ctypes.data
    _lead(control, scalars, ADAM, p.size, step)


@njit(cache=True, nogil=True)
def team_sum_squares(control, scalars, x, step):
    """:func:`sum_squares` of all of ``x`` (float32, contiguous) in chunks of ``step`` numbers
    (at most ``len(scalars) - PARTIALS`` chunks), their totals added in chunk order."""
    control[P] = x.ctypes.data
    _lead(control, scalars, SUM_SQUARES, x.size, step)
    total = np.float32(0)
    for chunk in range((x.size + step - 1) // step):
        total += np.float32(scalars[PARTIALS + chunk])
    return total


@njit(cache=True, nogil=True)
def team_serve(control, scalars, patience):
    """A worker's loop: run chunks of whatever job is published, from its back, until STOP, or
    until ``patience`` cycles pass with nothing to do (then it counts itself in PARKED and returns,
    and its thread sleeps until woken)."""
    atomic_add(control, PARKED, -1)
    idle_since = cycle_count()
    while atomic_load(control, STOP) == 0:
        ran = _claim_and_run(control, scalars, True)
        if ran:
            atomic_add(control, SHARED, ran)
            idle_since = cycle_count()
        elif cycle_count() - idle_since > patience:
            break
        else:
            spin_pause()
    atomic_add(control, PARKED, 1)
