#include "core/quant/imatrix.h"

#include <cmath>
#include <cstring>

#include "core/io/gguf_file.h"
#include "core/io/mapped_file.h"

namespace condense::quant {

namespace {

Error fileError(ErrorCode code, const std::filesystem::path& p, std::string detail, std::string tensor = {}, std::int64_t offset = -1)
{
    Error e = makeError(code, p.string(), std::move(detail), offset);
    e.tensor = std::move(tensor);
    return e;
}

Status checkFinite(const std::filesystem::path& p, const std::string& name, const std::vector<float>& v)
{
    for (std::size_t i = 0; i < v.size(); ++i)
        if (!std::isfinite(v[i]))
            return fileError(ErrorCode::Malformed, p, "importance value " + std::to_string(i) + " is not finite", name);
    return okStatus();
}

bool endsWith(std::string_view s, std::string_view p) { return s.size() >= p.size() && s.substr(s.size() - p.size()) == p; }

// Reads little-endian values from a mapped file, bounds-checked.
class Cursor {
public:
    Cursor(std::span<const std::byte> data) : m_data(data) {}
    std::uint64_t offset() const { return m_pos; }
    std::uint64_t remaining() const { return m_data.size() - m_pos; }
    bool atEnd() const { return m_pos == m_data.size(); }
    bool i32(std::int32_t& v)
    {
        if (remaining() < 4) return false;
        std::memcpy(&v, m_data.data() + m_pos, 4);
        m_pos += 4;
        return true;
    }
    bool bytes(void* out, std::uint64_t n)
    {
        if (remaining() < n) return false;
        std::memcpy(out, m_data.data() + m_pos, static_cast<std::size_t>(n));
        m_pos += n;
        return true;
    }

private:
    std::span<const std::byte> m_data;
    std::uint64_t m_pos = 0;
};

} // namespace

const std::vector<float>* ImportanceMatrix::find(std::string_view tensorName) const
{
    const auto it = m_entries.find(tensorName);
    return it == m_entries.end() ? nullptr : &it->second;
}

Result<ImportanceMatrix> ImportanceMatrix::load(const std::filesystem::path& path)
{
    auto mapped = io::MappedFile::open(path);
    if (!mapped) return std::move(mapped).error();
    const io::MappedFile& file = **mapped;
    auto whole = file.slice(0, file.size());
    if (!whole) return std::move(whole).error();
    ImportanceMatrix m;
    m.m_path = path;

    std::uint32_t magic = 0;
    if (file.size() >= 4) std::memcpy(&magic, whole->data(), 4);
    if (magic == io::kGgufMagic) {
        auto parsed = io::parseGguf(*mapped);
        if (!parsed) return std::move(parsed).error();
        const io::GgufFile& g = **parsed;
        if (g.tensors().empty()) return fileError(ErrorCode::Malformed, path, "the imatrix holds no data");
        const io::GgufValue* datasets = g.find("imatrix.datasets");
        const io::GgufValue* chunkCount = g.find("imatrix.chunk_count");
        const io::GgufValue* chunkSize = g.find("imatrix.chunk_size");
        if (!datasets || !chunkCount || !chunkSize)
            return fileError(ErrorCode::Malformed, path,
                             "not an imatrix: imatrix.datasets, imatrix.chunk_count and imatrix.chunk_size are required");
        if (datasets->isArray() && datasets->elementType() == io::GgufType::String) m.m_datasets = datasets->strings();
        if (chunkCount->type() != io::GgufType::U32 || chunkSize->type() != io::GgufType::U32)
            return fileError(ErrorCode::Malformed, path, "imatrix.chunk_count and imatrix.chunk_size must be u32");
        m.m_chunkCount = static_cast<std::int32_t>(*chunkCount->asUInt());
        m.m_chunkSize = static_cast<std::int32_t>(*chunkSize->asUInt());

        struct Pair {
            std::int64_t sums = -1, counts = -1;
        };
        std::map<std::string, Pair> pairs;
        for (std::size_t i = 0; i < g.tensors().size(); ++i) {
            const std::string& n = g.tensors()[i].name;
            if (endsWith(n, ".in_sum2")) pairs[n.substr(0, n.size() - 8)].sums = static_cast<std::int64_t>(i);
            else if (endsWith(n, ".counts")) pairs[n.substr(0, n.size() - 7)].counts = static_cast<std::int64_t>(i);
        }
        for (const auto& [name, p] : pairs) {
            if (name.empty()) continue;
            if (p.sums < 0 || p.counts < 0) return fileError(ErrorCode::Malformed, path, "in_sum2 without counts or counts without in_sum2", name);
            const io::GgufTensorInfo& ts = g.tensors()[static_cast<std::size_t>(p.sums)];
            const io::GgufTensorInfo& tc = g.tensors()[static_cast<std::size_t>(p.counts)];
            if (ts.type != DType::F32 || tc.type != DType::F32) return fileError(ErrorCode::Malformed, path, "sums and counts must be F32", name);
            const std::uint64_t nval = ts.elements();
            const std::uint64_t ncounts = tc.elements();
            if (ncounts == 0 || nval == 0 || nval % ncounts != 0)
                return fileError(ErrorCode::Malformed, path,
                                 std::to_string(nval) + " sums cannot be split over " + std::to_string(ncounts) + " counts", name);
            const auto sums = g.tensorData(static_cast<std::size_t>(p.sums));
            const auto counts = g.tensorData(static_cast<std::size_t>(p.counts));
            const std::uint64_t ne0 = nval / ncounts;
            std::vector<float> v(static_cast<std::size_t>(nval));
            for (std::uint64_t j = 0; j < ncounts; ++j) {
                float c = 0;
                std::memcpy(&c, counts.data() + 4 * j, 4);
                // llama-quantize keeps lround(count) as an integer and divides by it as a float.
                const float count = std::isfinite(c) ? static_cast<float>(std::lround(c)) : 0.0f;
                for (std::uint64_t i = 0; i < ne0; ++i) {
                    float s = 0;
                    std::memcpy(&s, sums.data() + 4 * (j * ne0 + i), 4);
                    v[j * ne0 + i] = count > 0.0f ? s / count : 1.0f;
                }
            }
            CONDENSE_TRY(checkFinite(path, name, v));
            m.m_entries.emplace(name, std::move(v));
        }
        if (m.m_entries.empty()) return fileError(ErrorCode::Malformed, path, "the imatrix has no <name>.in_sum2 / <name>.counts pairs");
        return m;
    }

    // Legacy .dat
    m.m_legacy = true;
    Cursor c(*whole);
    const auto truncated = [&](const std::string& what) {
        return fileError(ErrorCode::Truncated, path, "legacy imatrix: file ends inside " + what, {}, static_cast<std::int64_t>(c.offset()));
    };
    std::int32_t n = 0;
    if (!c.i32(n)) return fileError(ErrorCode::Malformed, path, "not an imatrix file (neither GGUF nor legacy .dat): too short");
    if (n < 1) return fileError(ErrorCode::Malformed, path, "not an imatrix file (neither GGUF nor legacy .dat): entry count " + std::to_string(n));
    // Every entry takes at least 16 bytes: a count beyond that is not an imatrix.
    if (static_cast<std::uint64_t>(n) > c.remaining() / 16)
        return fileError(ErrorCode::Malformed, path, "not an imatrix file (neither GGUF nor legacy .dat): " + std::to_string(n) + " entries cannot fit");
    for (std::int32_t e = 0; e < n; ++e) {
        std::int32_t len = 0, ncall = 0, nval = 0;
        if (!c.i32(len)) return truncated("entry " + std::to_string(e));
        if (len < 0 || static_cast<std::uint64_t>(len) > c.remaining())
            return fileError(ErrorCode::Malformed, path, "legacy imatrix: bad name length " + std::to_string(len), {}, static_cast<std::int64_t>(c.offset()));
        std::string name(static_cast<std::size_t>(len), '\0');
        c.bytes(name.data(), static_cast<std::uint64_t>(len));
        name = name.c_str(); // llama.cpp reads the name as a C string
        if (!c.i32(ncall) || !c.i32(nval)) return truncated("entry '" + name + "'");
        if (nval < 1) return fileError(ErrorCode::Malformed, path, "legacy imatrix: " + std::to_string(nval) + " values", name);
        if (static_cast<std::uint64_t>(nval) > c.remaining() / 4) return truncated("the values of '" + name + "'");
        std::vector<float> v(static_cast<std::size_t>(nval));
        c.bytes(v.data(), 4ull * static_cast<std::uint64_t>(nval));
        if (ncall > 0)
            for (float& x : v) x = x / static_cast<float>(static_cast<std::int64_t>(ncall));
        CONDENSE_TRY(checkFinite(path, name, v));
        m.m_entries.insert_or_assign(std::move(name), std::move(v));
    }
    if (!c.atEnd()) {
        std::int32_t chunks = 0, len = 0;
        if (c.i32(chunks)) {
            m.m_chunkCount = chunks;
            if (c.i32(len) && len > 0 && static_cast<std::uint64_t>(len) <= c.remaining()) {
                std::string ds(static_cast<std::size_t>(len), '\0');
                c.bytes(ds.data(), static_cast<std::uint64_t>(len));
                m.m_datasets.push_back(ds.c_str());
            }
        }
    }
    return m;
}

} // namespace condense::quant
