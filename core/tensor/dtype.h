#pragma once
// Element types of every tensor we can meet: the ggml type ids (values are the ggml ids, as
// stored in GGUF tensor infos; include/ggml.h `enum ggml_type`) plus safetensors-only dtypes
// (ids >= 1000, never written to GGUF). A type is stored in blocks of `blockSize` elements
// taking `blockBytes` bytes (1 element for plain types).

#include <cstdint>
#include <optional>
#include <string_view>

namespace condense {

enum class DType : std::uint32_t {
    F32 = 0, F16 = 1, Q4_0 = 2, Q4_1 = 3, Q5_0 = 6, Q5_1 = 7, Q8_0 = 8, Q8_1 = 9,
    Q2_K = 10, Q3_K = 11, Q4_K = 12, Q5_K = 13, Q6_K = 14, Q8_K = 15,
    IQ2_XXS = 16, IQ2_XS = 17, IQ3_XXS = 18, IQ1_S = 19, IQ4_NL = 20, IQ3_S = 21, IQ2_S = 22,
    IQ4_XS = 23, I8 = 24, I16 = 25, I32 = 26, I64 = 27, F64 = 28, IQ1_M = 29, BF16 = 30,
    TQ1_0 = 34, TQ2_0 = 35, MXFP4 = 39, NVFP4 = 40, Q1_0 = 41, Q2_0 = 42,
    // safetensors-only
    U8 = 1000, U16, U32, U64, Bool, F8_E4M3, F8_E5M2, F8_E8M0,
};

struct DTypeTraits {
    DType type;
    std::string_view name;   // "F16", "Q4_K", "U8" (ggml / safetensors spelling)
    std::uint32_t blockSize; // elements per block
    std::uint32_t blockBytes;
    bool isGgml;             // can appear in a GGUF file
    bool isQuantized;        // a block type (blockSize > 1)
    bool isFloat;            // plain float element type (F32/F16/BF16/F64/F8)
};

// nullptr for unknown ids.
const DTypeTraits* dtypeTraits(DType t) noexcept;
const DTypeTraits* ggmlTypeTraits(std::uint32_t ggmlId) noexcept;
std::string_view dtypeName(DType t) noexcept;
std::optional<DType> dtypeFromName(std::string_view name) noexcept;          // ggml names, case-insensitive
std::optional<DType> dtypeFromSafetensors(std::string_view name) noexcept;  // "F16", "BF16", "I32", "BOOL" ...

// Bytes of `nElements` elements whose row length is `rowLength`; nullopt when the row length
// is not a multiple of the block size or the result overflows.
std::optional<std::uint64_t> dtypeBytes(DType t, std::uint64_t rowLength, std::uint64_t nElements) noexcept;

// Multiply with overflow check; nullopt on overflow.
std::optional<std::uint64_t> checkedMul(std::uint64_t a, std::uint64_t b) noexcept;
std::optional<std::uint64_t> checkedAdd(std::uint64_t a, std::uint64_t b) noexcept;

} // namespace condense
