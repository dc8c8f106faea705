#include "core/io/gguf_file.h"

#include <algorithm>
#include <cstring>
#include <unordered_set>

namespace condense::io {

// Cursor over the mapped bytes; every read is bounds-checked against the file size.
class GgufParser {
public:
    explicit GgufParser(const MappedFile& f) : m_f(f), m_p(f.data()), m_size(f.size()) {}

    Result<std::shared_ptr<const GgufFile>> parse(std::shared_ptr<const MappedFile> file)
    {
        auto g = std::make_shared<GgufFile>();
        g->m_file = std::move(file);

        std::uint32_t magic = 0;
        if (m_size < 4) return err(ErrorCode::Truncated, "file is " + std::to_string(m_size) + " bytes, too small for a GGUF header");
        CONDENSE_TRY(readPod(magic, "magic"));
        if (magic != kGgufMagic) return err(ErrorCode::BadMagic, "not a GGUF file (magic is not 'GGUF')", 0);
        std::uint32_t version = 0;
        CONDENSE_TRY(readPod(version, "version"));
        if ((version & 0xFFFFu) == 0)
            return err(ErrorCode::UnsupportedVersion, "version " + std::to_string(version) + " looks byte-swapped (big-endian GGUF is not supported)", 4);
        if (version != 2 && version != 3)
            return err(ErrorCode::UnsupportedVersion, "GGUF version " + std::to_string(version) + " (supported: 2, 3)", 4);
        g->m_version = version;

        std::uint64_t nTensors = 0, nKv = 0;
        CONDENSE_TRY(readPod(nTensors, "tensor count"));
        CONDENSE_TRY(readPod(nKv, "metadata count"));
        // Each KV needs at least 8 (key len) + 4 (type) + 1 bytes; each tensor info at least 8+4+8+4+8.
        if (nKv > remaining() / 13)
            return err(ErrorCode::OutOfRange, "metadata count " + std::to_string(nKv) + " cannot fit in the file", 16);
        if (nTensors > remaining() / 32)
            return err(ErrorCode::OutOfRange, "tensor count " + std::to_string(nTensors) + " cannot fit in the file", 8);

        g->m_kv.reserve(static_cast<std::size_t>(nKv));
        std::unordered_set<std::string> keys;
        for (std::uint64_t i = 0; i < nKv; ++i) {
            const std::uint64_t at = m_pos;
            GgufKV kv;
            CONDENSE_TRY(readString(kv.key, "metadata key"));
            std::uint32_t type = 0;
            CONDENSE_TRY(readPod(type, "metadata value type"));
            if (!ggufTypeValid(type))
                return err(ErrorCode::UnsupportedType, "metadata '" + kv.key + "' has unknown value type " + std::to_string(type), static_cast<std::int64_t>(m_pos - 4));
            auto v = readValue(static_cast<GgufType>(type), kv.key);
            if (!v) return std::move(v).error();
            kv.value = std::move(*v);
            if (!keys.insert(kv.key).second)
                return err(ErrorCode::Malformed, "duplicate metadata key '" + kv.key + "'", static_cast<std::int64_t>(at));
            g->m_kv.push_back(std::move(kv));
        }

        if (const GgufValue* a = g->find("general.alignment")) {
            const auto al = a->asUInt();
            if (a->type() != GgufType::U32 || !al || *al == 0 || (*al & (*al - 1)) != 0)
                return err(ErrorCode::Malformed, "general.alignment must be a power-of-two u32");
            g->m_alignment = static_cast<std::uint32_t>(*al);
        }

        g->m_tensors.reserve(static_cast<std::size_t>(nTensors));
        std::unordered_set<std::string> names;
        for (std::uint64_t i = 0; i < nTensors; ++i) {
            const std::uint64_t at = m_pos;
            GgufTensorInfo t;
            CONDENSE_TRY(readString(t.name, "tensor name"));
            if (t.name.size() >= 64)
                return err(ErrorCode::Malformed, "tensor name longer than 63 bytes: '" + t.name.substr(0, 80) + "'", static_cast<std::int64_t>(at));
            CONDENSE_TRY(readPod(t.nDims, "tensor dimension count"));
            if (t.nDims == 0 || t.nDims > 4)
                return err(ErrorCode::Malformed, "tensor '" + t.name + "' has " + std::to_string(t.nDims) + " dimensions (1 to 4 allowed)", static_cast<std::int64_t>(m_pos - 4));
            std::uint64_t elements = 1;
            for (std::uint32_t d = 0; d < t.nDims; ++d) {
                CONDENSE_TRY(readPod(t.ne[d], "tensor shape"));
                if (t.ne[d] > static_cast<std::uint64_t>(INT64_MAX))
                    return err(ErrorCode::Malformed, "tensor '" + t.name + "' has a negative dimension", static_cast<std::int64_t>(m_pos - 8));
                const auto m = checkedMul(elements, t.ne[d]);
                if (!m || *m > static_cast<std::uint64_t>(INT64_MAX))
                    return err(ErrorCode::Overflow, "tensor '" + t.name + "' element count overflows 64 bits", static_cast<std::int64_t>(m_pos - 8));
                elements = *m;
            }
            std::uint32_t type = 0;
            CONDENSE_TRY(readPod(type, "tensor type"));
            const DTypeTraits* tr = ggmlTypeTraits(type);
            if (!tr)
                return err(ErrorCode::UnsupportedType, "tensor '" + t.name + "' has unknown ggml type " + std::to_string(type), static_cast<std::int64_t>(m_pos - 4));
            t.type = tr->type;
            if (t.ne[0] % tr->blockSize != 0)
                return err(ErrorCode::Malformed, "tensor '" + t.name + "': row length " + std::to_string(t.ne[0]) + " is not a multiple of the " + std::string(tr->name) + " block size " + std::to_string(tr->blockSize));
            const auto bytes = dtypeBytes(t.type, t.ne[0], elements);
            if (!bytes) return err(ErrorCode::Overflow, "tensor '" + t.name + "' byte size overflows 64 bits");
            t.bytes = *bytes;
            CONDENSE_TRY(readPod(t.offset, "tensor offset"));
            if (t.offset % g->m_alignment != 0)
                return err(ErrorCode::Malformed, "tensor '" + t.name + "' offset " + std::to_string(t.offset) + " is not aligned to " + std::to_string(g->m_alignment), static_cast<std::int64_t>(m_pos - 8));
            if (!names.insert(t.name).second)
                return err(ErrorCode::Malformed, "duplicate tensor name '" + t.name + "'", static_cast<std::int64_t>(at));
            g->m_tensors.push_back(std::move(t));
        }

        const std::uint64_t a = g->m_alignment;
        const std::uint64_t dataStart = m_pos + (a - m_pos % a) % a;
        if (g->m_tensors.empty()) {
            g->m_dataOffset = std::min(dataStart, m_size);
        } else {
            if (dataStart > m_size)
                return err(ErrorCode::Truncated, "file ends before the tensor data section (" + std::to_string(dataStart) + " > " + std::to_string(m_size) + ")");
            g->m_dataOffset = dataStart;
        }
        const std::uint64_t dataSize = m_size - g->m_dataOffset;

        // Every tensor inside the data section; no two tensors overlap.
        std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges;
        ranges.reserve(g->m_tensors.size());
        for (const auto& t : g->m_tensors) {
            if (t.offset > dataSize || t.bytes > dataSize - t.offset)
                return err(ErrorCode::OutOfRange, "tensor '" + t.name + "' data [" + std::to_string(t.offset) + ", +" + std::to_string(t.bytes) + ") lies beyond the end of the file (data section is " + std::to_string(dataSize) + " bytes)");
            ranges.emplace_back(t.offset, t.offset + t.bytes);
        }
        std::sort(ranges.begin(), ranges.end());
        for (std::size_t i = 1; i < ranges.size(); ++i)
            if (ranges[i].first < ranges[i - 1].second)
                return err(ErrorCode::Malformed, "tensor data ranges overlap at data offset " + std::to_string(ranges[i].first));
        return std::shared_ptr<const GgufFile>(std::move(g));
    }

private:
    std::uint64_t remaining() const { return m_size - m_pos; }

    Error err(ErrorCode c, std::string detail, std::int64_t offset = -1) const
    {
        return makeError(c, m_f.path(), std::move(detail), offset);
    }

    template <typename T>
    Status readPod(T& out, const char* what)
    {
        if (remaining() < sizeof(T))
            return err(ErrorCode::Truncated, std::string("file ends inside the ") + what, static_cast<std::int64_t>(m_pos));
        std::memcpy(&out, m_p + m_pos, sizeof(T));
        m_pos += sizeof(T);
        return okStatus();
    }

    Status readString(std::string& out, const char* what)
    {
        std::uint64_t len = 0;
        const std::uint64_t at = m_pos;
        CONDENSE_TRY(readPod(len, what));
        if (len > remaining())
            return err(ErrorCode::OutOfRange, std::string(what) + " length " + std::to_string(len) + " exceeds the " + std::to_string(remaining()) + " bytes left in the file", static_cast<std::int64_t>(at));
        out.assign(reinterpret_cast<const char*>(m_p + m_pos), static_cast<std::size_t>(len));
        m_pos += len;
        return okStatus();
    }

    Result<GgufValue> readValue(GgufType type, const std::string& key)
    {
        if (type == GgufType::String) {
            std::string s;
            CONDENSE_TRY(readString(s, "string value"));
            return GgufValue::string(std::move(s));
        }
        if (type != GgufType::Array) {
            const std::size_t n = ggufScalarSize(type);
            if (remaining() < n) return err(ErrorCode::Truncated, "file ends inside the value of '" + key + "'", static_cast<std::int64_t>(m_pos));
            auto v = GgufValue::scalar(type, m_p + m_pos);
            if (type == GgufType::Bool && static_cast<std::uint8_t>(m_p[m_pos]) > 1)
                return err(ErrorCode::Malformed, "boolean '" + key + "' is neither 0 nor 1", static_cast<std::int64_t>(m_pos));
            m_pos += n;
            return v;
        }
        std::uint32_t elem = 0;
        std::uint64_t count = 0;
        CONDENSE_TRY(readPod(elem, "array element type"));
        if (!ggufTypeValid(elem) || static_cast<GgufType>(elem) == GgufType::Array)
            return err(ErrorCode::UnsupportedType, "array '" + key + "' has element type " + std::to_string(elem) + " (nested or unknown)", static_cast<std::int64_t>(m_pos - 4));
        const std::uint64_t countAt = m_pos;
        CONDENSE_TRY(readPod(count, "array length"));
        const auto et = static_cast<GgufType>(elem);
        if (et == GgufType::String) {
            if (count > remaining() / 8)
                return err(ErrorCode::OutOfRange, "array '" + key + "' claims " + std::to_string(count) + " strings, more than the file can hold", static_cast<std::int64_t>(countAt));
            std::vector<std::string> v;
            v.reserve(static_cast<std::size_t>(count));
            for (std::uint64_t i = 0; i < count; ++i) {
                std::string s;
                CONDENSE_TRY(readString(s, "array string"));
                v.push_back(std::move(s));
            }
            return GgufValue::stringArray(std::move(v));
        }
        const std::size_t es = ggufScalarSize(et);
        if (count > remaining() / es)
            return err(ErrorCode::OutOfRange, "array '" + key + "' claims " + std::to_string(count) + " elements, more than the file can hold", static_cast<std::int64_t>(countAt));
        std::vector<std::byte> raw(m_p + m_pos, m_p + m_pos + count * es);
        m_pos += count * es;
        return GgufValue::numericArray(et, std::move(raw), count);
    }

    const MappedFile& m_f;
    const std::byte* m_p;
    std::uint64_t m_size;
    std::uint64_t m_pos = 0;
};

Result<std::shared_ptr<const GgufFile>> parseGguf(std::shared_ptr<const MappedFile> file)
{
    GgufParser p(*file);
    return p.parse(file);
}

Result<std::shared_ptr<const GgufFile>> GgufFile::open(const std::filesystem::path& path)
{
    auto f = MappedFile::open(path);
    if (!f) return std::move(f).error();
    return parseGguf(std::move(*f));
}

const GgufValue* GgufFile::find(std::string_view key) const
{
    for (const auto& kv : m_kv)
        if (kv.key == key) return &kv.value;
    return nullptr;
}

std::optional<std::uint64_t> GgufFile::getUInt(std::string_view key) const
{
    const GgufValue* v = find(key);
    return v ? v->asUInt() : std::nullopt;
}

std::optional<double> GgufFile::getFloat(std::string_view key) const
{
    const GgufValue* v = find(key);
    return v ? v->asFloat() : std::nullopt;
}

std::optional<std::string> GgufFile::getString(std::string_view key) const
{
    const GgufValue* v = find(key);
    if (!v || !v->asString()) return std::nullopt;
    return *v->asString();
}

std::optional<bool> GgufFile::getBool(std::string_view key) const
{
    const GgufValue* v = find(key);
    return v ? v->asBool() : std::nullopt;
}

std::int64_t GgufFile::findTensor(std::string_view name) const
{
    for (std::size_t i = 0; i < m_tensors.size(); ++i)
        if (m_tensors[i].name == name) return static_cast<std::int64_t>(i);
    return -1;
}

std::span<const std::byte> GgufFile::tensorData(std::size_t index) const
{
    const auto& t = m_tensors.at(index);
    return {m_file->data() + m_dataOffset + t.offset, static_cast<std::size_t>(t.bytes)};
}

} // namespace condense::io
