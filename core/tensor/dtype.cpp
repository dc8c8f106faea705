#include "core/tensor/dtype.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace condense {
namespace {

// Sizes: ggml-org/ggml src/ggml-common.h (see ../shared/reference/formats.md 3.1).
constexpr std::array kTraits = {
    DTypeTraits{DType::F32, "F32", 1, 4, true, false, true},
    DTypeTraits{DType::F16, "F16", 1, 2, true, false, true},
    DTypeTraits{DType::Q4_0, "Q4_0", 32, 18, true, true, false},
    DTypeTraits{DType::Q4_1, "Q4_1", 32, 20, true, true, false},
    DTypeTraits{DType::Q5_0, "Q5_0", 32, 22, true, true, false},
    DTypeTraits{DType::Q5_1, "Q5_1", 32, 24, true, true, false},
    DTypeTraits{DType::Q8_0, "Q8_0", 32, 34, true, true, false},
    DTypeTraits{DType::Q8_1, "Q8_1", 32, 36, true, true, false},
    DTypeTraits{DType::Q2_K, "Q2_K", 256, 84, true, true, false},
    DTypeTraits{DType::Q3_K, "Q3_K", 256, 110, true, true, false},
    DTypeTraits{DType::Q4_K, "Q4_K", 256, 144, true, true, false},
    DTypeTraits{DType::Q5_K, "Q5_K", 256, 176, true, true, false},
    DTypeTraits{DType::Q6_K, "Q6_K", 256, 210, true, true, false},
    DTypeTraits{DType::Q8_K, "Q8_K", 256, 292, true, true, false},
    DTypeTraits{DType::IQ2_XXS, "IQ2_XXS", 256, 66, true, true, false},
    DTypeTraits{DType::IQ2_XS, "IQ2_XS", 256, 74, true, true, false},
    DTypeTraits{DType::IQ3_XXS, "IQ3_XXS", 256, 98, true, true, false},
    DTypeTraits{DType::IQ1_S, "IQ1_S", 256, 50, true, true, false},
    DTypeTraits{DType::IQ4_NL, "IQ4_NL", 32, 18, true, true, false},
    DTypeTraits{DType::IQ3_S, "IQ3_S", 256, 110, true, true, false},
    DTypeTraits{DType::IQ2_S, "IQ2_S", 256, 82, true, true, false},
    DTypeTraits{DType::IQ4_XS, "IQ4_XS", 256, 136, true, true, false},
    DTypeTraits{DType::I8, "I8", 1, 1, true, false, false},
    DTypeTraits{DType::I16, "I16", 1, 2, true, false, false},
    DTypeTraits{DType::I32, "I32", 1, 4, true, false, false},
    DTypeTraits{DType::I64, "I64", 1, 8, true, false, false},
    DTypeTraits{DType::F64, "F64", 1, 8, true, false, true},
    DTypeTraits{DType::IQ1_M, "IQ1_M", 256, 56, true, true, false},
    DTypeTraits{DType::BF16, "BF16", 1, 2, true, false, true},
    DTypeTraits{DType::TQ1_0, "TQ1_0", 256, 54, true, true, false},
    DTypeTraits{DType::TQ2_0, "TQ2_0", 256, 66, true, true, false},
    DTypeTraits{DType::MXFP4, "MXFP4", 32, 17, true, true, false},
    DTypeTraits{DType::NVFP4, "NVFP4", 64, 36, true, true, false},
    DTypeTraits{DType::Q1_0, "Q1_0", 128, 18, true, true, false},
    DTypeTraits{DType::Q2_0, "Q2_0", 64, 18, true, true, false},
    DTypeTraits{DType::U8, "U8", 1, 1, false, false, false},
    DTypeTraits{DType::U16, "U16", 1, 2, false, false, false},
    DTypeTraits{DType::U32, "U32", 1, 4, false, false, false},
    DTypeTraits{DType::U64, "U64", 1, 8, false, false, false},
    DTypeTraits{DType::Bool, "BOOL", 1, 1, false, false, false},
    DTypeTraits{DType::F8_E4M3, "F8_E4M3", 1, 1, false, false, true},
    DTypeTraits{DType::F8_E5M2, "F8_E5M2", 1, 1, false, false, true},
    DTypeTraits{DType::F8_E8M0, "F8_E8M0", 1, 1, false, false, true},
};

bool iequals(std::string_view a, std::string_view b)
{
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::toupper(static_cast<unsigned char>(x)) == std::toupper(static_cast<unsigned char>(y));
           });
}

} // namespace

const DTypeTraits* dtypeTraits(DType t) noexcept
{
    for (const auto& tr : kTraits)
        if (tr.type == t) return &tr;
    return nullptr;
}

const DTypeTraits* ggmlTypeTraits(std::uint32_t ggmlId) noexcept
{
    const DTypeTraits* t = dtypeTraits(static_cast<DType>(ggmlId));
    return (t && t->isGgml) ? t : nullptr;
}

std::string_view dtypeName(DType t) noexcept
{
    const DTypeTraits* tr = dtypeTraits(t);
    return tr ? tr->name : std::string_view("?");
}

std::optional<DType> dtypeFromName(std::string_view name) noexcept
{
    for (const auto& tr : kTraits)
        if (tr.isGgml && iequals(tr.name, name)) return tr.type;
    return std::nullopt;
}

std::optional<DType> dtypeFromSafetensors(std::string_view name) noexcept
{
    static constexpr std::pair<std::string_view, DType> kMap[] = {
        {"F64", DType::F64}, {"F32", DType::F32}, {"F16", DType::F16}, {"BF16", DType::BF16},
        {"I64", DType::I64}, {"I32", DType::I32}, {"I16", DType::I16}, {"I8", DType::I8},
        {"U64", DType::U64}, {"U32", DType::U32}, {"U16", DType::U16}, {"U8", DType::U8},
        {"BOOL", DType::Bool}, {"F8_E4M3", DType::F8_E4M3}, {"F8_E5M2", DType::F8_E5M2},
        {"F8_E8M0", DType::F8_E8M0},
    };
    for (const auto& [n, t] : kMap)
        if (n == name) return t;
    return std::nullopt;
}

std::optional<std::uint64_t> checkedMul(std::uint64_t a, std::uint64_t b) noexcept
{
    std::uint64_t r;
    if (__builtin_mul_overflow(a, b, &r)) return std::nullopt;
    return r;
}

std::optional<std::uint64_t> checkedAdd(std::uint64_t a, std::uint64_t b) noexcept
{
    std::uint64_t r;
    if (__builtin_add_overflow(a, b, &r)) return std::nullopt;
    return r;
}

std::optional<std::uint64_t> dtypeBytes(DType t, std::uint64_t rowLength, std::uint64_t nElements) noexcept
{
    const DTypeTraits* tr = dtypeTraits(t);
    if (!tr) return std::nullopt;
    if (tr->blockSize > 1 && rowLength % tr->blockSize != 0) return std::nullopt;
    if (nElements % tr->blockSize != 0) return std::nullopt;
    return checkedMul(nElements / tr->blockSize, tr->blockBytes);
}

} // namespace condense
