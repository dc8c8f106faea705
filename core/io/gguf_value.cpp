#include "core/io/gguf_value.h"

#include <cstring>
#include <sstream>

namespace condense::io {

std::size_t ggufScalarSize(GgufType t) noexcept
{
    switch (t) {
    case GgufType::U8: case GgufType::I8: case GgufType::Bool: return 1;
    case GgufType::U16: case GgufType::I16: return 2;
    case GgufType::U32: case GgufType::I32: case GgufType::F32: return 4;
    case GgufType::U64: case GgufType::I64: case GgufType::F64: return 8;
    case GgufType::String: case GgufType::Array: return 0;
    }
    return 0;
}

bool ggufTypeValid(std::uint32_t t) noexcept { return t <= 12; }

const char* ggufTypeName(GgufType t) noexcept
{
    switch (t) {
    case GgufType::U8: return "u8";
    case GgufType::I8: return "i8";
    case GgufType::U16: return "u16";
    case GgufType::I16: return "i16";
    case GgufType::U32: return "u32";
    case GgufType::I32: return "i32";
    case GgufType::F32: return "f32";
    case GgufType::Bool: return "bool";
    case GgufType::String: return "str";
    case GgufType::Array: return "arr";
    case GgufType::U64: return "u64";
    case GgufType::I64: return "i64";
    case GgufType::F64: return "f64";
    }
    return "?";
}

namespace {
template <typename T>
GgufValue makeScalar(GgufType t, T v)
{
    std::byte raw[sizeof(T)];
    std::memcpy(raw, &v, sizeof(T));
    return GgufValue::scalar(t, raw);
}

template <typename T>
T load(const std::byte* p)
{
    T v;
    std::memcpy(&v, p, sizeof(T));
    return v;
}

// Reads element i of a numeric buffer as (is-float, int value, float value).
struct Num {
    bool isFloat = false;
    bool isUnsigned = false;
    std::int64_t i = 0;
    std::uint64_t u = 0;
    double f = 0;
};

Num readNum(GgufType t, const std::byte* p)
{
    Num n;
    switch (t) {
    case GgufType::U8: n.u = load<std::uint8_t>(p); n.isUnsigned = true; break;
    case GgufType::Bool: n.u = load<std::uint8_t>(p) != 0; n.isUnsigned = true; break;
    case GgufType::U16: n.u = load<std::uint16_t>(p); n.isUnsigned = true; break;
    case GgufType::U32: n.u = load<std::uint32_t>(p); n.isUnsigned = true; break;
    case GgufType::U64: n.u = load<std::uint64_t>(p); n.isUnsigned = true; break;
    case GgufType::I8: n.i = load<std::int8_t>(p); break;
    case GgufType::I16: n.i = load<std::int16_t>(p); break;
    case GgufType::I32: n.i = load<std::int32_t>(p); break;
    case GgufType::I64: n.i = load<std::int64_t>(p); break;
    case GgufType::F32: n.f = load<float>(p); n.isFloat = true; break;
    case GgufType::F64: n.f = load<double>(p); n.isFloat = true; break;
    default: break;
    }
    return n;
}
} // namespace

GgufValue GgufValue::u8(std::uint8_t v) { return makeScalar(GgufType::U8, v); }
GgufValue GgufValue::i8(std::int8_t v) { return makeScalar(GgufType::I8, v); }
GgufValue GgufValue::u16(std::uint16_t v) { return makeScalar(GgufType::U16, v); }
GgufValue GgufValue::i16(std::int16_t v) { return makeScalar(GgufType::I16, v); }
GgufValue GgufValue::u32(std::uint32_t v) { return makeScalar(GgufType::U32, v); }
GgufValue GgufValue::i32(std::int32_t v) { return makeScalar(GgufType::I32, v); }
GgufValue GgufValue::u64(std::uint64_t v) { return makeScalar(GgufType::U64, v); }
GgufValue GgufValue::i64(std::int64_t v) { return makeScalar(GgufType::I64, v); }
GgufValue GgufValue::f32(float v) { return makeScalar(GgufType::F32, v); }
GgufValue GgufValue::f64(double v) { return makeScalar(GgufType::F64, v); }
GgufValue GgufValue::boolean(bool v) { return makeScalar(GgufType::Bool, static_cast<std::uint8_t>(v ? 1 : 0)); }

GgufValue GgufValue::string(std::string v)
{
    GgufValue g;
    g.m_type = GgufType::String;
    g.m_string = std::move(v);
    return g;
}

GgufValue GgufValue::stringArray(std::vector<std::string> v)
{
    GgufValue g;
    g.m_type = GgufType::Array;
    g.m_elem = GgufType::String;
    g.m_count = v.size();
    g.m_strings = std::move(v);
    return g;
}

GgufValue GgufValue::f32Array(const std::vector<float>& v)
{
    std::vector<std::byte> raw(v.size() * 4);
    if (!v.empty()) std::memcpy(raw.data(), v.data(), raw.size());
    return numericArray(GgufType::F32, std::move(raw), v.size());
}

GgufValue GgufValue::i32Array(const std::vector<std::int32_t>& v)
{
    std::vector<std::byte> raw(v.size() * 4);
    if (!v.empty()) std::memcpy(raw.data(), v.data(), raw.size());
    return numericArray(GgufType::I32, std::move(raw), v.size());
}

GgufValue GgufValue::numericArray(GgufType elem, std::vector<std::byte> raw, std::uint64_t count)
{
    GgufValue g;
    g.m_type = GgufType::Array;
    g.m_elem = elem;
    g.m_raw = std::move(raw);
    g.m_count = count;
    return g;
}

GgufValue GgufValue::scalar(GgufType t, const std::byte* raw)
{
    GgufValue g;
    g.m_type = t;
    g.m_raw.assign(raw, raw + ggufScalarSize(t));
    return g;
}

std::optional<std::uint64_t> GgufValue::asUInt() const
{
    if (m_type == GgufType::Array || m_type == GgufType::String) return std::nullopt;
    const Num n = readNum(m_type, m_raw.data());
    if (n.isFloat) return std::nullopt;
    if (n.isUnsigned) return n.u;
    if (n.i < 0) return std::nullopt;
    return static_cast<std::uint64_t>(n.i);
}

std::optional<std::int64_t> GgufValue::asInt() const
{
    if (m_type == GgufType::Array || m_type == GgufType::String) return std::nullopt;
    const Num n = readNum(m_type, m_raw.data());
    if (n.isFloat) return std::nullopt;
    if (n.isUnsigned) {
        if (n.u > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
        return static_cast<std::int64_t>(n.u);
    }
    return n.i;
}

std::optional<double> GgufValue::asFloat() const
{
    if (m_type == GgufType::Array || m_type == GgufType::String || m_type == GgufType::Bool) return std::nullopt;
    const Num n = readNum(m_type, m_raw.data());
    if (n.isFloat) return n.f;
    return n.isUnsigned ? static_cast<double>(n.u) : static_cast<double>(n.i);
}

std::optional<bool> GgufValue::asBool() const
{
    if (m_type != GgufType::Bool) return std::nullopt;
    return m_raw[0] != std::byte{0};
}

const std::string* GgufValue::asString() const { return m_type == GgufType::String ? &m_string : nullptr; }

std::optional<double> GgufValue::floatAt(std::uint64_t i) const
{
    if (m_type != GgufType::Array || m_elem == GgufType::String || i >= m_count) return std::nullopt;
    const Num n = readNum(m_elem, m_raw.data() + i * ggufScalarSize(m_elem));
    if (n.isFloat) return n.f;
    return n.isUnsigned ? static_cast<double>(n.u) : static_cast<double>(n.i);
}

std::optional<std::int64_t> GgufValue::intAt(std::uint64_t i) const
{
    if (m_type != GgufType::Array || m_elem == GgufType::String || i >= m_count) return std::nullopt;
    const Num n = readNum(m_elem, m_raw.data() + i * ggufScalarSize(m_elem));
    if (n.isFloat) return std::nullopt;
    if (n.isUnsigned) return static_cast<std::int64_t>(n.u);
    return n.i;
}

namespace {
std::string scalarDisplay(GgufType t, const std::byte* p)
{
    const Num n = readNum(t, p);
    if (t == GgufType::Bool) return n.u ? "true" : "false";
    std::ostringstream os;
    if (n.isFloat) {
        os.precision(t == GgufType::F32 ? 9 : 17);
        os << n.f;
    } else if (n.isUnsigned) {
        os << n.u;
    } else {
        os << n.i;
    }
    return os.str();
}

std::string cut(const std::string& s, std::size_t maxChars)
{
    if (s.size() <= maxChars) return s;
    std::size_t n = maxChars;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n; // keep UTF-8 whole
    return s.substr(0, n) + "…";
}
} // namespace

std::string GgufValue::toDisplay(std::size_t maxChars) const
{
    if (m_type == GgufType::String) return cut(m_string, maxChars);
    if (m_type != GgufType::Array) return scalarDisplay(m_type, m_raw.data());
    std::string s = "[" + std::to_string(m_count) + " × " + ggufTypeName(m_elem) + "]";
    for (std::uint64_t i = 0; i < m_count && s.size() < maxChars; ++i) {
        s += i == 0 ? " " : ", ";
        if (m_elem == GgufType::String)
            s += m_strings[i];
        else
            s += scalarDisplay(m_elem, m_raw.data() + i * ggufScalarSize(m_elem));
    }
    return cut(s, maxChars);
}

bool GgufValue::operator==(const GgufValue& o) const
{
    return m_type == o.m_type && m_elem == o.m_elem && m_raw == o.m_raw && m_string == o.m_string &&
           m_strings == o.m_strings && m_count == o.m_count;
}

} // namespace condense::io
