#include "core/io/gguf_file.h"

#include <algorithm>
#include <cstring>
#include <unordered_set>

#include "core/io/error_text.h"

namespace condense::io {

// Cursor over the mapped bytes; every read is bounds-checked against the file size.
//
// Error codes, so that the same damage always gives the same code:
//   Truncated   the file ends inside a field, a string, an array or the tensor infos: what a
//               cut-off copy (an interrupted download) looks like;
//   OutOfRange  an announced size no real file has (more than kImplausible bytes of header
//               structure, or a length that overflows), or tensor data placed beyond the end
//               of the file; refused before anything of that size is allocated or touched;
//   Overflow    a size computation that does not fit 64 bits;
//   UnsupportedType / UnsupportedVersion / BadMagic / Malformed as named.
// Allocation stays proportional to the bytes actually parsed: reserve() never trusts a count
// beyond what the remaining bytes can hold, nor beyond a small constant.
class GgufParser {
    // No GGUF header structure (string, array, the KV or tensor-info section) comes near 1 TiB;
    // a length beyond that is corruption, not a cut-off file.
    static constexpr std::uint64_t kImplausible = std::uint64_t{1} << 40;

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
        if (version == 1)
            return err(ErrorCode::UnsupportedVersion, "GGUF version 1 is obsolete (supported: 2, 3); re-convert the model with a current llama.cpp", 4);
        if ((version & 0xFFFFu) == 0 && version != 0)
            return err(ErrorCode::UnsupportedVersion, "version " + std::to_string(version) + " looks byte-swapped (big-endian GGUF is not supported)", 4);
        if (version != 2 && version != 3)
            return err(ErrorCode::UnsupportedVersion, "GGUF version " + std::to_string(version) + " (supported: 2, 3)", 4);
        g->m_version = version;

        std::uint64_t nTensors = 0, nKv = 0;
        CONDENSE_TRY(readPod(nTensors, "tensor count"));
        CONDENSE_TRY(readPod(nKv, "metadata count"));
        // Each KV needs at least 8 (key length) + 4 (type) + 1 bytes and each tensor info at
        // least 8 + 4 + 8 + 4 + 8; the loops below stop at the first read past the end.
        if (nKv > kImplausible / 13)
            return err(ErrorCode::OutOfRange, "metadata count " + std::to_string(nKv) + " is impossible", 16);
        if (nTensors > kImplausible / 32)
            return err(ErrorCode::OutOfRange, "tensor count " + std::to_string(nTensors) + " is impossible", 8);

        g->m_kv.reserve(static_cast<std::size_t>(std::min<std::uint64_t>({nKv, remaining() / 13, 1024})));
        std::unordered_set<std::string> keys;
        for (std::uint64_t i = 0; i < nKv; ++i) {
            const std::uint64_t at = m_pos;
            GgufKV kv;
            CONDENSE_TRY(readString(kv.key, "metadata key"));
            if (kv.key.empty()) return err(ErrorCode::Malformed, "metadata key " + std::to_string(i) + " is empty", static_cast<std::int64_t>(at));
            std::uint32_t type = 0;
            CONDENSE_TRY(readPod(type, "metadata value type"));
            if (!ggufTypeValid(type))
                return err(ErrorCode::UnsupportedType, "metadata " + quotedName(kv.key) + " has unknown value type " + std::to_string(type), static_cast<std::int64_t>(m_pos - 4));
            auto v = readValue(static_cast<GgufType>(type), kv.key);
            if (!v) return std::move(v).error();
            kv.value = std::move(*v);
            if (!keys.insert(kv.key).second)
                return err(ErrorCode::Malformed, "duplicate metadata key " + quotedName(kv.key), static_cast<std::int64_t>(at));
            g->m_kv.push_back(std::move(kv));
        }

        if (const GgufValue* a = g->find("general.alignment")) {
            const auto al = a->asUInt();
            if (a->type() != GgufType::U32 || !al || *al == 0 || (*al & (*al - 1)) != 0)
                return err(ErrorCode::Malformed, "general.alignment must be a power-of-two u32 (it is " + std::string(ggufTypeName(a->type())) + " " + printableText(a->toDisplay(40)) + ")");
            g->m_alignment = static_cast<std::uint32_t>(*al);
        }

        g->m_tensors.reserve(static_cast<std::size_t>(std::min<std::uint64_t>({nTensors, remaining() / 32, 16384})));
        std::unordered_set<std::string> names;
        for (std::uint64_t i = 0; i < nTensors; ++i) {
            const std::uint64_t at = m_pos;
            GgufTensorInfo t;
            CONDENSE_TRY(readString(t.name, "tensor name"));
            // ggml's GGML_MAX_NAME is 64 including the terminating NUL.
            if (t.name.size() >= 64)
                return err(ErrorCode::Malformed, "tensor name longer than 63 bytes: " + quotedName(t.name), static_cast<std::int64_t>(at));
            const std::string qn = quotedName(t.name);
            CONDENSE_TRY(readPod(t.nDims, "tensor dimension count"));
            if (t.nDims == 0 || t.nDims > 4)
                return err(ErrorCode::Malformed, "tensor " + qn + " has " + std::to_string(t.nDims) + " dimensions (1 to 4 allowed)", static_cast<std::int64_t>(m_pos - 4));
            std::uint64_t elements = 1;
            for (std::uint32_t d = 0; d < t.nDims; ++d) {
                CONDENSE_TRY(readPod(t.ne[d], "tensor shape"));
                if (t.ne[d] > static_cast<std::uint64_t>(INT64_MAX))
                    return err(ErrorCode::Malformed, "tensor " + qn + " has a negative dimension", static_cast<std::int64_t>(m_pos - 8));
                const auto m = checkedMul(elements, t.ne[d]);
                if (!m || *m > static_cast<std::uint64_t>(INT64_MAX))
                    return err(ErrorCode::Overflow, "tensor " + qn + " element count overflows 64 bits", static_cast<std::int64_t>(m_pos - 8));
                elements = *m;
            }
            std::uint32_t type = 0;
            CONDENSE_TRY(readPod(type, "tensor type"));
            const DTypeTraits* tr = ggmlTypeTraits(type);
            if (!tr)
                return err(ErrorCode::UnsupportedType, "tensor " + qn + " has unknown ggml type " + std::to_string(type), static_cast<std::int64_t>(m_pos - 4));
            t.type = tr->type;
            if (t.ne[0] % tr->blockSize != 0)
                return err(ErrorCode::Malformed, "tensor " + qn + ": row length " + std::to_string(t.ne[0]) + " is not a multiple of the " + std::string(tr->name) + " block size " + std::to_string(tr->blockSize));
            const auto bytes = dtypeBytes(t.type, t.ne[0], elements);
            if (!bytes) return err(ErrorCode::Overflow, "tensor " + qn + " byte size overflows 64 bits");
            t.bytes = *bytes;
            CONDENSE_TRY(readPod(t.offset, "tensor offset"));
            if (t.offset % g->m_alignment != 0)
                return err(ErrorCode::Malformed, "tensor " + qn + " offset " + std::to_string(t.offset) + " is not aligned to " + std::to_string(g->m_alignment), static_cast<std::int64_t>(m_pos - 8));
            if (!names.insert(t.name).second)
                return err(ErrorCode::Malformed, "duplicate tensor name " + qn, static_cast<std::int64_t>(at));
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

        // Every tensor inside the data section; no two tensors overlap. Checked in offset
        // order so that a file cut short reports the tensor it was cut in (Truncated), while
        // an offset far beyond the end is OutOfRange.
        std::vector<const GgufTensorInfo*> byOffset;
        byOffset.reserve(g->m_tensors.size());
        for (const auto& t : g->m_tensors) byOffset.push_back(&t);
        std::sort(byOffset.begin(), byOffset.end(), [](const GgufTensorInfo* x, const GgufTensorInfo* y) {
            return x->offset < y->offset || (x->offset == y->offset && x->bytes < y->bytes);
        });
        for (const GgufTensorInfo* t : byOffset) {
            if (t->offset <= dataSize && t->bytes <= dataSize - t->offset) continue;
            const auto end = checkedAdd(t->offset, t->bytes);
            const std::string range = "[" + std::to_string(t->offset) + ", +" + std::to_string(t->bytes) + ")";
            if (end && t->offset <= dataSize + a && *end <= (std::uint64_t{1} << 48))
                return err(ErrorCode::Truncated, "file ends inside the data of tensor " + quotedName(t->name) + " " + range + ": the data section has only " + std::to_string(dataSize) + " bytes");
            return err(ErrorCode::OutOfRange, "tensor " + quotedName(t->name) + " data " + range + " lies beyond the end of the file (data section is " + std::to_string(dataSize) + " bytes)");
        }
        for (std::size_t i = 1; i < byOffset.size(); ++i) {
            const GgufTensorInfo* p = byOffset[i - 1];
            const GgufTensorInfo* q = byOffset[i];
            if (q->offset < p->offset + p->bytes && q->bytes > 0)
                return err(ErrorCode::Malformed, "the data of tensors " + quotedName(p->name) + " and " + quotedName(q->name) + " overlap (data offset " + std::to_string(q->offset) + ")");
        }
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

    // `need` bytes announced at `at` for `what`: fine, cut off (Truncated) or impossible (OutOfRange).
    Status checkAvailable(std::uint64_t need, std::uint64_t at, const std::string& what)
    {
        if (need <= remaining()) return okStatus();
        if (need <= kImplausible)
            return err(ErrorCode::Truncated, "file ends inside " + what + " (" + std::to_string(need) + " bytes announced, " + std::to_string(remaining()) + " left)", static_cast<std::int64_t>(at));
        return err(ErrorCode::OutOfRange, what + " announces " + std::to_string(need) + " bytes; the file has " + std::to_string(m_size), static_cast<std::int64_t>(at));
    }

    Status readString(std::string& out, const char* what)
    {
        std::uint64_t len = 0;
        const std::uint64_t at = m_pos;
        CONDENSE_TRY(readPod(len, what));
        CONDENSE_TRY(checkAvailable(len, at, std::string("the ") + what));
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
            if (remaining() < n) return err(ErrorCode::Truncated, "file ends inside the value of " + quotedName(key), static_cast<std::int64_t>(m_pos));
            // A bool byte other than 0/1 reads as true, as ggml's reader takes it.
            auto v = GgufValue::scalar(type, m_p + m_pos);
            m_pos += n;
            return v;
        }
        std::uint32_t elem = 0;
        std::uint64_t count = 0;
        CONDENSE_TRY(readPod(elem, "array element type"));
        if (!ggufTypeValid(elem) || static_cast<GgufType>(elem) == GgufType::Array)
            return err(ErrorCode::UnsupportedType, "array " + quotedName(key) + " has element type " + std::to_string(elem) + (elem == 9 ? " (nested arrays are not supported)" : " (unknown)"), static_cast<std::int64_t>(m_pos - 4));
        const std::uint64_t countAt = m_pos;
        CONDENSE_TRY(readPod(count, "array length"));
        const auto et = static_cast<GgufType>(elem);
        // A string element takes at least its 8-byte length.
        const std::uint64_t minElem = et == GgufType::String ? 8 : ggufScalarSize(et);
        const auto need = checkedMul(count, minElem);
        if (!need)
            return err(ErrorCode::OutOfRange, "array " + quotedName(key) + " claims " + std::to_string(count) + " elements, more than any file can hold", static_cast<std::int64_t>(countAt));
        CONDENSE_TRY(checkAvailable(*need, countAt, "array " + quotedName(key) + " of " + std::to_string(count) + " " + ggufTypeName(et)));
        if (et == GgufType::String) {
            std::vector<std::string> v;
            v.reserve(static_cast<std::size_t>(std::min<std::uint64_t>({count, remaining() / 8, 65536})));
            for (std::uint64_t i = 0; i < count; ++i) {
                std::string s;
                CONDENSE_TRY(readString(s, "array string"));
                v.push_back(std::move(s));
            }
            return GgufValue::stringArray(std::move(v));
        }
        std::vector<std::byte> raw(m_p + m_pos, m_p + m_pos + *need);
        m_pos += *need;
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
