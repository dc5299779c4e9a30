"""A SIMD vector type for numba kernels: whole rows of floats in registers.

numba compiles loops over scalars; LLVM vectorises the simple ones, but it cannot keep a tile of
a matrix product's output in registers across the loop over the shared dimension, which is what
makes a product fast. This module gives numba kernels an explicit vector value, ``Vec``:
``LANES`` consecutive floats of one row (64 float32 with AVX-512, 16 with AVX2), held in
registers by LLVM and combined with fused multiply-adds. With it the product kernels in
:mod:`glassnet._numba_kernels` keep a 4 x LANES block of the output in registers while they
stream through the inputs.

Operations (each compiles to a few vector instructions):

- ``vsplat(like, x)``: every lane ``x``, in the dtype of the array ``like``;
- ``vload(a, i, j)``: ``a[i, j:j + LANES]``, lanes past the row's end read as 0;
- ``vstore(a, i, j, v)``: ``a[i, j:j + LANES] = v``, lanes past the row's end left alone;
- ``vfma(a, b, c)``: ``a * b + c`` lane by lane, rounded once;
- ``vlanes(like)``: ``LANES`` for the dtype of ``like``, a compile-time constant.

``vload`` and ``vstore`` need a C-contiguous 2-D float32 or float64 array; they do not check
``i`` (callers keep it in range). Only :mod:`glassnet._numba_kernels` imports this module, so
numba is imported only when its kernels are selected.
"""

from __future__ import annotations

import llvmlite.binding as llvm
from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.core.errors import TypingError
from numba.extending import intrinsic, models, register_model

# One Vec is four 512-bit registers with AVX-512 (32 of them), two 256-bit ones otherwise (AVX2
# has 16): the kernels hold four Vecs of accumulators plus two operands without spilling.
_VEC_BITS = 4 * 512 if llvm.get_host_cpu_features().get("avx512f") else 2 * 256
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
    """(pointer to a[i, j] as a vector pointer, j, the row's length) for (a, i, j, ...)."""
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
    """LLVM's llvm.masked.load / llvm.masked.store for ``vector`` (named as the LLVM in use
    expects: opaque pointers from LLVM 17 on, typed ones before)."""
    pointer_suffix = "p0" if llvm.llvm_version_info[0] >= 17 else "p0" + _llvm_suffix(vector)
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
        fma = cgutils.get_or_insert_function(builder.module, ir.FunctionType(vector, [vector] * 3),
                                             f"llvm.fma.{_llvm_suffix(vector)}")
        return builder.call(fma, args)

    return a(a, b, c), codegen


@intrinsic
def vlanes(typingctx, like):
    lanes = _vec_type(like, "vlanes").lanes

    def codegen(context, builder, sig, args):
        return context.get_constant(types.intp, lanes)

    return types.intp(like), codegen
