#pragma once
// A GGUF metadata value (ggml-org/ggml docs/gguf.md; ../shared/reference/formats.md 2.1).
// Value types: 0 UINT8, 1 INT8, 2 UINT16, 3 INT16, 4 UINT32, 5 INT32, 6 FLOAT32, 7 BOOL,
// 8 STRING, 9 ARRAY, 10 UINT64, 11 INT64, 12 FLOAT64. Arrays are flat (ggml rejects nested
// arrays, so do we). Numeric arrays keep their raw little-endian bytes; string arrays are
// materialized.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace condense::io {

enum class GgufType : std::uint32_t {
    U8 = 0, I8 = 1, U16 = 2, I16 = 3, U32 = 4, I32 = 5, F32 = 6, Bool = 7,
    String = 8, Array = 9, U64 = 10, I64 = 11, F64 = 12,
};

// Size in bytes of a scalar value type; 0 for String/Array/unknown.
std::size_t ggufScalarSize(GgufType t) noexcept;
bool ggufTypeValid(std::uint32_t t) noexcept;
const char* ggufTypeName(GgufType t) noexcept;

class GgufValue {
public:
    GgufValue() = default;

    static GgufValue u8(std::uint8_t v);
    static GgufValue i8(std::int8_t v);
    static GgufValue u16(std::uint16_t v);
    static GgufValue i16(std::int16_t v);
    static GgufValue u32(std::uint32_t v);
    static GgufValue i32(std::int32_t v);
    static GgufValue u64(std::uint64_t v);
    static GgufValue i64(std::int64_t v);
    static GgufValue f32(float v);
    static GgufValue f64(double v);
    static GgufValue boolean(bool v);
    static GgufValue string(std::string v);
    static GgufValue stringArray(std::vector<std::string> v);
    static GgufValue f32Array(const std::vector<float>& v);
    static GgufValue i32Array(const std::vector<std::int32_t>& v);
    // Numeric array from raw little-endian element bytes (reader use).
    static GgufValue numericArray(GgufType elem, std::vector<std::byte> raw, std::uint64_t count);
    // A scalar from raw bytes (reader use); size must match ggufScalarSize(t).
    static GgufValue scalar(GgufType t, const std::byte* raw);

    GgufType type() const { return m_type; }
    GgufType elementType() const { return m_elem; } // arrays only
    bool isArray() const { return m_type == GgufType::Array; }

    // Scalar accessors; nullopt if the value is not of a compatible kind.
    std::optional<std::uint64_t> asUInt() const;  // any unsigned, or signed >= 0, or bool
    std::optional<std::int64_t> asInt() const;    // any integer that fits
    std::optional<double> asFloat() const;        // F32/F64 (and integers)
    std::optional<bool> asBool() const;
    const std::string* asString() const;

    // Arrays
    std::uint64_t size() const { return m_count; }
    const std::vector<std::string>& strings() const { return m_strings; } // String arrays
    std::optional<double> floatAt(std::uint64_t i) const;
    std::optional<std::int64_t> intAt(std::uint64_t i) const;
    const std::vector<std::byte>& raw() const { return m_raw; } // numeric arrays and scalars

    // Short display form: scalars in full, arrays as "[n × type] first, second, ..." and long
    // strings cut to `maxChars`.
    std::string toDisplay(std::size_t maxChars = 120) const;

    bool operator==(const GgufValue& o) const;

private:
    GgufType m_type = GgufType::U8;
    GgufType m_elem = GgufType::U8;
    std::vector<std::byte> m_raw; // scalar bytes, or numeric array bytes
    std::string m_string;
    std::vector<std::string> m_strings;
    std::uint64_t m_count = 0;
};

struct GgufKV {
    std::string key;
    GgufValue value;
};

} // namespace condense::io
